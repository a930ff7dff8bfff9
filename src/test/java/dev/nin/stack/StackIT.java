package dev.nin.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The local stack's own definitions, run without Docker: PostgreSQL initialised by the compose
 * file's init scripts, MLflow started by its compose command from the pinned environment, nin
 * pointed at them as README says, and workers started as the compose worker service starts them.
 * Only host names, ports and paths change ({@link Substitutions}, printed at the end). This is the
 * test that would have caught MLflow's start-up crash (postgresql:// meaning psycopg 3).
 */
class StackIT {

    private static final Substitutions SUBS = new Substitutions();
    private static StackFiles stack;
    private static DebianPostgres postgres;
    private static StackMlflow mlflow;
    private static Path work;
    private static Map<String, String> readme;
    private static long started;

    @BeforeAll
    static void startTheStack() throws Exception {
        started = System.nanoTime();
        stack = StackFiles.read();
        work = Files.createTempDirectory("nin-stack-it");
        postgres = DebianPostgres.start(stack, SUBS);
        mlflow = StackMlflow.start(stack, postgres, SUBS);
        readme = readmeEnvironment();
        System.out.printf("StackIT: PostgreSQL %s on port %d, MLflow on port %d, up in %d s%n",
                DebianPostgres.binaries().getParent().getFileName(), postgres.port, mlflow.port,
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
    }

    @AfterAll
    static void stopTheStack() throws Exception {
        SUBS.print("StackIT");
        if (mlflow != null) {
            mlflow.close();
        }
        if (postgres != null) {
            postgres.close();
        }
        System.out.printf("StackIT: %d s in all%n", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
    }

    /** README's exports, pointed at this stack's ports. */
    private static Map<String, String> readmeEnvironment() throws Exception {
        Map<String, String> env = new LinkedHashMap<>(StackFiles.readmeExports());
        for (String name : List.of("NIN_DB_URL", "NIN_DB_USER", "NIN_DB_PASSWORD", "NIN_DB_READER_PASSWORD", "MLFLOW_TRACKING_URI")) {
            assertTrue(env.containsKey(name), "README's local stack section exports " + name);
        }
        String dbPort = stack.resolve("${STACK_DB_PORT:-5432}");
        String mlflowPort = stack.resolve("${STACK_MLFLOW_PORT:-5000}");
        env.put("NIN_DB_URL", SUBS.apply("README", env.get("NIN_DB_URL"), "127.0.0.1:" + dbPort + "/",
                "127.0.0.1:" + postgres.port + "/", "the stack's PostgreSQL is on a free port here"));
        env.put("MLFLOW_TRACKING_URI", SUBS.apply("README", env.get("MLFLOW_TRACKING_URI"), "127.0.0.1:" + mlflowPort,
                "127.0.0.1:" + mlflow.port, "the stack's MLflow is on a free port here"));
        return env;
    }

    /** {@code ./nin ARGS} from the checkout, as README's section runs it, with only README's settings. */
    private static Result launcher(String name, List<String> args) throws Exception {
        Path out = work.resolve(name + ".out");
        List<String> command = new ArrayList<>(List.of("./nin"));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile())
                .redirectError(work.resolve(name + ".err").toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("NIN_") || k.startsWith("MLFLOW_"));
        builder.environment().putAll(readme);
        // The user's ~/.nin would do; a test must not touch it.
        builder.environment().put("NIN_HOME", work.resolve(name + "-home").toString());
        Process process = builder.start();
        assertTrue(process.waitFor(10, TimeUnit.MINUTES), "./nin " + args + " finished in 10 minutes");
        return new Result(process.exitValue(), Files.readString(out), Files.readString(work.resolve(name + ".err")));
    }

    record Result(int exitCode, String out, String err) {}

    private static Path sweep(String name, int trials) throws Exception {
        StringBuilder lrs = new StringBuilder();
        for (int i = 1; i <= trials; i++) {
            lrs.append(i == 1 ? "" : ", ").append(0.01 * i);
        }
        Path file = work.resolve(name + ".yaml");
        Files.writeString(file, """
                name: %s
                base: {variant: no-1x1, resize: 67, epochs: 1, batch: 64, momentum: 0.9}
                data: {train_limit: 256, validation: 64, test_limit: 64}
                axes:
                  lr: [%s]
                """.formatted(name, lrs));
        return file;
    }

    /** nin's database as README's owner login (a password rule applies: see {@link DebianPostgres}). */
    private static Connection owner() throws Exception {
        return DriverManager.getConnection(readme.get("NIN_DB_URL"), readme.get("NIN_DB_USER"), readme.get("NIN_DB_PASSWORD"));
    }

    /** State -> count of a sweep's trials. */
    private static Map<String, Integer> trialStates(String sweep) throws Exception {
        Map<String, Integer> states = new TreeMap<>();
        try (Connection c = owner(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT t.state, count(*) FROM trials t JOIN sweeps w ON w.id = t.sweep_id"
                        + " WHERE w.name = '" + sweep + "' GROUP BY t.state")) {
            while (r.next()) {
                states.put(r.getString(1), r.getInt(2));
            }
        }
        return states;
    }

    private static String gitHead() throws Exception {
        Process git = new ProcessBuilder("git", "rev-parse", "HEAD").start();
        String commit = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, git.waitFor());
        return commit;
    }

