package dev.nin.config;

import java.util.Arrays;
import java.util.Optional;

/**
 * What a sweep ranks its trials by, defined once: the column of {@code epoch_metrics} and
 * {@code trial_results} that holds it, and which way is better. Pruning, TPE, the leaderboard and
 * the report all read the direction from here. Never the test set: it is reported, not tuned on.
 * The store splices {@link #column} into SQL (a column name cannot be a parameter), so only these
 * names ever reach it, as the {@code sweeps.metric} CHECK constraint also insists.
 */
public enum Metric {
    VALIDATION_ACCURACY("validation_accuracy", true),
    TRAIN_LOSS("train_loss", false);

    /** The column, and the sweep file's {@code metric:} value. */
    public final String column;
    /** True for an accuracy, false for a loss. */
    public final boolean higherIsBetter;

    Metric(String column, boolean higherIsBetter) {
        this.column = column;
        this.higherIsBetter = higherIsBetter;
    }

    /** The metric named {@code column}, if it is one. */
    public static Optional<Metric> find(String column) {
        return Arrays.stream(values()).filter(m -> m.column.equals(column)).findFirst();
    }

    /**
     * The metric a sweep stored as {@code column}.
     *
     * @throws IllegalArgumentException when it is none: the store holds only these (a bug or a damaged row)
     */
    public static Metric of(String column) {
        return find(column).orElseThrow(() -> new IllegalArgumentException("metric: expected " + names() + ", found '"
                + column + "'"));
    }

    /** "validation_accuracy or train_loss". */
    public static String names() {
        return VALIDATION_ACCURACY.column + " or " + TRAIN_LOSS.column;
    }

    /** An SQL ORDER BY direction that puts the best first. */
    public String bestFirst() {
        return higherIsBetter ? "DESC" : "ASC";
    }
}
