package dev.nin.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.sql.SQLException;

import org.junit.jupiter.api.Test;

class SqlFailuresTest {

    private static final String FLYWAY_LAYOUT = """
            Failed to execute script V5__tpe_suggestions.sql
            ------------------------------------------------
            SQL State  : 40P01
            Message    : ERROR: deadlock detected
              Detail: Process 6332 waits for AccessExclusiveLock on relation 16415""";

    @Test
    void aDeadlockDeepInTheCausesIsRolledBackWork() {
        SQLException deadlock = new SQLException("ERROR: deadlock detected\n  Detail: Process 6332 waits", "40P01");
        RuntimeException flyway = new RuntimeException(FLYWAY_LAYOUT, new IllegalStateException("wrapped", deadlock));
        assertSame(deadlock, SqlFailures.rolledBack(flyway).orElseThrow());
        assertEquals("Failed to execute script V5__tpe_suggestions.sql: ERROR: deadlock detected (SQLSTATE 40P01)",
                SqlFailures.summary(flyway));
        assertEquals("40001", SqlFailures.rolledBack(new SQLException("serialization", "40001")).orElseThrow().getSQLState());
    }

    @Test
    void otherSqlErrorsAreNotRolledBackWork() {
        RuntimeException missing = new RuntimeException("Failed", new SQLException("ERROR: relation \"x\" does not exist", "42P01"));
        assertFalse(SqlFailures.rolledBack(missing).isPresent());
        assertEquals("Failed: ERROR: relation \"x\" does not exist (SQLSTATE 42P01)", SqlFailures.summary(missing));
        assertFalse(SqlFailures.rolledBack(new RuntimeException("no SQL at all")).isPresent());
        assertFalse(SqlFailures.rolledBack(new SQLException("no state")).isPresent());
    }

    @Test
    void aFailureWithoutSqlKeepsItsLinesOnOne() {
        RuntimeException validate = new RuntimeException("""
                Validate failed: Migrations have failed validation
                Migration checksum mismatch for migration version 5
                -> Applied to database : 1
                -> Resolved locally    : 2

                Need more flexibility with validation rules? Learn more: https://example.invalid""");
        assertEquals("Validate failed: Migrations have failed validation; Migration checksum mismatch for migration version 5;"
                + " -> Applied to database : 1; -> Resolved locally    : 2", SqlFailures.summary(validate));
    }
}
