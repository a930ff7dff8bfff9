package dev.nin.store.server;

import dev.nin.store.StoreException;
import dev.nin.config.UsageException;
import io.quarkus.credentials.CredentialsProvider;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.nin.io.Redaction;

/**
 * Where the experiment store is and who nin logs in as: the owner role for everything it records
 * (handed to the connection pool as its credentials provider, asked at each new connection, so
 * the embedded server's generated password is read after the home exists), and the read-only role
 * of {@code ./nin sql}. Settings are checked when first used, each with one line that names the
 * variable and what to set. NIN_DB_EMBEDDED=false (set by nin's container image) forbids the embedded
 * server: without NIN_DB_URL, nin then says what to set instead of starting a store nobody would keep.
 */
@ApplicationScoped
@Named(DatabaseLogins.PROVIDER)
public class DatabaseLogins implements CredentialsProvider {

    /** The name {@code quarkus.datasource.credentials-provider-name} refers to. */
    public static final String PROVIDER = "nin-store";

    /** A user name and its password; the password never shows in {@link #toString()}. */
    public record Login(String user, String password) {
        @Override
        public String toString() {
            return user + " (password " + Redaction.MASK + ")";
        }
    }

    private final Optional<String> externalUrl;
    private final Optional<String> user;
    private final Optional<String> password;
    private final Optional<String> readerUser;
    private final Optional<String> readerPassword;
    private final Path home;
    private final String embeddedPort;
    private final String embeddedAllowed;
    private EmbeddedPostgresServer embedded;

    public DatabaseLogins(@ConfigProperty(name = "nin.db.url") Optional<String> externalUrl,
            @ConfigProperty(name = "nin.db.user") Optional<String> user,
            @ConfigProperty(name = "nin.db.password") Optional<String> password,
            @ConfigProperty(name = "nin.db.reader-user") Optional<String> readerUser,
            @ConfigProperty(name = "nin.db.reader-password") Optional<String> readerPassword,
            @ConfigProperty(name = "nin.home") Path home,
            @ConfigProperty(name = "nin.db.embedded-port") String embeddedPort,
            // NIN_DB_EMBEDDED reaches it by the usual mapping of environment variables to properties.
            @ConfigProperty(name = "nin.db.embedded", defaultValue = "true") String embeddedAllowed) {
        this.externalUrl = externalUrl.map(String::strip).filter(url -> !url.isEmpty());
        this.user = user.map(String::strip).filter(u -> !u.isEmpty());
        this.password = password.filter(p -> !p.isEmpty());
        this.readerUser = readerUser.map(String::strip).filter(u -> !u.isEmpty());
        this.readerPassword = readerPassword.filter(p -> !p.isEmpty());
        this.home = home;
        this.embeddedPort = embeddedPort.strip();
        this.embeddedAllowed = embeddedAllowed.strip();
    }

    public boolean isEmbedded() {
        return externalUrl.isEmpty();
    }

    /** The embedded server of the nin home; its port is checked here, and that it is allowed at all. */
    public synchronized EmbeddedPostgresServer embedded() {
        if (!embeddedAllowed(embeddedAllowed)) {
            throw new UsageException("NIN_DB_URL: not set, and NIN_DB_EMBEDDED=false rules out the embedded "
                    + "PostgreSQL; set NIN_DB_URL (jdbc:postgresql://HOST:PORT/DATABASE), NIN_DB_USER and NIN_DB_PASSWORD "
                    + "(nin's owner role on that server)");
        }
        if (embedded == null) {
            if (embeddedPort.equals(Integer.toString(HomePort.LEGACY_PORT))) {
                // The configuration falls back to the legacy port when the home's port file cannot be read
                // (Quarkus reads it before any command can report anything): read it again here, so a
                // damaged or unwritable file is refused in words, naming it, not silently replaced.
                HomePort.of(home);
            }
            embedded = new EmbeddedPostgresServer(home, port(embeddedPort));
        }
        return embedded;
    }

    static int port(String text) {
        int port;
        try {
            port = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1024 || port > 65535) {
            throw new UsageException("NIN_DB_EMBEDDED_PORT: expected a port number from 1024 to 65535, found '"
                    + text + "'");
        }
        return port;
    }

