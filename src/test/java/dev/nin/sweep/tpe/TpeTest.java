package dev.nin.sweep.tpe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** Which point TPE suggests from small histories, and why. */
class TpeTest {

    private static Observation done(long id, double x, double value) {
        return new Observation(id, new double[] {x}, Observation.Outcome.COMPLETED, 0, value);
    }

    @Test
    void aChoiceSeenOnlyAmongTheGoodWins() {
        // Accuracy (higher is better): trial 1 at option 0 is the best of ten, so with gamma 0.1 it alone
        // is good. l gives option 0 ⅔ + ⅙ ... : l = ½ kernel + ½ prior: l(0) = ½(⅔) + ½(⅓) = ½, l(1) = l(2) = ¼.
        // The nine bad trials sit at options 1 and 2 (5 and 4): g(0) = (9·⅙ + ⅓)/10 = 0.18333,
        // g(1) = (5·⅔ + 4·⅙ + ⅓)/10 = 0.43333, g(2) = (4·⅔ + 5·⅙ + ⅓)/10 = 0.38333.
        // log l/g: option 0 1.00330, option 1 -0.54930, option 2 -0.42663: option 0 wins whenever it is a candidate.
        Tpe tpe = new Tpe(List.of(new Dimension.Choice(3)), new Tpe.Settings(1, 0.1, 24), true);
        List<Observation> history = new java.util.ArrayList<>(List.of(done(1, 0, 0.9)));
        for (int i = 0; i < 9; i++) {
            history.add(done(2 + i, i < 5 ? 1 : 2, 0.1 + 0.01 * i));
        }
        Tpe.Suggestion s = tpe.suggest(history, new SplittableRandom(1));
        assertEquals(0, s.point()[0]);
        assertEquals(Math.log(0.5 / (11.0 / 60)), s.score(), 1e-9);
        assertEquals(Tpe.Phase.MODEL, s.phase());
        assertEquals(Tpe.Role.GOOD, s.history().get(0).role());
        assertEquals(1, s.history().get(0).observation().id());
        assertTrue(s.history().subList(1, 10).stream().allMatch(u -> u.role() == Tpe.Role.BAD));
    }

    @Test
    void aConfigurationAlreadyTriedLosesToTheBestFreshCandidate() {
        // The history of aChoiceSeenOnlyAmongTheGoodWins, with option 0 already tried: the best fresh
        // option is 2 (log l/g -0.42663 against option 1's -0.54930), drawn from l with probability ¼ per candidate.
        Tpe tpe = new Tpe(List.of(new Dimension.Choice(3)), new Tpe.Settings(1, 0.1, 24), true);
        List<Observation> history = new java.util.ArrayList<>(List.of(done(1, 0, 0.9)));
        for (int i = 0; i < 9; i++) {
            history.add(done(2 + i, i < 5 ? 1 : 2, 0.1 + 0.01 * i));
        }
        Tpe.Suggestion fresh = tpe.suggest(history, new SplittableRandom(1), x -> x[0] != 0);
        assertEquals(2, fresh.point()[0]);
        assertEquals(Math.log(0.25 / (23.0 / 60)), fresh.score(), 1e-9);
        // Nothing fresh among the candidates: the best of all, as without the preference.
        assertEquals(0, tpe.suggest(history, new SplittableRandom(1), x -> false).point()[0]);
    }

    @Test
    void aRealSuggestionLandsNearTheGoodPointAndScoresAsTheDensitiesSay() {
        // Loss (lower is better): x = 2 is best of five; the rest lie at 6..9.
        Tpe tpe = new Tpe(List.of(new Dimension.Real(0, 10, false)), new Tpe.Settings(1, 0.1, 64), false);
        List<Observation> history = List.of(done(1, 2, 0.1), done(2, 6, 1.0), done(3, 7, 1.2), done(4, 8, 0.9), done(5, 9, 2.0));
        Tpe.Suggestion s = tpe.suggest(history, new SplittableRandom(5));
        double x = s.point()[0];
        assertTrue(x > 0 && x < 4.5, "suggested " + x);
        ParzenEstimator l = new ParzenEstimator(List.of(new Dimension.Real(0, 10, false)), List.of(new double[] {2}));
        ParzenEstimator g = new ParzenEstimator(List.of(new Dimension.Real(0, 10, false)),
                List.of(new double[] {6}, new double[] {7}, new double[] {8}, new double[] {9}));
        assertEquals(l.logDensity(new double[] {x}) - g.logDensity(new double[] {x}), s.score(), 1e-12);
        // The good side beats the bad side by the same densities.
        assertTrue(l.logDensity(new double[] {2}) - g.logDensity(new double[] {2})
                > l.logDensity(new double[] {8}) - g.logDensity(new double[] {8}));
    }

