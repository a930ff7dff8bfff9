package dev.nin.stack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The stack's mlflow service without Docker: its compose command, run from a virtual environment
 * made from the same constraints file as the image (.ci/run makes it), against {@link DebianPostgres}.
 */
final class StackMlflow implements AutoCloseable {

    /** Where .ci/run makes the environment; NIN_STACK_VENV moves it. */
    static final Path VENV = Path.of(System.getenv().getOrDefault("NIN_STACK_VENV", "/opt/nin-stack-venv"));
    static final Path CONSTRAINTS = Path.of("docker/mlflow/constraints.txt");

    final int port;
    final Path dir;
    private final Process process;

    private StackMlflow(int port, Path dir, Process process) {
        this.port = port;
        this.dir = dir;
        this.process = process;
    }

    String uri() {
        return "http://127.0.0.1:" + port;
    }

    /**
     * Fails, saying how to make it, unless the environment holds exactly the constraints file's
     * packages: a stale environment would test another MLflow than the image's.
     */
    static void checkEnvironment() throws Exception {
        String remedy = "run tools/test-setup.sh, or: python3.11 -m venv " + VENV + " && " + VENV + "/bin/pip install -c " + CONSTRAINTS
                + " mlflow psycopg2-binary";
        if (!Files.isExecutable(VENV.resolve("bin/mlflow"))) {
            throw new AssertionError("StackIT runs MLflow from " + VENV + ", and it has no bin/mlflow: " + remedy);
        }
        List<String> expected = pins(Files.readAllLines(CONSTRAINTS));
        Process freeze = new ProcessBuilder(VENV.resolve("bin/python").toString(), "-m", "pip", "freeze").start();
        List<String> found = pins(List.of(new String(freeze.getInputStream().readAllBytes()).split("\n")));
        freeze.waitFor(1, TimeUnit.MINUTES);
        if (!expected.equals(found)) {
            List<String> missing = new ArrayList<>(expected);
            missing.removeAll(found);
            List<String> extra = new ArrayList<>(found);
            extra.removeAll(expected);
            throw new AssertionError(VENV + ": expected exactly the packages of " + CONSTRAINTS + ", found " + extra
                    + " instead of " + missing + ": " + remedy);
        }
    }

    private static List<String> pins(List<String> lines) {
        return lines.stream().map(String::strip).filter(l -> l.matches("[A-Za-z0-9_.-]+==\\S+"))
                .map(l -> l.toLowerCase(java.util.Locale.ROOT)).sorted().toList();
    }

    static StackMlflow start(StackFiles stack, DebianPostgres postgres, Substitutions subs) throws Exception {
        checkEnvironment();
        int port = DebianPostgres.freePort();
        Path dir = Files.createTempDirectory("nin-stack-mlflow");
        Map<String, String> volumes = stack.volumes("mlflow");
        String artifactsMount = volumes.entrySet().stream().filter(v -> v.getValue().equals("mlflow-artifacts"))
                .map(Map.Entry::getKey).findFirst().orElseThrow(() -> new AssertionError("mlflow: expected the mlflow-artifacts volume"));
        List<String> command = new ArrayList<>();
        for (String part : stack.command("mlflow")) {
            String arg = part;
            if (arg.equals("mlflow")) {
                arg = subs.apply("mlflow command", arg, "mlflow", VENV.resolve("bin/mlflow").toString(), "the image's environment, made here");
            } else if (arg.startsWith("--host=")) {
                arg = subs.apply("mlflow command", arg, "0.0.0.0", "127.0.0.1", "loopback, not every address of a container");
            } else if (arg.startsWith("--port=")) {
                arg = subs.apply("mlflow command", arg, "5000", Integer.toString(port), "a free port");
            } else if (arg.startsWith("--backend-store-uri=")) {
                arg = subs.apply("mlflow command", arg, "@postgres:5432/", "@127.0.0.1:" + postgres.port + "/",
                        "the postgres service is the Debian server here");
            } else if (arg.startsWith("--artifacts-destination=")) {
                arg = subs.apply("mlflow command", arg, artifactsMount, dir.resolve("artifacts").toString(),
                        "the mlflow-artifacts volume is a temporary folder");
            }
            command.add(arg);
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("server.log").toFile()).start();
        StackMlflow server = new StackMlflow(port, dir, process);
        server.awaitHealthy();
        return server;
    }

    /** As the compose health check: /health answers 200 (within the check's 30 tries of 10 s, here 180 s). */
    private void awaitHealthy() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("the stack's mlflow command exited with " + process.exitValue() + ": " + log());
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(uri() + "/health")).timeout(Duration.ofSeconds(3)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the stack's mlflow command did not answer /health on " + uri() + " in 180 s: " + log());
    }

    /** The end of the server's log, for failures. */
    String log() throws IOException {
        String log = Files.readString(dir.resolve("server.log"));
        return log.length() > 4000 ? "..." + log.substring(log.length() - 4000) : log;
    }

    /** A REST call of MLflow's API, as JSON. */
    com.fasterxml.jackson.databind.JsonNode api(String path, String postBody) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(uri() + "/api/2.0/mlflow/" + path)).timeout(Duration.ofSeconds(30));
        if (postBody != null) {
            request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(postBody));
        }
        HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new AssertionError("MLflow " + path + ": expected 200, found " + response.statusCode() + " " + response.body()
                    + "; server log: " + log());
        }
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body());
    }

    /** Run statuses of an experiment, by run name. */
    Map<String, String> runStatuses(String experiment) throws Exception {
        String id = api("experiments/get-by-name?experiment_name=" + java.net.URLEncoder.encode(experiment, "UTF-8"), null)
                .at("/experiment/experiment_id").asText();
        Map<String, String> statuses = new LinkedHashMap<>();
        api("runs/search", "{\"experiment_ids\": [\"" + id + "\"], \"max_results\": 1000}").path("runs")
                .forEach(run -> statuses.put(run.at("/info/run_name").asText(), run.at("/info/status").asText()));
        return statuses;
    }

    @Override
    public void close() throws Exception {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }
}