    /** NIN_DB_EMBEDDED, checked: true (the default) or false. */
    static boolean embeddedAllowed(String text) {
        if (text.equalsIgnoreCase("true")) {
            return true;
        }
        if (text.equalsIgnoreCase("false")) {
            return false;
        }
        throw new UsageException("NIN_DB_EMBEDDED: expected true or false, found '" + text + "'");
    }

    /** The JDBC URL nin connects to, checked: a PostgreSQL URL with a host and a database. */
    public String jdbcUrl() {
        // A typo in NIN_DB_EMBEDDED is reported even when NIN_DB_URL makes it moot: it would bite later.
        embeddedAllowed(embeddedAllowed);
        if (isEmbedded()) {
            return embedded().jdbcUrl();
        }
        database();
        return externalUrl.get();
    }

    /** The database named by NIN_DB_URL (or the embedded one). */
    public String database() {
        if (isEmbedded()) {
            return EmbeddedPostgresServer.DATABASE;
        }
        String url = externalUrl.get();
        String expected = "NIN_DB_URL: expected jdbc:postgresql://HOST[:PORT]/DATABASE, found '" + redact(url) + "'";
        if (!url.startsWith("jdbc:postgresql://")) {
            throw new UsageException(expected + (url.startsWith("jdbc:") ? " (nin stores its records in "
                    + "PostgreSQL only)" : ""));
        }
        URI uri;
        try {
            uri = URI.create(url.substring("jdbc:".length()));
        } catch (IllegalArgumentException e) {
            throw new UsageException(expected);
        }
        String database = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        if (uri.getHost() == null || database.isEmpty() || database.contains("/")) {
            throw new UsageException(expected);
        }
        if (uri.getUserInfo() != null) {
            throw new UsageException("NIN_DB_URL: a user name or password in the URL is not supported ('"
                    + redact(url) + "'); set NIN_DB_USER and NIN_DB_PASSWORD instead");
        }
        return database;
    }

    /** The roles nin expects on its server. */
    public DatabaseRoles roles() {
        if (isEmbedded()) {
            return EmbeddedPostgresServer.ROLES;
        }
        String database = database();
        return new DatabaseRoles(database, owner().user(), readerUser.orElse(DatabaseRoles.defaultReader(database)));
    }

    /** The owner role nin records with. */
    public Login owner() {
        if (isEmbedded()) {
            return new Login(EmbeddedPostgresServer.OWNER, embedded().credentials().owner());
        }
        String name = user.orElseThrow(() -> new UsageException("NIN_DB_USER: not set; nin logs in to "
                + redact(externalUrl.get()) + " as its own owner role (never a superuser): set NIN_DB_USER and "
                + "NIN_DB_PASSWORD (./nin db setup-sql prints what an administrator runs to create it)"));
        return new Login(name, password.orElse(""));
    }

    /** The read-only role of {@code ./nin sql}. */
    public Login reader() {
        if (isEmbedded()) {
            return new Login(EmbeddedPostgresServer.READER, embedded().credentials().reader());
        }
        String name = roles().reader();
        if (readerPassword.isEmpty()) {
            throw new StoreException("./nin sql logs in to " + redact(externalUrl.get()) + " as a read-only role, and "
                    + "NIN_DB_READER_PASSWORD is not set: set NIN_DB_READER_USER (default " + name + ") and "
                    + "NIN_DB_READER_PASSWORD; ./nin db setup-sql prints what an administrator runs to create the role");
        }
        return new Login(name, readerPassword.get());
    }

    /** Every password nin knows, for {@link Redaction}. */
    public List<String> secrets() {
        List<String> secrets = new ArrayList<>();
        password.ifPresent(secrets::add);
        readerPassword.ifPresent(secrets::add);
        if (isEmbedded()) {
            try {
                if (embedded().hasCredentials()) {
                    secrets.addAll(embedded().credentials().secrets());
                }
            } catch (RuntimeException e) {
                // A bad port or an unreadable file: there is nothing more to hide.
            }
        }
        return secrets;
    }

    /** {@code text} with every secret nin knows hidden. */
    public String redact(String text) {
        return Redaction.redact(text, secrets());
    }

    /** The owner's user and password, for the connection pool. */
    @Override
    public Map<String, String> getCredentials(String credentialsProviderName) {
        Login owner = owner();
        return Map.of(USER_PROPERTY_NAME, owner.user(), PASSWORD_PROPERTY_NAME, owner.password());
    }
}
