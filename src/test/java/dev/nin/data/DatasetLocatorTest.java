package dev.nin.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetLocatorTest {

    @TempDir
    Path dir;

    private void fill(Path folder) throws Exception {
        Files.createDirectories(folder);
        for (FashionMnist.File f : FashionMnist.File.values()) {
            Files.writeString(folder.resolve(f.gzName()), "placeholder");
        }
    }

    @Test
    void prefersTheUserFolderThenTheCacheThenDebian() throws Exception {
        Path user = dir.resolve("user");
        Path cache = dir.resolve("cache");
        Path debian = dir.resolve("debian");
        fill(user);
        fill(cache);
        fill(debian);
        DatasetLocator locator = new DatasetLocator(cache, debian, null);
        assertEquals(user, locator.locate(Optional.of(user), line -> {}));
        assertEquals(cache, locator.locate(Optional.empty(), line -> {}));
        DatasetLocator noCache = new DatasetLocator(dir.resolve("empty"), debian, null);
        assertEquals(debian, noCache.locate(Optional.empty(), line -> {}));
    }

    @Test
    void userFolderWithoutTheFilesSaysWhatIsThere() throws Exception {
        Path user = Files.createDirectories(dir.resolve("user"));
        Files.writeString(user.resolve("readme.txt"), "x");
        DataException error = assertThrows(DataException.class,
                () -> new DatasetLocator(dir.resolve("c"), dir.resolve("d"), null).locate(Optional.of(user), l -> {}));
        assertTrue(error.getMessage().contains("--data " + user), error.getMessage());
        assertTrue(error.getMessage().contains("found readme.txt"), error.getMessage());
    }

    @Test
    void nothingAnywhereTellsHowToInstallIt() {
        DataException error = assertThrows(DataException.class,
                () -> new DatasetLocator(dir.resolve("c"), dir.resolve("d"), null).locate(Optional.empty(), l -> {}));
        assertTrue(error.getMessage().contains("apt-get install dataset-fashion-mnist"), error.getMessage());
    }

    @Test
    void aDownloadThatFailsItsChecksumLeavesNothingInTheCache() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] wrong = Files.readAllBytes(IdxFiles.write(dir.resolve("w.gz"), IdxFiles.images(2, 28, 28)));
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(200, wrong.length);
            exchange.getResponseBody().write(wrong);
            exchange.close();
        });
        server.start();
        try {
            Path cache = dir.resolve("cache");
            URI mirror = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
            List<String> progress = new ArrayList<>();
            DataException error = assertThrows(DataException.class,
                    () -> new DatasetLocator(cache, dir.resolve("d"), mirror).locate(Optional.empty(), progress::add));
            assertTrue(error.getMessage().contains("SHA-256"), error.getMessage());
            assertTrue(progress.get(0).startsWith("downloading " + mirror), progress.toString());
            try (var files = Files.list(cache)) {
                assertFalse(files.findAny().isPresent(), "the cache must hold no partial file");
            }
        } finally {
            server.stop(0);
        }
    }
}
