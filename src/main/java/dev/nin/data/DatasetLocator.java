package dev.nin.data;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds Fashion-MNIST, in order: a folder the user names; the cache under the nin home; Debian's
 * {@code dataset-fashion-mnist} package; a download from the canonical mirror into the cache.
 * Whatever is found is verified by {@link FashionMnist#load} before use.
 */
public final class DatasetLocator {

    /** Where Debian's {@code dataset-fashion-mnist} package installs the files. */
    public static final Path DEBIAN_FOLDER = Path.of("/usr/share/datasets/fashion-mnist");

    /** Zalando's canonical mirror. */
    public static final URI CANONICAL_MIRROR = URI.create("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/");

    private final Path cacheFolder;
    private final Path debianFolder;
    private final URI mirror;

    /**
     * @param cacheFolder the nin home's data cache, e.g. {@code ~/.nin/data}
     * @param debianFolder Debian's package folder (a parameter so tests can point elsewhere)
     * @param mirror base URI to download from, or null to never download
     */
    public DatasetLocator(Path cacheFolder, Path debianFolder, URI mirror) {
        this.cacheFolder = cacheFolder;
        this.debianFolder = debianFolder;
        this.mirror = mirror;
    }

    /**
     * The folder to load from.
     *
     * @param userFolder a folder the user named, or empty
     * @param progress receives one line per step worth telling (download progress)
     */
    public Path locate(Optional<Path> userFolder, java.util.function.Consumer<String> progress) {
        if (userFolder.isPresent()) {
            Path folder = userFolder.get();
            if (!FashionMnist.present(folder)) {
                throw new DataException("--data " + folder + ": expected the four Fashion-MNIST files ("
                        + String.join(", ", names()) + ", gzipped or not), found " + listing(folder));
            }
            return folder;
        }
        if (FashionMnist.present(cacheFolder)) {
            return cacheFolder;
        }
        if (FashionMnist.present(debianFolder)) {
            return debianFolder;
        }
        if (mirror == null) {
            throw notFound("downloads are off");
        }
        return download(progress);
    }

    private Path download(java.util.function.Consumer<String> progress) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        try {
            Files.createDirectories(cacheFolder);
            for (FashionMnist.File file : FashionMnist.File.values()) {
                Path target = cacheFolder.resolve(file.gzName());
                if (Files.exists(target)) {
                    continue;
                }
                URI uri = mirror.resolve(file.gzName());
                progress.accept("downloading " + uri);
                HttpResponse<InputStream> response = http.send(
                        HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5)).build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                if (response.statusCode() != 200) {
                    response.body().close();
                    throw notFound(uri + " answered HTTP " + response.statusCode());
                }
                // Write beside the target and move when whole and verified: never a half file in the cache.
                Path partial = cacheFolder.resolve(file.baseName + ".part" + ProcessHandle.current().pid() + ".gz");
                try (InputStream body = response.body()) {
                    Files.copy(body, partial, StandardCopyOption.REPLACE_EXISTING);
                    if (file.baseName.contains("images")) {
                        IdxReader.readImages(partial, file.sha256);
                    } else {
                        IdxReader.readLabels(partial, file.sha256);
                    }
                    Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
                } finally {
                    Files.deleteIfExists(partial);
                }
            }
            return cacheFolder;
        } catch (IOException e) {
            throw notFound("the download from " + mirror + " failed (" + e + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw notFound("the download was interrupted");
        }
    }

    private DataException notFound(String why) {
        return new DataException("Fashion-MNIST not found in " + cacheFolder + " or " + debianFolder + ", and " + why
                + ". Fix: install Debian's package (sudo apt-get install dataset-fashion-mnist), or put the four files ("
                + String.join(", ", names()) + ") in a folder and pass --data FOLDER.");
    }

    private static List<String> names() {
        List<String> names = new ArrayList<>();
        for (FashionMnist.File f : FashionMnist.File.values()) {
            names.add(f.gzName());
        }
        return names;
    }

    private static String listing(Path folder) {
        if (!Files.isDirectory(folder)) {
            return "no such folder";
        }
        try (var files = Files.list(folder)) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
            return names.isEmpty() ? "an empty folder" : String.join(", ", names);
        } catch (IOException e) {
            return "an unreadable folder (" + e.getMessage() + ")";
        }
    }
}
