package dev.nin.store;

import io.agroal.api.AgroalDataSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;

/**
 * The experiment store: PostgreSQL, embedded under the nin home unless NIN_DB_URL names another.
 * {@link #open()} starts or joins the embedded server, checks the connection, applies Flyway's
 * migrations and marks trials whose process died as interrupted. Commands that never touch the
 * store never start a database.
 */
@ApplicationScoped
public class Store {

    /** A running trial whose heartbeat is older than this is considered abandoned. */
    public static final int LEASE_SECONDS = 120;

    private final AgroalDataSource dataSource;
    private final Flyway flyway;
    private final Optional<String> externalUrl;
    private final String jdbcUrl;
    private final String user;
    private final Optional<String> password;
    private final EmbeddedPostgresServer embedded;
    private boolean open;

    @Inject
    public Store(AgroalDataSource dataSource, Flyway flyway, @ConfigProperty(name = "nin.db.url") Optional<String> externalUrl,
            @ConfigProperty(name = "quarkus.datasource.jdbc.url") String jdbcUrl,
            @ConfigProperty(name = "quarkus.datasource.username") String user,
            @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password,
            @ConfigProperty(name = "nin.home") Path home, @ConfigProperty(name = "nin.db.embedded-port") int embeddedPort) {
        this.dataSource = dataSource;
        this.flyway = flyway;
        this.externalUrl = externalUrl.filter(url -> !url.isBlank());
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password.filter(p -> !p.isEmpty());
        this.embedded = new EmbeddedPostgresServer(home, embeddedPort);
    }

    public boolean isEmbedded() {
        return externalUrl.isEmpty();
    }

    public EmbeddedPostgresServer embeddedServer() {
        return embedded;
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    public String user() {
        return user;
    }

    public Optional<String> password() {
        return password;
    }

    /** The JDBC URL with any password in it replaced by ***. */
    public String redactedUrl() {
        return redact(jdbcUrl);
    }

    static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***").replaceAll("//([^:/@]+):([^@/]+)@", "//$1:***@");
    }

    /** Connects, migrates and tidies up; idempotent. */
    public synchronized void open() {
        if (open) {
            return;
        }
        if (isEmbedded()) {
            embedded.ensureRunning();
        }
        try (Connection c = dataSource.getConnection()) {
            c.isValid(5);
        } catch (SQLException e) {
            throw unreachable(e);
        } catch (RuntimeException e) {
            throw unreachable(e);
        }
        migrate();
        markAbandonedTrials();
        open = true;
    }

    private void migrate() {
        MigrationInfo[] known = flyway.info().all();
        List<String> future = new ArrayList<>();
        for (MigrationInfo info : known) {
            if (info.getState() == MigrationState.FUTURE_SUCCESS || info.getState() == MigrationState.FUTURE_FAILED) {
                future.add(info.getVersion() + " (" + info.getDescription() + ")");
            }
        }
        if (!future.isEmpty()) {
            throw new StoreException("the database at " + redactedUrl() + " has schema migrations this nin does not know: "
                    + String.join(", ", future) + ". It was written by a newer nin; upgrade nin (git pull) to use it. "
                    + "Nothing was written.");
        }
        try {
            flyway.migrate();
        } catch (RuntimeException e) {
            throw new StoreException("migrating the database at " + redactedUrl() + " failed: " + e.getMessage()
                    + ". If a migration file was edited after it was applied, restore it; released migrations never change.", e);
        }
    }

    /**
     * Marks running trials whose process is gone as interrupted: on this host when the recorded
     * process no longer exists, anywhere when the heartbeat is older than {@link #LEASE_SECONDS}.
     *
     * @return how many were marked
     */
    public int markAbandonedTrials() {
        String host = Workers.host();
        List<Long> dead = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement select = c.prepareStatement("SELECT id, worker FROM trials WHERE state = 'running'")) {
            try (ResultSet r = select.executeQuery()) {
                while (r.next()) {
                    if (Workers.isDeadOnThisHost(r.getString(2), host)) {
                        dead.add(r.getLong(1));
                    }
                }
            }
            try (PreparedStatement update = c.prepareStatement("""
                    UPDATE trials SET state = 'interrupted', ended_at = now(),
                           error = coalesce(error, 'its process (' || coalesce(worker, '?') || ') ended before the trial did')
                    WHERE state = 'running' AND (id = ANY (?) OR heartbeat_at < now() - make_interval(secs => ?))""")) {
                update.setArray(1, c.createArrayOf("bigint", dead.toArray()));
                update.setInt(2, LEASE_SECONDS);
                return update.executeUpdate();
            }
        } catch (SQLException e) {
            throw new StoreException("could not check for interrupted trials at " + redactedUrl() + ": " + e.getMessage(), e);
        }
    }

    /** A plain connection for ad-hoc SQL; the caller closes it. */
    public Connection connection() {
        open();
        try {
            return dataSource.getConnection();
        } catch (SQLException e) {
            throw unreachable(e);
        }
    }

    private StoreException unreachable(Exception e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String state = e instanceof SQLException sql ? sql.getSQLState() : null;
        String why;
        if ("28P01".equals(state) || "28000".equals(state)) {
            why = "the user name or password was refused; check NIN_DB_USER and NIN_DB_PASSWORD";
        } else if ("3D000".equals(state)) {
            why = "the database does not exist; create it (CREATE DATABASE ...) or fix the name in NIN_DB_URL";
        } else {
            why = "the server cannot be reached (" + root.getMessage() + "); is it running, and are host and port in NIN_DB_URL right?"
                    + (isEmbedded() ? " The embedded server's log is " + embedded.logFile() + "." : "");
        }
        return new StoreException("cannot use the database at " + redactedUrl() + " as " + user + ": " + why
                + " Nothing was written.", e);
    }

}
