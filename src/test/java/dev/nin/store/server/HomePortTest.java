package dev.nin.store.server;

import dev.nin.store.StoreException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each nin home keeps its own database port; homes made before that keep the old fixed one. */
class HomePortTest {

    @TempDir
    Path dir;

    @Test
    void aNewHomeTakesAFreePortAndKeepsIt() throws Exception {
        int port = HomePort.of(dir.resolve("a"));
        assertTrue(port >= 1024 && port <= 65535, "port " + port);
        assertEquals(port + "\n", Files.readString(dir.resolve("a/postgres/port")));
        assertEquals(port, HomePort.of(dir.resolve("a")), "asked again, the same port");
        // The port was free: nothing listens on it.
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertEquals(port, s.getLocalPort());
        }
    }

    @Test
    void twoHomesGetTwoPorts() {
        int a = HomePort.of(dir.resolve("a"));
        try (ServerSocket held = new ServerSocket(a, 1, InetAddress.getLoopbackAddress())) {
            // Home a's server holds its port; home b must not be handed it.
            assertNotEquals(a, HomePort.of(dir.resolve("b")));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aHomeWhoseServerRanBeforeKeepsTheOldFixedPort() throws Exception {
        Files.createDirectories(dir.resolve("old/postgres/data"));
        Files.writeString(dir.resolve("old/postgres/data/PG_VERSION"), "14\n");
        assertEquals(HomePort.LEGACY_PORT, HomePort.of(dir.resolve("old")));
        assertEquals("54329\n", Files.readString(dir.resolve("old/postgres/port")));
    }

    @Test
    void aDamagedPortFileIsRefusedWithWhatToDo() throws Exception {
        Files.createDirectories(dir.resolve("bad/postgres"));
        Files.writeString(dir.resolve("bad/postgres/port"), "80\n");
        StoreException e = assertThrows(StoreException.class, () -> HomePort.of(dir.resolve("bad")));
        assertTrue(e.getMessage().contains("bad/postgres/port: expected a port number from 1024 to 65535, found '80' (a damaged nin home); delete the file"),
                e.getMessage());
    }

    @Test
    void theStoreRefusesADamagedPortFileInsteadOfFallingBackToTheOldPort() throws Exception {
        // What the configuration hands the store when it could not read the file: the legacy port.
        Path home = dir.resolve("damaged");
        Files.createDirectories(home.resolve("postgres"));
        Files.writeString(home.resolve("postgres/port"), "not a port\n");
        DatabaseLogins logins = new DatabaseLogins(java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty(),
                java.util.Optional.empty(), java.util.Optional.empty(), home, Integer.toString(HomePort.LEGACY_PORT), "true");
        StoreException e = assertThrows(StoreException.class, logins::embedded);
        assertTrue(e.getMessage().contains(home.resolve("postgres/port").toString()) && e.getMessage().contains("found 'not a port'"),
                e.getMessage());
    }
}