    @Test
    void aSweepRunAsReadmeSaysIsRecordedInPostgresqlAndInMlflow() throws Exception {
        Result run = launcher("readme-sweep", List.of("sweep", sweep("stack-readme", 2).toString(), "--skip-estimate"));
        assertEquals(0, run.exitCode(), run.out() + run.err());
        assertEquals(Map.of("completed", 2), trialStates("stack-readme"));
        // MLflow got every run through its PostgreSQL backend: the sweep's and each trial's, finished.
        Map<String, String> runs = mlflow.runStatuses("stack-readme");
        assertEquals(3, runs.size(), runs.toString());
        runs.forEach((name, status) -> assertEquals("FINISHED", status, name));
        // The server was made as the image makes it: nin's database in UTF8, owned by nin's role.
        try (Connection c = owner(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT pg_encoding_to_char(encoding), pg_get_userbyid(datdba) FROM pg_database"
                        + " WHERE datname = current_database()")) {
            assertTrue(r.next());
            assertEquals("UTF8", r.getString(1));
            assertEquals(readme.get("NIN_DB_USER"), r.getString(2));
        }
        for (String secret : List.of(readme.get("NIN_DB_PASSWORD"), stack.environment("postgres").get("POSTGRES_PASSWORD"))) {
            assertFalse((run.out() + run.err()).contains(secret), "a password in nin's output");
        }
    }

