package dev.nin.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Every place a password can hide in a message nin prints: URLs, query strings, properties, JSON, exception causes. */
class RedactionTest {

    private static final String SECRET = "s3cret-xyz";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            jdbc user-info           | jdbc:postgresql://postgres:s3cret-xyz@127.0.0.1:1/nin         | jdbc:postgresql://postgres:***@127.0.0.1:1/nin
            http user-info           | http://mlflow:s3cret-xyz@tracking.example:5000/api            | http://mlflow:***@tracking.example:5000/api
            user-info, no scheme     | host postgres:s3cret-xyz@127.0.0.1 unknown                    | host postgres:***@127.0.0.1 unknown
            user-info, empty user    | postgresql://:s3cret-xyz@db/nin                               | postgresql://:***@db/nin
            query parameter          | jdbc:postgresql://h:5432/nin?user=a&password=s3cret-xyz&ssl=1 | jdbc:postgresql://h:5432/nin?user=a&password=***&ssl=1
            query, upper case        | jdbc:postgresql://h/nin?PASSWORD=s3cret-xyz                   | jdbc:postgresql://h/nin?PASSWORD=***
            semicolon properties     | url;password=s3cret-xyz;user=a                                | url;password=***;user=a
            sslpassword              | jdbc:postgresql://h/nin?sslpassword=s3cret-xyz                | jdbc:postgresql://h/nin?sslpassword=***
            shell assignment         | PGPASSWORD=s3cret-xyz psql -h h                               | PGPASSWORD=*** psql -h h
            token parameter          | http://h/api?token=s3cret-xyz&x=1                             | http://h/api?token=***&x=1
            JSON field               | {"user": "a", "password": "s3cret-xyz"}                       | {"user": "a", "password": ***}
            YAML field               | password: s3cret-xyz                                          | password: ***
            """)
    void hidesSecretsByTheirPlace(String where, String text, String expected) {
        assertEquals(expected, Redaction.redact(text, List.of()), where);
    }

    @Test
    void hidesKnownSecretsWhereverTheyAppear() {
        assertEquals("FATAL: role *** does not exist; ***", Redaction.redact("FATAL: role s3cret-xyz does not exist; s3cret-xyz",
                List.of(SECRET)));
        // Percent-encoded in a URL.
        assertEquals("jdbc:postgresql://h/nin?x=***", Redaction.redact("jdbc:postgresql://h/nin?x=p%40ss+word", List.of("p@ss word")));
        // The longer secret first, so no half of it survives.
        assertEquals("*** and ***", Redaction.redact("abcdefgh and abcd", List.of("abcd", "abcdefgh")));
    }

    @Test
    void leavesOrdinaryTextAlone() {
        String text = "sweep quick: 4 trials, lr=0.05 at jdbc:postgresql://127.0.0.1:54329/nin?connectTimeout=10 (user nin)";
        assertEquals(text, Redaction.redact(text, List.of()));
        assertEquals("password authentication failed for user \"nin\"",
                Redaction.redact("password authentication failed for user \"nin\"", List.of()));
        // Too short to mask everywhere: it would mask ordinary words.
        assertEquals("the nin store", Redaction.redact("the nin store", List.of("nin")));
        assertNull(Redaction.redact(null, List.of(SECRET)));
    }

    @Test
    void hidesSecretsInExceptionCausesAndStackTraces() {
        SQLException driver = new SQLException("connection to postgres:s3cret-xyz@127.0.0.1 refused; password=s3cret-xyz");
        RuntimeException error = new RuntimeException("cannot use the database", new IllegalStateException("wrapped", driver));
        String chain = Redaction.messageChain(error, List.of(SECRET));
        assertEquals("cannot use the database; caused by: wrapped; caused by: connection to postgres:***@127.0.0.1 refused; "
                + "password=***", chain);
        String trace = Redaction.stackTrace(error, List.of(SECRET));
        assertTrue(trace.contains("Caused by: java.sql.SQLException"), trace);
        assertFalse(trace.contains(SECRET), trace);
    }
}
