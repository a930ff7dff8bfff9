package dev.nin.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nin.train.TrainingResult;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

class TrialStateTest {

    /** The states the newest migration's CHECK on trials.state allows (the IT reads the live constraint too). */
    static Set<String> checkedStates() throws Exception {
        List<Path> migrations;
        try (Stream<Path> s = Files.list(Path.of("migrations"))) {
            migrations = s.filter(p -> p.getFileName().toString().matches("V\\d+__.*\\.sql"))
                    .sorted(Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString().replaceAll("^V(\\d+)__.*", "$1"))))
                    .toList();
        }
        Set<String> states = null;
        Pattern check = Pattern.compile("CHECK\\s*\\(\\s*state\\s+IN\\s*\\(([^)]*)\\)\\s*\\)", Pattern.CASE_INSENSITIVE);
        for (Path migration : migrations) {
            Matcher m = check.matcher(Files.readString(migration));
            while (m.find()) {
                states = new TreeSet<>();
                for (String word : m.group(1).split(",")) {
                    states.add(word.strip().replaceAll("^'|'$", ""));
                }
            }
        }
        assertTrue(states != null, "a migration constrains trials.state");
        return states;
    }

    @Test
    void enumIsExactlyWhatTheDatabaseAllows() throws Exception {
        Set<String> values = new TreeSet<>(Arrays.stream(TrialState.values()).map(s -> s.value).toList());
        assertEquals(checkedStates(), values);
    }

    @Test
    void everyTrainingOutcomeIsAStateOfTheSameWord() {
        for (TrainingResult.Status status : TrainingResult.Status.values()) {
            assertEquals(status.state(), TrialState.of(status).value, status.name());
            assertTrue(TrialState.of(status).ended());
        }
    }

    @Test
    void wordsParseBackAndUnknownOnesAreRefused() {
        for (TrialState s : TrialState.values()) {
            assertEquals(s, TrialState.of(s.value));
        }
        assertEquals("trial state: expected one of [pending, running, completed, diverged, failed, interrupted, stalled, pruned],"
                + " found 'lost'", assertThrows(IllegalArgumentException.class, () -> TrialState.of("lost")).getMessage());
        assertEquals(List.of("failed", "diverged"), TrialState.list(TrialState.RETRYABLE).stream().sorted(Comparator.reverseOrder()).toList());
    }
}
