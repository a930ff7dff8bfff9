package dev.nin.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

import java.time.OffsetDateTime;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A sweep: its name, the file it came from and that file's content and hash (table {@code sweeps}). */
@Entity
@Table(name = "sweeps")
public class SweepEntity extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public String name;
    public String description;
    public String file;
    @Column(name = "content_hash")
    public String contentHash;
    /** The sweep file's text, so a worker on another machine runs exactly what was enqueued. */
    public String content;
    /** Column of the leaderboard's ranking: validation_accuracy or train_loss. */
    public String metric;
    @Column(name = "planned_trials")
    public int plannedTrials;
    /** grid, random or tpe; null for sweeps stored before issue 17. */
    public String strategy;
    /** Configurations random search draws or TPE asks for; null for grid and older sweeps. */
    public Integer budget;
    @Column(name = "created_at", insertable = false, updatable = false)
    public OffsetDateTime createdAt;
    @Column(name = "updated_at")
    public OffsetDateTime updatedAt;
}