    @Test
    void workersStartedAsTheComposeServiceStartsThemRunEachTrialOnce() throws Exception {
        String name = "stack-workers";
        int trials = 4;
        Result enqueue = launcher("enqueue", List.of("sweep", sweep(name, trials).toString(), "--enqueue-only"));
        assertEquals(0, enqueue.exitCode(), enqueue.out() + enqueue.err());
        assertEquals(Map.of("pending", trials), trialStates(name), "--enqueue-only trains nothing");

        // The worker service: its command and environment from the compose file, the image's
        // environment and entrypoint from the Dockerfile, built from this commit.
        String commit = gitHead();
        Map<String, String> compose = new LinkedHashMap<>(stack.environment("worker"));
        compose.put("NIN_DB_URL", SUBS.apply("worker environment", compose.get("NIN_DB_URL"), "//postgres:5432/",
                "//127.0.0.1:" + postgres.port + "/", "the postgres service is the Debian server here"));
        compose.put("MLFLOW_TRACKING_URI", SUBS.apply("worker environment", compose.get("MLFLOW_TRACKING_URI"), "//mlflow:5000",
                "//127.0.0.1:" + mlflow.port, "the mlflow service is on a free port here"));
        List<String> command = new ArrayList<>(stack.command("worker"));
        command.addAll(List.of("--idle-timeout", "5"));
        SUBS.note("worker command", String.join(" ", stack.command("worker")), String.join(" ", command),
                "exit once the sweep is done, so the test ends");
        List<Process> workers = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 1; i <= 3; i++) {
            Path dir = work.resolve("worker-" + i);
            ImageEntrypoint image = new ImageEntrypoint(dir, i == 1 ? SUBS : new Substitutions(), commit, dir.resolve("home/.nin"),
                    Path.of("/usr/share/datasets/fashion-mnist")).env(compose);
            Process worker = image.start(dir.resolve("out.txt"), command);
            workers.add(worker);
            // The entrypoint execs java, so the worker's name is this process's.
            names.add(dev.nin.store.Workers.host() + ":" + worker.pid());
        }
        for (int i = 0; i < workers.size(); i++) {
            Process worker = workers.get(i);
            Path out = work.resolve("worker-" + (i + 1)).resolve("out.txt");
            assertTrue(worker.waitFor(10, TimeUnit.MINUTES), "worker " + (i + 1) + " exits after its idle timeout");
            assertEquals(0, worker.exitValue(), "worker " + (i + 1) + ": " + Files.readString(out)
                    + Files.readString(out.resolveSibling("out.txt.err")));
        }

        assertEquals(Map.of("completed", trials), trialStates(name));
        Map<String, Integer> byWorker = new TreeMap<>();
        try (Connection c = owner(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT t.id, t.worker, t.git_commit, count(a.*), min(a.attempt), max(a.attempt),"
                        + " string_agg(a.ended_as, ','), count(DISTINCT a.worker) FROM trials t JOIN sweeps w ON w.id = t.sweep_id"
                        + " LEFT JOIN trial_attempts a ON a.trial_id = t.id WHERE w.name = '" + name + "'"
                        + " GROUP BY t.id, t.worker, t.git_commit")) {
            int rows = 0;
            while (r.next()) {
                rows++;
                long trial = r.getLong(1);
                assertTrue(names.contains(r.getString(2)), "trial " + trial + " ran on " + r.getString(2) + ", not one of " + names);
                assertEquals(commit, r.getString(3), "trial " + trial + "'s provenance is the image's build argument");
                assertEquals(1, r.getInt(4), "trial " + trial + ": one attempt");
                assertEquals(1, r.getInt(5), "trial " + trial + ": attempt 1");
                assertEquals("completed", r.getString(7), "trial " + trial);
                assertEquals(1, r.getInt(8), "trial " + trial + ": one worker");
                byWorker.merge(r.getString(2), 1, Integer::sum);
            }
            assertEquals(trials, rows);
        }
        System.out.println("StackIT: trials per worker " + byWorker);
        Map<String, String> runs = mlflow.runStatuses(name);
        assertEquals(trials + 1, runs.size(), runs.toString());
        runs.forEach((run, status) -> assertEquals("FINISHED", status, run));
    }

    /** The Host header a client sends decides MLflow's answer (--allowed-hosts): the workers send mlflow:5000. */
    private static String statusLine(String host) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", mlflow.port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /api/2.0/mlflow/experiments/search?max_results=1 HTTP/1.1\r\nHost: " + host
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            return response.substring(0, Math.max(0, response.indexOf("\r\n")));
        }
    }

    @Test
    void mlflowAnswersTheWorkersByServiceNameAndNoStrangers() throws Exception {
        assertTrue(statusLine("mlflow:5000").contains(" 200"), statusLine("mlflow:5000"));
        assertTrue(statusLine("127.0.0.1:" + mlflow.port).contains(" 200"));
        // Proof the check is on: a name the stack does not list is refused.
        assertTrue(statusLine("attacker.example:5000").contains(" 403"), statusLine("attacker.example:5000"));
    }
}
