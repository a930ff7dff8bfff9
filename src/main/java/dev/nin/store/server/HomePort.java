package dev.nin.store.server;

import dev.nin.store.StoreException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;

/**
 * The port of a nin home's embedded PostgreSQL, kept in {@code HOME/postgres/port}, so two homes on
 * one machine never reach for the same port. A new home takes a port that is free when it is first
 * asked for; a home whose server ran before this file existed keeps {@link #LEGACY_PORT}, the fixed
 * port of earlier versions. {@code NIN_DB_EMBEDDED_PORT} still overrides it (application.properties:
 * {@code nin.db.embedded-port=${NIN_DB_EMBEDDED_PORT:${nin.db.home-port}}}); {@code ./nin db url}
 * shows the port in use. Quarkus reads it when it starts, so the first command of a new home (any
 * command) records the port.
 */
public final class HomePort {

    /** The embedded server's port before each home had its own. */
    public static final int LEGACY_PORT = 54329;

    /** The property this provides. */
    public static final String PROPERTY = "nin.db.home-port";

    private HomePort() {}

    /**
     * The port recorded for {@code ninHome}, recording one first when there is none: the legacy port
     * for a home that already has a data folder, else a port free now. Two processes that ask at once
     * agree: the file is created once, and the one that finds it made reads it.
     */
    public static int of(Path ninHome) {
        Path file = ninHome.resolve("postgres").resolve("port");
        try {
            if (Files.exists(file)) {
                return read(file);
            }
            Files.createDirectories(file.getParent());
            int port = Files.exists(file.resolveSibling("data").resolve("PG_VERSION")) ? LEGACY_PORT : freePort();
            try {
                Path tmp = Files.createTempFile(file.getParent(), "port", ".tmp");
                Files.writeString(tmp, port + "\n", StandardCharsets.US_ASCII);
                // A link, not a move: it fails when the file exists, so a racing process cannot replace it.
                try {
                    Files.createLink(file, tmp);
                } finally {
                    Files.delete(tmp);
                }
                return port;
            } catch (FileAlreadyExistsException e) {
                return read(file);
            }
        } catch (IOException e) {
            throw new StoreException("the nin home " + ninHome + ": cannot record its database port in " + file + " ("
                    + e.getMessage() + "); set NIN_DB_EMBEDDED_PORT, or NIN_HOME to a folder of your own", e);
        }
    }

    private static int read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        try {
            int port = Integer.parseInt(text);
            if (port >= 1024 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // Refused below.
        }
        throw new StoreException(file + ": expected a port number from 1024 to 65535, found '" + text + "' (a damaged nin"
                + " home); delete the file to choose another port");
    }

    /** A port of 127.0.0.1 nobody listens on now (the kernel's choice among its ephemeral ports). */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /**
     * Offers {@link #PROPERTY}, computed from {@code nin.home} when asked for. With a server by URL, or
     * the embedded one ruled out ({@code NIN_DB_EMBEDDED=false}, as in the container image), it records
     * nothing in the home and answers the legacy port, which nothing then uses.
     */
    public static final class Factory implements ConfigSourceFactory {
        @Override
        public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
            String home = value(context.getValue("nin.home"));
            boolean embedded = blank(value(context.getValue("NIN_DB_URL"))) && blank(value(context.getValue("nin.db.url")))
                    && !"false".equalsIgnoreCase(value(context.getValue("NIN_DB_EMBEDDED")))
                    && !"false".equalsIgnoreCase(value(context.getValue("nin.db.embedded")));
            return java.util.List.of(new PortSource(home, embedded));
        }

        private static String value(ConfigValue v) {
            return v == null ? null : v.getValue();
        }

        /** No URL: empty, or an unexpanded default such as {@code ${NIN_DB_URL:}}. */
        private static boolean blank(String text) {
            return text == null || text.isBlank() || text.startsWith("${");
        }
    }

    /** The one property, its value recorded in the home on first use. */
    private static final class PortSource implements ConfigSource {
        private final String home;
        private final boolean embedded;
        private String port;

        PortSource(String home, boolean embedded) {
            this.home = home;
            this.embedded = embedded;
        }

        @Override
        public Set<String> getPropertyNames() {
            return Set.of(PROPERTY);
        }

        @Override
        public synchronized String getValue(String name) {
            if (!PROPERTY.equals(name) || home == null) {
                return null;
            }
            if (port == null) {
                try {
                    port = Integer.toString(embedded ? of(Path.of(home)) : LEGACY_PORT);
                } catch (RuntimeException e) {
                    // Quarkus reads its configuration at start-up, before any command: a home that cannot
                    // be written is reported in one line when the store starts, as before.
                    port = Integer.toString(LEGACY_PORT);
                }
            }
            return port;
        }

        @Override
        public String getName() {
            return "nin home's database port";
        }

        @Override
        public int getOrdinal() {
            return 50;
        }
    }
}
