package dev.nin.store.server;

import dev.nin.config.UsageException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The roles and grants nin needs, written once: the embedded server runs these statements when it
 * sets itself up (and when it converts a home made by an older nin), and {@code ./nin db
 * setup-sql} prints the same statements for an administrator of a server nin may not change.
 *
 * <ul>
 *   <li>The owner role owns nin's database, schema objects and migrations. It is no superuser and
 *       has neither CREATEDB nor CREATEROLE (a CREATEROLE role can grant itself
 *       {@code pg_execute_server_program} in PostgreSQL 14).</li>
 *   <li>The reader role ({@code ./nin sql}) may connect and SELECT, nothing else: no CREATE on the
 *       schema, no TEMP tables, no large objects, no advisory locks that could stall workers,
 *       read-only transactions by default and a statement timeout. The privileges refuse, not a
 *       parser of the query; default privileges extend SELECT to every table and view later
 *       migrations add.</li>
 * </ul>
 * Role names are cluster-wide, so the defaults derive from the database's name and two nin
 * databases can share one server without sharing a reader.
 *
 * @param database nin's database
 * @param owner the role nin records with
 * @param reader the read-only role of {@code ./nin sql}
 */
public record DatabaseRoles(String database, String owner, String reader) {

    /** What a PostgreSQL identifier nin creates may look like: nothing that needs quoting care. */
    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    /** The reader's statement timeout: long enough for any view over thousands of trials. */
    public static final String READER_STATEMENT_TIMEOUT = "60s";

    public DatabaseRoles {
        check("database name", database);
        check("owner role", owner);
        check("reader role", reader);
        if (owner.equals(reader)) {
            throw new UsageException("NIN_DB_READER_USER: expected a role other than the owner, found '" + reader + "'");
        }
    }

    /** The default reader of {@code database}: {@code <database>_reader}. */
    public static String defaultReader(String database) {
        return database + "_reader";
    }

