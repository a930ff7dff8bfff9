package dev.nin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Long-lived workers, as containers, Jobs and job arrays run them: {@code sweep --enqueue-only}
 * stores a sweep and trains nothing; {@code worker --sweep NAME --wait} started before the sweep
 * exists waits for it, trains every trial, then waits for more until {@code --idle-timeout} passes
 * and exits 0. Their bad flags are cases of {@link BadInputIT}.
 */
class WaitingWorkerIT {

    private static Path home;
    private static int port;
    private static NinProcess nin;

    @BeforeAll
    static void freshHome() throws Exception {
        home = StoreIT.fresh("waiting-worker-it-home");
        port = NinProcess.freePort();
        nin = NinProcess.withHome(home, port);
        NinProcess.Result url = nin.run("db", "url");
        assertEquals(0, url.exitCode(), url.all());
    }

    @AfterAll
    static void stopServer() throws Exception {
        nin.run("db", "stop");
    }

    private static Path sweepFile(String name) throws Exception {
        Path file = home.resolve(name + ".yaml");
        Files.writeString(file, """
                name: %s
                base: {variant: no-1x1, resize: 67, epochs: 1, batch: 64, momentum: 0.9}
                data: {train_limit: 256, validation: 64, test_limit: 64}
                axes:
                  lr: [0.05, 0.1]
                """.formatted(name));
        return file;
    }

    /** State, attempt and worker of each trial of sweep {@code name}, in plan order. */
    private static List<String> trials(String name) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = TestDb.connect(home, port); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT t.state, t.attempt, coalesce(t.worker, '-') FROM trials t"
                        + " JOIN sweeps w ON w.id = t.sweep_id WHERE w.name = '" + name + "' ORDER BY t.plan_index")) {
            while (r.next()) {
                rows.add(r.getString(1) + "/" + r.getInt(2) + "/" + r.getString(3));
            }
        }
        return rows;
    }

    @Test
    void aWaitingWorkerRunsASweepEnqueuedAfterItStartedThenStopsWhenIdle() throws Exception {
        Path workerOut = home.resolve("worker.out");
        // A long idle timeout for the wait for the sweep (JVMs start slowly on a loaded machine); --max-trials ends it.
        Process worker = nin.start(workerOut, "worker", "--sweep", "later", "--wait", "--idle-timeout", "600",
                "--max-trials", "2", "--no-measure-memory");
        try {
            // The worker is up and waiting for the sweep before anything is stored.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!(Files.exists(workerOut) && Files.readString(workerOut).contains("waiting for sweep later"))) {
                assertTrue(worker.isAlive(), "the worker exited before waiting:\n" + Files.readString(workerOut));
                assertTrue(System.nanoTime() < deadline, "the worker never said it waits for the sweep");
                Thread.sleep(200);
            }

            NinProcess.Result enqueued = nin.run("sweep", sweepFile("later").toString(), "--enqueue-only");
            assertEquals(0, enqueued.exitCode(), enqueued.all());
            assertTrue(enqueued.out().contains("stored in ") && enqueued.out().contains("2 new trials"), enqueued.all());
            assertTrue(enqueued.out().contains("enqueued only: nothing trains here"), enqueued.all());
            // No speed measurement, no training in the enqueueing process.
            assertTrue(!enqueued.out().contains("expected time") && !enqueued.out().contains("epoch 1"), enqueued.all());

            assertTrue(worker.waitFor(300, TimeUnit.SECONDS), "the worker did not stop after its two trials");
            String out = Files.readString(workerOut);
            assertEquals(0, worker.exitValue(), out);
            List<String> rows = trials("later");
            assertEquals(2, rows.size(), rows.toString());
            for (String row : rows) {
                assertTrue(row.startsWith("completed/1/"), "each trial completed at its first attempt: " + rows);
            }

            // Nothing left: a waiting worker polls, then stops after its idle timeout with code 0.
            NinProcess.Result idle = nin.run("worker", "--sweep", "later", "--wait", "--idle-timeout", "3");
            assertEquals(0, idle.exitCode(), idle.all());
            assertTrue(idle.out().contains("nothing to claim; waiting for trials (for up to 3 s)"), idle.all());
            assertTrue(idle.out().matches("(?s).*idle for \\d+ s; stopping.*"), idle.all());
            assertEquals(rows, trials("later"), "an idle worker changes nothing");
        } finally {
            worker.destroyForcibly();
        }
    }

    @Test
    void enqueueOnlyStoresPendingTrialsAndTrainsNothing() throws Exception {
        NinProcess.Result enqueued = nin.run("sweep", sweepFile("queued").toString(), "--enqueue-only");
        assertEquals(0, enqueued.exitCode(), enqueued.all());
        assertTrue(enqueued.out().contains("sweep queued now: 2 pending"), enqueued.all());
        assertEquals(List.of("pending/0/-", "pending/0/-"), trials("queued"));
    }
}
