package dev.nin.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nin.store.server.DatabaseLogins;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** NIN_DB_EMBEDDED, the switch nin's image sets: checked as a setting, and it rules out only the embedded server. */
class NoEmbeddedDatabaseTest {

    private static DatabaseLogins logins(Optional<String> url, String embedded, Path home) {
        return new DatabaseLogins(url, Optional.of("nin"), Optional.of("pw"), Optional.empty(), Optional.empty(), home, "54329",
                embedded);
    }

    @Test
    void falseWithoutAUrlSaysWhatToSetBeforeMakingAnything() throws Exception {
        Path home = Files.createTempDirectory("nin-no-embedded").resolve("home");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> logins(Optional.empty(), "false", home).jdbcUrl());
        for (String variable : new String[] {"NIN_DB_URL", "NIN_DB_USER", "NIN_DB_PASSWORD", "NIN_DB_EMBEDDED=false"}) {
            assertTrue(e.getMessage().contains(variable), e.getMessage());
        }
        assertTrue(!e.getMessage().contains("\n"), "one line");
        assertThrows(IllegalArgumentException.class, () -> logins(Optional.empty(), "false", home).owner());
        assertTrue(!Files.exists(home), "nothing made in the nin home");
    }

    @Test
    void falseWithAUrlUsesIt() {
        String url = "jdbc:postgresql://db.example:5432/nin";
        DatabaseLogins logins = logins(Optional.of(url), "false", Path.of("/nonexistent"));
        assertEquals(url, logins.jdbcUrl());
        assertEquals("nin", logins.owner().user());
    }

    @Test
    void aTypoIsABadSettingEvenWithAUrl() {
        for (Optional<String> url : java.util.List.of(Optional.<String>empty(), Optional.of("jdbc:postgresql://db.example/nin"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> logins(url, "flase", Path.of("/x")).jdbcUrl());
            assertEquals("NIN_DB_EMBEDDED: expected true or false, found 'flase'", e.getMessage());
        }
    }

    @Test
    void trueOrTheDefaultKeepsTheEmbeddedServer() {
        assertTrue(logins(Optional.empty(), "true", Path.of("/x")).isEmbedded());
        assertTrue(logins(Optional.empty(), "TRUE", Path.of("/x")).jdbcUrl().startsWith("jdbc:postgresql://127.0.0.1:54329/nin"));
    }
}
