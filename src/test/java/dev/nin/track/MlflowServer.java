package dev.nin.track;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real MLflow tracking server (Python's {@code mlflow}, installed by .ci/run) on 127.0.0.1 with a
 * SQLite backend and artifact serving, started and stopped by the tests.
 */
public final class MlflowServer implements AutoCloseable {

    private final Path dir;
    private final int port;
    private Process process;

    public MlflowServer(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    public String uri() {
        return "http://127.0.0.1:" + port;
    }

    public MlflowServer start() throws IOException, InterruptedException {
        Files.createDirectories(dir);
        process = new ProcessBuilder("mlflow", "server", "--host", "127.0.0.1", "--port", Integer.toString(port),
                "--backend-store-uri", "sqlite:///" + dir.resolve("mlflow.db").toAbsolutePath(),
                "--artifacts-destination", dir.resolve("artifacts").toAbsolutePath().toString(), "--workers", "1")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server.log").toFile()))
                .start();
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("mlflow server exited: " + Files.readString(dir.resolve("server.log")));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(uri() + "/health"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return this;
                }
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(500);
        }
        throw new IOException("mlflow server did not answer on " + uri() + " within 180 s");
    }

    public void stop() throws InterruptedException {
        if (process != null) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            process = null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
