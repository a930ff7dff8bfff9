package dev.nin.stack;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The stack's postgres service without Docker: a server from Debian's package binaries in a
 * temporary folder, initialised as the postgres image's entrypoint does (initdb with POSTGRES_USER
 * and POSTGRES_PASSWORD, a password rule for every host, POSTGRES_DB created, then every
 * /docker-entrypoint-initdb.d file of the compose volumes in name order, .sql by psql, .sh run with
 * the service's environment), then started on 127.0.0.1 and a free port.
 */
final class DebianPostgres implements AutoCloseable {

    final int port;
    final Path dir;
    private final Path bin;
    private final boolean asPostgresUser;

    private DebianPostgres(Path dir, Path bin, int port) {
        this.dir = dir;
        this.bin = bin;
        this.port = port;
        // initdb and postgres refuse to run as root; Debian's package made the postgres user.
        this.asPostgresUser = "root".equals(System.getProperty("user.name"));
    }

    /** The newest server of Debian's postgresql package, or a failure that says how to get one. */
    static Path binaries() throws IOException {
        Path root = Path.of("/usr/lib/postgresql");
        try (Stream<Path> versions = Files.isDirectory(root) ? Files.list(root) : Stream.empty()) {
            return versions.filter(v -> Files.isExecutable(v.resolve("bin/initdb")))
                    .max(Comparator.comparingInt(v -> Integer.parseInt(v.getFileName().toString().replaceAll("\\D", "0"))))
                    .map(v -> v.resolve("bin"))
                    .orElseThrow(() -> new AssertionError("expected PostgreSQL's server in /usr/lib/postgresql/*/bin, "
                            + "found none: run tools/test-setup.sh, or apt-get install postgresql"));
        }
    }

    static DebianPostgres start(StackFiles stack, Substitutions subs) throws Exception {
        Path dir = Files.createTempDirectory("nin-stack-postgres");
        DebianPostgres server = new DebianPostgres(dir, binaries(), freePort());
        server.initialise(stack, subs);
        return server;
    }

