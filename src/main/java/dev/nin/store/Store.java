package dev.nin.store;

import dev.nin.store.server.DatabaseRoles;
import dev.nin.store.server.DatabaseLogins;
import dev.nin.store.server.EmbeddedCredentials;
import dev.nin.store.server.EmbeddedPostgresServer;
import io.agroal.api.AgroalDataSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

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

    /** How often a migration the server rolled back (a deadlock with another session) is tried in all. */
    static final int MIGRATION_ATTEMPTS = 5;

    /** The pause before the n-th retry of a rolled-back migration is n times this. */
    static final long MIGRATION_RETRY_PAUSE_MILLIS = 500;

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(Store.class);

    private final AgroalDataSource dataSource;
    private final Flyway flyway;
    private final DatabaseLogins logins;
    private boolean open;

    @Inject
    public Store(AgroalDataSource dataSource, Flyway flyway, DatabaseLogins logins) {
        this.dataSource = dataSource;
        this.flyway = flyway;
        this.logins = logins;
    }

    public boolean isEmbedded() {
        return logins.isEmbedded();
    }

    public EmbeddedPostgresServer embeddedServer() {
        return logins.embedded();
    }

    public String jdbcUrl() {
        return logins.jdbcUrl();
    }

    /** The owner role nin records with. */
    public DatabaseLogins.Login owner() {
        return logins.owner();
    }

    /** The read-only role of {@code ./nin sql}. */
    public DatabaseLogins.Login reader() {
        return logins.reader();
    }

    /** The roles and grants nin needs on its server ({@code ./nin db setup-sql}). */
    public DatabaseRoles roles() {
        return logins.roles();
    }

    /** The JDBC URL with any secret in it replaced by ***. */
    public String redactedUrl() {
        return logins.redact(jdbcUrl());
    }

    /** {@code text} with every secret nin knows hidden: for messages that quote a URL or a driver. */
    public String redact(String text) {
        return logins.redact(text);
    }

    /** Connects, migrates and tidies up; idempotent. */
    public synchronized void open() {
        if (open) {
            return;
        }
        // Settings first: a bad URL or port is the user's to fix (exit 2), not an unreachable server.
        logins.jdbcUrl();
        if (isEmbedded()) {
            logins.embedded().ensureRunning();
        }
        DatabaseLogins.Login owner = logins.owner();
        try (Connection c = dataSource.getConnection()) {
            c.isValid(5);
            refuseSuperuser(c, owner);
        } catch (SQLException e) {
            throw unreachable(e, owner);
        } catch (StoreException e) {
            throw e;
        } catch (RuntimeException e) {
            throw unreachable(e, owner);
        }
        migrate();
        grantReader();
        markAbandonedTrials();
        open = true;
    }

    /** nin never records as a role that could change the server or its files. */
    private void refuseSuperuser(Connection c, DatabaseLogins.Login owner) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user")) {
            if (r.next() && (r.getBoolean(1) || r.getBoolean(2))) {
                throw new StoreException("nin will not record as " + owner.user() + " at " + redactedUrl() + ": it is a "
                        + (r.getBoolean(1) ? "superuser" : "role with CREATEROLE")
                        + ", which could change the server itself. Set NIN_DB_USER to an ordinary owner role; "
                        + "./nin db setup-sql prints what an administrator runs to create one. Nothing was written.");
            }
        }
    }

    /** The reader may SELECT what the migrations made; default privileges cover what later ones make. */
    private void grantReader() {
        DatabaseRoles roles = logins.roles();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery("SELECT 1 FROM pg_roles WHERE rolname = '" + roles.reader() + "'")) {
                if (!r.next()) {
                    return;
                }
            }
            for (String statement : roles.ownerGrants()) {
                s.execute(statement);
            }
        } catch (SQLException e) {
            throw new StoreException("could not grant " + roles.reader() + " read access at " + redactedUrl() + ": "
                    + redact(e.getMessage()), e);
        }
    }

    /**
     * A connection as the read-only role, in a read-only transaction that is never committed.
     * What it may do is decided by the server's grants ({@link DatabaseRoles}).
     */
    public Connection readOnlyConnection() {
        open();
        DatabaseLogins.Login reader = logins.reader();
        try {
            Connection c = java.sql.DriverManager.getConnection(jdbcUrl(), reader.user(), reader.password());
            c.setReadOnly(true);
            c.setAutoCommit(false);
            return c;
        } catch (SQLException e) {
            throw unreachable(e, reader);
        }
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
        for (int attempt = 1;; attempt++) {
            try {
                flyway.migrate();
                return;
            } catch (RuntimeException e) {
                java.util.Optional<SQLException> rolledBack = SqlFailures.rolledBack(e);
                if (rolledBack.isPresent() && attempt < MIGRATION_ATTEMPTS) {
                    // Each migration is one transaction the server has undone: trying again is safe,
                    // and the other session has usually finished by then.
                    LOG.warnf("migrating the database at %s met another session's transaction (%s, SQLSTATE %s) and was"
                            + " rolled back; trying again (attempt %d of %d)", redactedUrl(),
                            redact(SqlFailures.firstLine(rolledBack.get().getMessage())), rolledBack.get().getSQLState(), attempt + 1,
                            MIGRATION_ATTEMPTS);
                    pause(MIGRATION_RETRY_PAUSE_MILLIS * attempt);
                    continue;
                }
                throw new StoreException("migrating the database at " + redactedUrl() + " failed: " + redact(SqlFailures.summary(e))
                        + (rolledBack.isPresent() ? ". It was rolled back " + MIGRATION_ATTEMPTS + " times in a row for other"
                                + " sessions' transactions; run the command again when they are done"
                                : ". If a migration file was edited after it was applied, restore it; released migrations never change."),
                        e);
            }
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting to migrate the database again", e);
        }
    }

    /**
     * Marks running trials whose process is gone as interrupted: on this host when the recorded
     * process no longer exists, anywhere when the heartbeat is older than {@link #LEASE_SECONDS}.
     *
     * @return how many were marked
     */
    public int markAbandonedTrials() {
        try (Connection c = dataSource.getConnection()) {
            return markAbandonedTrials(c);
        } catch (SQLException e) {
            throw new StoreException("could not check for interrupted trials at " + redactedUrl() + ": " + e.getMessage(), e);
        }
    }

    /** As {@link #markAbandonedTrials()}, on the caller's connection (as a claim on it does first). */
    public int markAbandonedTrials(Connection c) {
        String host = Workers.host();
        List<Long> dead = new ArrayList<>();
        try (PreparedStatement select = c.prepareStatement("SELECT id, worker FROM trials WHERE state = ?")) {
            select.setString(1, TrialState.RUNNING.value);
            try (ResultSet r = select.executeQuery()) {
                while (r.next()) {
                    if (Workers.isDeadOnThisHost(r.getString(2), host)) {
                        dead.add(r.getLong(1));
                    }
                }
            }
            try (PreparedStatement update = c.prepareStatement("""
                    UPDATE trials SET state = ?, ended_at = now(),
                           error = coalesce(error, 'its process (' || coalesce(worker, '?') || ') ended before the trial did')
                    WHERE state = ? AND (id = ANY (?) OR heartbeat_at < now() - make_interval(secs => ?))""")) {
                update.setString(1, TrialState.INTERRUPTED.value);
                update.setString(2, TrialState.RUNNING.value);
                update.setArray(3, c.createArrayOf("bigint", dead.toArray()));
                update.setInt(4, LEASE_SECONDS);
                return update.executeUpdate();
            }
        } catch (SQLException e) {
            throw new StoreException("could not check for interrupted trials at " + redactedUrl() + ": " + e.getMessage(), e);
        }
    }

    /** A plain connection as the owner role, for statements of {@code store/}; the caller closes it. */
    public Connection connection() {
        open();
        try {
            return dataSource.getConnection();
        } catch (SQLException e) {
            throw unreachable(e, logins.owner());
        }
    }

    private StoreException unreachable(Exception e, DatabaseLogins.Login login) {
        SQLException sql = null;
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof SQLException found) {
                sql = found;
                break;
            }
        }
        String state = sql == null ? null : sql.getSQLState();
        String cause = redact(dev.nin.io.Redaction.messageChain(e, logins.secrets()));
        String why;
        if ("28P01".equals(state) || "28000".equals(state)) {
            why = "the server refused the login (" + cause + "); check " + (isEmbedded()
                    ? "that " + logins.embedded().dataDirectory().getParent().resolve(EmbeddedCredentials.FILE)
                            + " is this home's, unchanged"
                    : (login.user().equals(logins.roles().reader()) ? "NIN_DB_READER_USER and NIN_DB_READER_PASSWORD"
                            : "NIN_DB_USER and NIN_DB_PASSWORD")) + ".";
        } else if ("08004".equals(state)) {
            why = "the server refused the login: it asks for a password and none was given (" + cause + "); set "
                    + (login.user().equals(logins.roles().reader()) ? "NIN_DB_READER_PASSWORD." : "NIN_DB_PASSWORD.");
        } else if ("3D000".equals(state)) {
            why = "the database does not exist; create it (./nin db setup-sql) or fix the name in NIN_DB_URL.";
        } else {
            why = "the server cannot be reached (" + cause + "); is it running, and are host and port in NIN_DB_URL right?"
                    + (isEmbedded() ? " The embedded server's log is " + logins.embedded().logFile() + "." : "");
        }
        return new StoreException("cannot use the database at " + redactedUrl() + " as " + login.user() + ": " + why
                + " Nothing was written.", e);
    }
}
