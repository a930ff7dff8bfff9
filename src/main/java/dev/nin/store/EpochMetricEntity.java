package dev.nin.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

import java.io.Serializable;
import java.util.Objects;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

/** One epoch of one trial (table {@code epoch_metrics}); accuracies are fractions, null when not measured. */
@Entity
@Table(name = "epoch_metrics")
@IdClass(EpochMetricEntity.Key.class)
public class EpochMetricEntity extends PanacheEntityBase {

    @Id
    @Column(name = "trial_id")
    public long trialId;

    @Id
    public int epoch;

    @Column(name = "train_loss")
    public double trainLoss;
    @Column(name = "train_accuracy")
    public double trainAccuracy;
    @Column(name = "validation_accuracy")
    public Double validationAccuracy;
    @Column(name = "test_accuracy")
    public Double testAccuracy;
    @Column(name = "images_per_second")
    public double imagesPerSecond;
    @Column(name = "train_seconds")
    public double trainSeconds;
    @Column(name = "evaluation_seconds")
    public Double evaluationSeconds;
    public double seconds;

    /** Composite key (trial, epoch). */
    public static class Key implements Serializable {
        public long trialId;
        public int epoch;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.trialId == trialId && k.epoch == epoch;
        }

        @Override
        public int hashCode() {
            return Objects.hash(trialId, epoch);
        }
    }
}
