package dev.nin.store;

import java.sql.SQLException;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What a failure's chain of causes says about the database: the SQL error in it, and whether the
 * server rolled the work back so that it may simply be tried again.
 */
final class SqlFailures {

    /**
     * SQLSTATE class "40", transaction rollback (a deadlock, a serialization failure): the server undid
     * the transaction and nothing of it remains. A migration meets one when a client reads the tables it
     * alters in another order, e.g. {@code SELECT ... FROM trials JOIN sweeps} while V5 holds
     * {@code sweeps} and waits for {@code trials}.
     */
    static final String TRANSACTION_ROLLBACK_CLASS = "40";

    private SqlFailures() {}

    /** The first SQL error among {@code failure} and its causes. */
    static Optional<SQLException> sqlError(Throwable failure) {
        return find(failure, sql -> true);
    }

    /** The rolled-back SQL error among {@code failure} and its causes, if any: then trying again is safe. */
    static Optional<SQLException> rolledBack(Throwable failure) {
        return find(failure, sql -> sql.getSQLState() != null && sql.getSQLState().startsWith(TRANSACTION_ROLLBACK_CLASS));
    }

    /**
     * One line for a person: the failure's first line and, when an SQL error caused it, that error's
     * first line and SQLSTATE (Flyway's own message spans a dozen lines of layout).
     */
    static String summary(Throwable failure) {
        Optional<SQLException> sql = sqlError(failure).filter(cause -> cause != failure);
        if (sql.isPresent()) {
            return firstLine(failure.getMessage()) + ": " + firstLine(sql.get().getMessage()) + " (SQLSTATE "
                    + sql.get().getSQLState() + ")";
        }
        // Without an SQL error the later lines are the substance (Flyway's "checksum mismatch for
        // migration version 5"), so they are kept, joined; rules and advertising are not.
        String message = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
        return message.lines().map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("---") && !line.contains("Learn more"))
                .collect(java.util.stream.Collectors.joining("; "));
    }

    static String firstLine(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("").strip();
    }

    private static Optional<SQLException> find(Throwable failure, Predicate<SQLException> wanted) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql && wanted.test(sql)) {
                return Optional.of(sql);
            }
        }
        return Optional.empty();
    }
}
