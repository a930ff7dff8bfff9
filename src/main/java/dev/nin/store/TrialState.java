package dev.nin.store;

import dev.nin.config.UsageException;
import dev.nin.train.TrainingResult;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The states of a trial, as the column {@code trials.state} holds them (its CHECK constraint
 * allows exactly these; a test compares the two). Java code names a state by this enum and binds
 * its {@link #value} into SQL rather than writing the word.
 */
public enum TrialState {
    /** Stored, waiting for a worker. */
    PENDING,
    /** Claimed by a worker that holds its lease. */
    RUNNING,
    COMPLETED,
    /** The loss or the gradients became NaN or infinite. */
    DIVERGED,
    /** An exception ended training. */
    FAILED,
    /** Its process died or stopped before the end; a worker resumes it. */
    INTERRUPTED,
    /** Stopped by the stall rule: the loss stayed on the ln 10 plateau. */
    STALLED,
    /** Stopped by the sweep's pruning rule. */
    PRUNED;

    /** The word in the database, e.g. {@code completed}. */
    public final String value = name().toLowerCase(Locale.ROOT);

    /**
     * States a worker may claim (besides a running trial whose lease expired). The partial index
     * {@code trials_claimable} (V9) holds exactly the trials in these states.
     */
    public static final Set<TrialState> CLAIMABLE = EnumSet.of(PENDING, INTERRUPTED);
    /** States {@code --retry-failed} queues again. */
    public static final Set<TrialState> RETRYABLE = EnumSet.of(FAILED, DIVERGED);
    /** States the leaderboard ranks. */
    public static final Set<TrialState> RANKED = EnumSet.of(COMPLETED, DIVERGED);
    /** Stopped early on purpose: listed under the leaderboard with where they stopped. */
    public static final Set<TrialState> STOPPED_EARLY = EnumSet.of(STALLED, PRUNED);

    /** Whether a trial in this state has ended (for now: an interrupted one may be resumed). */
    public boolean ended() {
        return this != PENDING && this != RUNNING;
    }

    /** The state of {@code value}, or an IllegalArgumentException naming the accepted words. */
    public static TrialState of(String value) {
        for (TrialState s : values()) {
            if (s.value.equals(value)) {
                return s;
            }
        }
        throw new UsageException("trial state: expected one of "
                + java.util.Arrays.toString(values(EnumSet.allOf(TrialState.class))) + ", found '" + value + "'");
    }

    /** The state a trial is recorded in when training ends with {@code status}. */
    public static TrialState of(TrainingResult.Status status) {
        return switch (status) {
            case COMPLETED -> COMPLETED;
            case DIVERGED -> DIVERGED;
            case STALLED -> STALLED;
            case PRUNED -> PRUNED;
        };
    }

    /** The database words of {@code states}, to bind as a text array ({@code state = ANY (?)}). */
    public static String[] values(Set<TrialState> states) {
        return states.stream().map(s -> s.value).toArray(String[]::new);
    }

    /** As {@link #values(Set)}, as a list (a JPQL {@code state in ?n} parameter). */
    public static List<String> list(Set<TrialState> states) {
        return states.stream().map(s -> s.value).toList();
    }

    /**
     * {@code ('pending', 'interrupted')}: states written into SQL as literals, for the one statement
     * that needs them (the claim): a partial index serves a query only when the planner can prove its
     * predicate from the query's own constants, which a bound array is not. The words are this
     * enum's, never input.
     */
    public static String sqlLiterals(Set<TrialState> states) {
        return states.stream().map(s -> "'" + s.value + "'").collect(java.util.stream.Collectors.joining(", ", "(", ")"));
    }
}
