package dev.nin.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * Test hook: the points where nin must survive a kill (an epoch's commit: checkpoint, then its
 * epoch row; the steps of securing an embedded database made by an older nin), where a test can
 * hold the process so that it kills it exactly there ({@code KillIT}, {@code LegacyHomeIT}). Off
 * unless the environment names a point: {@code NIN_TEST_PAUSE_AT=checkpoint-marked@2} and
 * {@code NIN_TEST_PAUSE_DIR=DIR}. Reaching that point at that epoch (1 for the points that have no
 * epoch) writes {@code DIR/paused-checkpoint-marked-2} and blocks the thread for good: only a kill
 * ends the process.
 *
 * <p>Unset, each point costs one comparison with a constant. Set, it can only stop the process
 * where a kill could have stopped it anyway: it changes no checkpoint and no row, and writes one
 * new file whose name it makes itself in an existing folder, never overwriting or following a
 * link there.
 */
public enum PausePoint {

    /** TensorFlow wrote the epoch's checkpoint files; its {@code complete} marker is not written yet. */
    CHECKPOINT_WRITTEN("checkpoint-written"),
    /** The checkpoint is marked complete; nothing has heard of the epoch yet. */
    CHECKPOINT_MARKED("checkpoint-marked"),
    /** The epoch line is printed (the listeners before the recorder ran); its row is not committed. */
    EPOCH_ANNOUNCED("epoch-announced"),
    /** The epoch's row is committed and every listener has run. */
    EPOCH_RECORDED("epoch-recorded"),
    /** A sweep's trial is recorded as ended; its checkpoints are not deleted yet (always {@code @1}). */
    TRIAL_RECORDED("trial-recorded"),
    /** An MLflow sync marked a trial's logged model READY; it is not the run's output yet (always {@code @1}: the first model). */
    MODEL_READY("model-ready"),
    /** Securing the embedded server: passwords set and roles created; grants, ownership and authentication not yet. */
    SECURE_ROLES_CREATED("secure-roles-created"),
    /** Securing: grants and ownership in place; the server still accepts logins without a password. */
    SECURE_GRANTED("secure-granted"),
    /** Securing: pg_hba.conf asks for passwords, but the server has not reloaded it. */
    SECURE_HBA_WRITTEN("secure-hba-written"),
    /** Securing: the server asks for passwords; the marker that ends the conversion is not written yet. */
    SECURE_RELOADED("secure-reloaded");

    /** What the environment asks for; read once, as the environment of a process never changes. */
    private static final Optional<Target> TARGET = Target.parse(System.getenv());

    private final String key;

    PausePoint(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }

    /** Holds the process here when the environment names this point and {@code epoch}. */
    public void reach(int epoch) {
        if (TARGET.isPresent() && TARGET.get().matches(this, epoch)) {
            TARGET.get().pause(this, epoch);
        }
    }

    static Optional<PausePoint> byKey(String key) {
        return Arrays.stream(values()).filter(p -> p.key.equals(key)).findFirst();
    }

    /** The point and epoch to pause at, and the folder to say so in. */
    record Target(PausePoint point, int epoch, Path folder) {

        static final String AT = "NIN_TEST_PAUSE_AT";
        static final String DIR = "NIN_TEST_PAUSE_DIR";

        /**
         * Reads {@code POINT@EPOCH} and the folder; anything else is ignored (with one line on
         * standard error), so a stray setting never changes what a run does.
         */
        static Optional<Target> parse(Map<String, String> env) {
            String at = env.get(AT);
            if (at == null || at.isEmpty()) {
                return Optional.empty();
            }
            String[] parts = at.split("@", -1);
            Optional<PausePoint> point = byKey(parts[0]);
            String dir = env.get(DIR);
            if (parts.length != 2 || point.isEmpty() || !parts[1].matches("[1-9]\\d{0,3}") || dir == null
                    || !Files.isDirectory(Path.of(dir))) {
                System.err.println("nin: ignoring " + AT + "=" + at + ": expected POINT@EPOCH, POINT one of "
                        + Arrays.stream(values()).map(PausePoint::key).toList() + ", and " + DIR + " an existing folder");
                return Optional.empty();
            }
            return Optional.of(new Target(point.get(), Integer.parseInt(parts[1]), Path.of(dir)));
        }

        boolean matches(PausePoint reached, int reachedEpoch) {
            return point == reached && epoch == reachedEpoch;
        }

        /** The file that says the process is holding at {@code point} of {@code epoch}. */
        Path marker(PausePoint reached, int reachedEpoch) {
            return folder.resolve("paused-" + reached.key + "-" + reachedEpoch);
        }

        void pause(PausePoint reached, int reachedEpoch) {
            Path marker = marker(reached, reachedEpoch);
            System.err.println("nin: holding at " + reached.key + " of epoch " + reachedEpoch + " for a test (" + AT
                    + "); only a kill ends this process");
            try {
                // CREATE_NEW: never overwrites anything, and fails on a symbolic link of that name.
                Files.writeString(marker, Long.toString(ProcessHandle.current().pid()), StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (IOException e) {
                System.err.println("nin: could not write " + marker + ": " + e);
            }
            while (true) {
                try {
                    Thread.sleep(Long.MAX_VALUE);
                } catch (InterruptedException e) {
                    // Holding is the point: an interrupt (the heartbeat, a shutdown) must not let the epoch go on.
                }
            }
        }
    }
}
