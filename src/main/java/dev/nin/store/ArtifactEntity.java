package dev.nin.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

import java.time.OffsetDateTime;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A file (or folder) kept for a trial, e.g. its SavedModel (table {@code artifacts}). */
@Entity
@Table(name = "artifacts")
public class ArtifactEntity extends PanacheEntityBase {

    /** Kind of the trained model exported as a TensorFlow SavedModel folder. */
    public static final String SAVED_MODEL = "saved_model";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "trial_id")
    public long trialId;

    public String kind;
    public String path;
    @Column(name = "size_bytes")
    public long sizeBytes;
    public String sha256;
    @Column(name = "created_at", insertable = false, updatable = false)
    public OffsetDateTime createdAt;
}