    private static void check(String what, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new UsageException(what + ": expected a lower-case PostgreSQL name ([a-z_][a-z0-9_]*, at most 63 "
                    + "characters), found '" + name + "'");
        }
    }

    /** Run connected to any database of the cluster, as a superuser: the two roles and their limits. */
    public List<String> clusterStatements() {
        return List.of("""
                DO $$BEGIN
                  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '%1$s') THEN CREATE ROLE %1$s; END IF;
                  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '%2$s') THEN CREATE ROLE %2$s; END IF;
                END$$""".formatted(owner, reader),
                "ALTER ROLE " + owner + " WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS",
                "ALTER ROLE " + reader + " WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS CONNECTION LIMIT 16",
                "ALTER ROLE " + reader + " SET default_transaction_read_only = on",
                "ALTER ROLE " + reader + " SET statement_timeout = '" + READER_STATEMENT_TIMEOUT + "'",
                "ALTER ROLE " + reader + " SET idle_in_transaction_session_timeout = '" + READER_STATEMENT_TIMEOUT + "'",
                "ALTER ROLE " + reader + " SET lock_timeout = '5s'");
    }

    /** Creates nin's database owned by the owner (only when it does not exist yet). */
    public String createDatabase() {
        return "CREATE DATABASE " + database + " OWNER " + owner;
    }

    /** Run as a superuser once the database exists: who may connect to it. */
    public List<String> databaseStatements() {
        return List.of("ALTER DATABASE " + database + " OWNER TO " + owner,
                // PUBLIC may by default connect and create TEMP tables; only nin's roles connect.
                "REVOKE ALL ON DATABASE " + database + " FROM PUBLIC",
                "GRANT CONNECT ON DATABASE " + database + " TO " + reader);
    }

    /**
     * Run as a superuser connected to nin's database: the schema, the functions PUBLIC may call,
     * ownership of objects an older nin created as the superuser, and the reader's SELECT.
     */
    public List<String> inDatabaseStatements() {
        List<String> statements = new ArrayList<>();
        // PostgreSQL 14 grants CREATE on schema public to PUBLIC.
        statements.add("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
        statements.add("GRANT USAGE, CREATE ON SCHEMA public TO " + owner);
        statements.add("GRANT USAGE ON SCHEMA public TO " + reader);
        // Functions PUBLIC may call that take locks workers wait on, or write large objects.
        statements.add("""
                DO $$DECLARE f record;
                BEGIN
                  FOR f IN SELECT p.oid::regprocedure AS signature, p.proname LIKE '%%advisory%%' AS lock
                           FROM pg_proc p
                           WHERE p.pronamespace = 'pg_catalog'::regnamespace
                             AND ((p.proname LIKE 'pg\\_%%advisory\\_%%lock%%' AND p.proname NOT LIKE '%%unlock%%')
                                  OR p.proname IN ('lo_create', 'lo_creat', 'lo_from_bytea', 'lo_put', 'lo_open',
                                                   'lowrite', 'lo_truncate', 'lo_truncate64', 'lo_unlink',
                                                   'lo_import', 'lo_export'))
                  LOOP
                    EXECUTE format('REVOKE EXECUTE ON FUNCTION %%s FROM PUBLIC', f.signature);
                    IF f.lock THEN
                      EXECUTE format('GRANT EXECUTE ON FUNCTION %%s TO %%I', f.signature, '%1$s');
                    END IF;
                  END LOOP;
                END$$""".formatted(owner));
        // A home made by an older nin holds objects the superuser created: move them object by
        // object (REASSIGN OWNED cannot move the bootstrap superuser's objects).
        statements.add("""
                DO $$DECLARE o record;
                BEGIN
                  FOR o IN SELECT c.oid::regclass AS name,
                                  CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                                                 WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END AS kind
                           FROM pg_class c
                           WHERE c.relnamespace = 'public'::regnamespace
                             AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
                             AND c.relowner <> '%1$s'::regrole
                             AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                                             AND d.objid = c.oid AND d.deptype IN ('a', 'i'))
                  LOOP
                    EXECUTE format('ALTER %%s %%s OWNER TO %%I', o.kind, o.name, '%1$s');
                  END LOOP;
                END$$""".formatted(owner));
        statements.addAll(ownerGrants());
        return statements;
    }

    /**
     * What the owner itself grants the reader, after every migration: SELECT on everything that
     * exists, and by default on everything it creates later.
     */
    public List<String> ownerGrants() {
        return List.of("GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + reader,
                "ALTER DEFAULT PRIVILEGES FOR ROLE " + owner + " IN SCHEMA public GRANT SELECT ON TABLES TO " + reader);
    }

    /** How a psql script sets the two roles' passwords. */
    public enum Passwords {
        /** psql's {@code \\password} prompt, twice each: for an administrator at a terminal. */
        PROMPT,
        /** The psql variables {@code owner_password} and {@code reader_password} ({@code psql -v}): for init scripts. */
        VARIABLES
    }

    /**
     * The whole set-up as a psql script for an administrator: no password sits in the script, a
     * file or a shell history; psql asks for them, or takes them as variables from its caller.
     */
    public String psqlScript(Passwords passwords) {
        StringBuilder script = new StringBuilder();
        script.append("-- nin's roles on database ").append(database).append(" (owner ").append(owner).append(", reader ")
                .append(reader).append("); run as a superuser:\n");
        if (passwords == Passwords.PROMPT) {
            script.append("--   ./nin db setup-sql > nin-roles.sql && psql -h HOST -U postgres -f nin-roles.sql\n")
                    .append("-- psql asks for each role's password twice; give them to nin as NIN_DB_PASSWORD and\n")
                    .append("-- NIN_DB_READER_PASSWORD. Running it again changes nothing but the passwords.\n");
        } else {
            script.append("--   psql -h HOST -U postgres -v owner_password=... -v reader_password=... -f nin-roles.sql\n")
                    .append("-- Generated by ./nin db setup-sql --passwords-from-variables; do not edit.\n");
        }
        script.append("\\set ON_ERROR_STOP on\n");
        for (String statement : clusterStatements()) {
            script.append(statement).append(";\n");
        }
        if (passwords == Passwords.PROMPT) {
            script.append("\\password ").append(owner).append("\n\\password ").append(reader).append("\n");
        } else {
            script.append("ALTER ROLE ").append(owner).append(" PASSWORD :'owner_password';\n");
            script.append("ALTER ROLE ").append(reader).append(" PASSWORD :'reader_password';\n");
        }
        script.append("SELECT '").append(createDatabase()).append("' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '")
                .append(database).append("')\\gexec\n");
        for (String statement : databaseStatements()) {
            script.append(statement).append(";\n");
        }
        script.append("\\connect ").append(database).append("\n");
        for (String statement : inDatabaseStatements()) {
            script.append(statement).append(";\n");
        }
        return script.toString();
    }
}