    @Test
    void logAndIntegerAxesAreSearchedOnTheirOwnScales() {
        // Learning rate 0.01 and batch 3 were best; the bad trials used 0.5..0.9 and 7..9.
        Tpe tpe = new Tpe(List.of(new Dimension.Real(1e-3, 1, true), new Dimension.Int(1, 10)), new Tpe.Settings(1, 0.2, 32), true);
        List<Observation> history = List.of(
                new Observation(1, new double[] {0.01, 3}, Observation.Outcome.COMPLETED, 0, 0.9),
                new Observation(2, new double[] {0.5, 7}, Observation.Outcome.COMPLETED, 0, 0.2),
                new Observation(3, new double[] {0.7, 8}, Observation.Outcome.COMPLETED, 0, 0.3),
                new Observation(4, new double[] {0.9, 9}, Observation.Outcome.COMPLETED, 0, 0.1),
                new Observation(5, new double[] {0.6, 9}, Observation.Outcome.COMPLETED, 0, 0.15));
        Tpe.Suggestion s = tpe.suggest(history, new SplittableRandom(11));
        double[] x = s.point();
        assertTrue(x[0] < 0.2, "log axis: " + x[0]);
        assertEquals(Math.rint(x[1]), x[1], "integer axis gives integers");
        assertTrue(x[1] <= 6, "integer axis: " + x[1]);
    }

    @Test
    void rankingPutsCompletedThenPrunedByRungThenFailuresThenPending() {
        Tpe tpe = new Tpe(List.of(new Dimension.Real(0, 1, false)), new Tpe.Settings(1, 0.5, 4), true);
        List<Observation> history = List.of(
                new Observation(1, new double[] {0.1}, Observation.Outcome.PENDING, 0, Double.NaN),
                new Observation(2, new double[] {0.2}, Observation.Outcome.PRUNED, 1, 0.95),
                new Observation(3, new double[] {0.3}, Observation.Outcome.FAILED_TO_LEARN, 0, Double.NaN),
                new Observation(4, new double[] {0.4}, Observation.Outcome.COMPLETED, 0, 0.5),
                new Observation(5, new double[] {0.5}, Observation.Outcome.PRUNED, 3, 0.6),
                new Observation(6, new double[] {0.6}, Observation.Outcome.COMPLETED, 0, 0.7));
        Tpe.Suggestion s = tpe.suggest(history, new SplittableRandom(2));
        // Five finished: ceil(0.5 × 5) = 3 good: both completed, then the pruned trial that got furthest.
        assertEquals(List.of(6L, 4L, 5L, 2L, 3L, 1L), s.history().stream().map(u -> u.observation().id()).toList());
        assertEquals(List.of(Tpe.Role.GOOD, Tpe.Role.GOOD, Tpe.Role.GOOD, Tpe.Role.BAD, Tpe.Role.BAD, Tpe.Role.PENDING),
                s.history().stream().map(Tpe.Used::role).toList());
    }

    @Test
    void withNothingLearnedYetTheSuggestionIsAStartUpDraw() {
        Tpe tpe = new Tpe(List.of(new Dimension.Real(0, 1, false)), Tpe.Settings.DEFAULT, true);
        Tpe.Suggestion s = tpe.suggest(List.of(new Observation(1, new double[] {0.5}, Observation.Outcome.PENDING, 0, Double.NaN)),
                new SplittableRandom(1));
        assertEquals(Tpe.Phase.STARTUP, s.phase());
        assertTrue(s.history().isEmpty());
    }

    @Test
    void sameHistoryAndSeedSameSuggestion() {
        Tpe tpe = new Tpe(List.of(new Dimension.Real(0, 10, false), new Dimension.Choice(3)), Tpe.Settings.DEFAULT, false);
        List<Observation> history = List.of(new Observation(1, new double[] {1, 2}, Observation.Outcome.COMPLETED, 0, 3),
                new Observation(2, new double[] {7, 0}, Observation.Outcome.COMPLETED, 0, 5));
        assertEquals(java.util.Arrays.toString(tpe.suggest(history, new SplittableRandom(9)).point()),
                java.util.Arrays.toString(tpe.suggest(List.of(history.get(1), history.get(0)), new SplittableRandom(9)).point()));
    }

    @Test
    void settingsAreCheckedWithTheirNames() {
        assertEquals("gamma: expected a fraction strictly between 0 and 1, found 1.0",
                assertThrows(IllegalArgumentException.class, () -> new Tpe.Settings(10, 1.0, 24)).getMessage());
        assertEquals("startup_trials: expected 1 to 10000, found 0",
                assertThrows(IllegalArgumentException.class, () -> new Tpe.Settings(0, 0.1, 24)).getMessage());
        assertEquals(1, Tpe.Settings.DEFAULT.good(1));
        assertEquals(3, Tpe.Settings.DEFAULT.good(21));
    }
}
