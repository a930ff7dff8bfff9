package dev.nin.track;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Uploads artifacts through the tracking server's artifact proxy
 * ({@code PUT /api/2.0/mlflow-artifacts/artifacts/<path>}, served by MLflow 2+ by default), so no
 * Python is needed on the client.
 */
final class ArtifactUploader {

    private static final String PROXY = "/api/2.0/mlflow-artifacts/artifacts/";
    private static final String SCHEME = "mlflow-artifacts:/";

    private final URI trackingUri;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    ArtifactUploader(URI trackingUri) {
        this.trackingUri = trackingUri;
    }

    /**
     * @param artifactUri the run's artifact root, e.g. {@code mlflow-artifacts:/1/<run>/artifacts}
     * @param path file name under the root, e.g. {@code curves.png}
     */
    void upload(String artifactUri, String path, byte[] content, String contentType) throws IOException {
        URI target = trackingUri.resolve(PROXY + relative(artifactUri) + "/" + path);
        HttpRequest request = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(60))
                .header("Content-Type", contentType).PUT(HttpRequest.BodyPublishers.ofByteArray(content)).build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IOException("PUT " + target + " answered HTTP " + response.statusCode() + ": " + response.body());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("upload of " + path + " interrupted", e);
        }
    }

    private static String relative(String artifactUri) throws IOException {
        if (!artifactUri.startsWith(SCHEME)) {
            throw new IOException("the run's artifact location is " + artifactUri + ", not the server's artifact proxy; start"
                    + " the MLflow server with artifact serving (the default since MLflow 2; do not pass --no-serve-artifacts)");
        }
        return artifactUri.substring(SCHEME.length()).replaceAll("^/+", "");
    }
}