    private void initialise(StackFiles stack, Substitutions subs) throws Exception {
        Map<String, String> env = stack.environment("postgres");
        String user = env.get("POSTGRES_USER");
        String database = env.get("POSTGRES_DB");
        Path data = dir.resolve("data");
        Path socket = dir.resolve("socket");
        Files.createDirectories(socket);
        Path passwordFile = dir.resolve("pwfile");
        Files.writeString(passwordFile, env.get("POSTGRES_PASSWORD") + "\n");
        if (asPostgresUser) {
            UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : all.toList()) {
                    Files.setOwner(p, postgres);
                }
            }
        }
        subs.note("postgres", "/var/lib/postgresql/data", data.toString(), "the data volume is a temporary folder");
        subs.note("postgres", "/var/run/postgresql", socket.toString(), "the socket folder too");
        // The image's locale (LANG en_US.utf8) may not exist here; the encoding, UTF8, is the same.
        subs.note("postgres", "LANG=en_US.utf8", "LANG=C.UTF-8", "a locale every Debian has; the encoding stays UTF8");
        server("initdb", "--username=" + user, "--pwfile=" + passwordFile, "-D", data.toString());
        Files.delete(passwordFile);
        // As the image: every host must give a password, by the server's password_encryption.
        String auth = server("postgres", "-C", "password_encryption", "-D", data.toString()).strip();
        Path hba = data.resolve("pg_hba.conf");
        List<String> rules = new ArrayList<>();
        for (String line : Files.readAllLines(hba)) {
            // In the stack, nin and MLflow connect from other containers and meet the rule below; here
            // they come from loopback, which initdb's default rules trust, so those rules go.
            boolean loopbackTrust = line.startsWith("host") && line.endsWith("trust")
                    && (line.contains("127.0.0.1/32") || line.contains("::1/128"));
            rules.add(loopbackTrust ? "# (StackIT) " + line : line);
        }
        rules.add("host all all all " + auth);
        Files.write(hba, rules);
        subs.note("postgres", "initdb's 'host ... 127.0.0.1/32 trust' and '::1/128 trust'", "removed",
                "clients of the stack come from other containers, never loopback; here they do");
        // The image's temporary, socket-only server for the init scripts.
        server("pg_ctl", "-D", data.toString(), "-l", dir.resolve("init.log").toString(), "-w", "-o",
                "-c listen_addresses='' -p " + port + " -c unix_socket_directories='" + socket + "'", "start");
        Map<String, String> psqlEnv = new LinkedHashMap<>(env);
        psqlEnv.put("PGPASSWORD", env.get("POSTGRES_PASSWORD"));
        psqlEnv.put("PGHOST", socket.toString());
        psqlEnv.put("PGPORT", Integer.toString(port));
        subs.note("postgres init", "PGHOST unset, PGPORT unset", "PGHOST=" + socket + " PGPORT=" + port,
                "the socket is in the temporary folder, on the free port");
        String exists = psql(psqlEnv, "postgres", "-tA", "-c", "SELECT 1 FROM pg_database WHERE datname = '" + database + "'");
        if (exists.isBlank()) {
            psql(psqlEnv, "postgres", "-c", "CREATE DATABASE \"" + database + "\"");
        }
        Map<String, String> volumes = stack.volumes("postgres");
        Map<String, Path> initFiles = new TreeMap<>();
        volumes.forEach((target, source) -> {
            if (target.startsWith("/docker-entrypoint-initdb.d/")) {
                initFiles.put(target.substring(target.lastIndexOf('/') + 1), Path.of(source));
            }
        });
        for (Map.Entry<String, Path> init : initFiles.entrySet()) {
            if (init.getKey().endsWith(".sql")) {
                psql(psqlEnv, database, "-f", init.getValue().toString());
            } else if (init.getKey().endsWith(".sh")) {
                runScript(init.getValue(), volumes, psqlEnv, subs);
            } else {
                throw new AssertionError("postgres init: expected .sql or .sh, found " + init.getKey());
            }
        }
        server("pg_ctl", "-D", data.toString(), "-m", "fast", "-w", "stop");
        // The image listens on every address of its container; here, loopback only.
        subs.note("postgres", "listen_addresses='*' port 5432", "listen_addresses=127.0.0.1 port " + port,
                "loopback and a free port");
        server("pg_ctl", "-D", data.toString(), "-l", dir.resolve("server.log").toString(), "-w", "-o",
                "-c listen_addresses=127.0.0.1 -p " + port + " -c unix_socket_directories='" + socket + "'", "start");
    }

    /** An init .sh, with the compose file's other mounts (container path) pointed at the checkout's files. */
    private void runScript(Path script, Map<String, String> volumes, Map<String, String> env, Substitutions subs) throws Exception {
        if (!Files.isExecutable(script)) {
            throw new AssertionError(script + ": expected an executable init script (the image sources others)");
        }
        String text = Files.readString(script);
        for (Map.Entry<String, String> volume : volumes.entrySet()) {
            if (text.contains(volume.getKey())) {
                text = subs.apply(script.toString(), text, volume.getKey(), Path.of(volume.getValue()).toAbsolutePath().normalize().toString(),
                        "the file the compose file mounts there");
            }
        }
        Path copy = dir.resolve(script.getFileName());
        Files.writeString(copy, text);
        copy.toFile().setExecutable(true);
        List<String> command = new ArrayList<>(List.of(copy.toString()));
        Map<String, String> withPath = new LinkedHashMap<>(env);
        withPath.put("PATH", bin + ":" + System.getenv("PATH"));
        run(command, withPath);
    }

    private String psql(Map<String, String> env, String database, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(bin.resolve("psql").toString(), "-v", "ON_ERROR_STOP=1", "--username",
                env.get("POSTGRES_USER"), "--no-password", "--no-psqlrc", "--dbname", database));
        command.addAll(List.of(args));
        return run(command, env);
    }

    /** A server program, as the postgres user when this is root. */
    private String server(String program, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        if (asPostgresUser) {
            command.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        command.add(bin.resolve(program).toString());
        command.addAll(List.of(args));
        return run(command, Map.of("LANG", "C.UTF-8", "LC_ALL", "C.UTF-8"));
    }

    private String run(List<String> command, Map<String, String> env) throws Exception {
        Path output = Files.createTempFile("nin-stack-postgres", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + ": did not finish in 2 minutes");
        }
        String text = Files.readString(output);
        Files.delete(output);
        if (process.exitValue() != 0) {
            throw new AssertionError(command.get(asPostgresUser && command.get(0).equals("runuser") ? 4 : 0)
                    + " failed with exit code " + process.exitValue() + ": " + text);
        }
        return text;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        server("pg_ctl", "-D", dir.resolve("data").toString(), "-m", "fast", "-w", "stop");
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
