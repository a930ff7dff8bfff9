package dev.nin.sweep.tpe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

/**
 * TPE beats random search on synthetic objectives: a statistical comparison with the seeds fixed,
 * so it is deterministic. Each seed's first ten evaluations are the same points for both samplers
 * (TPE's start-up draws are random search's), so the comparison is paired.
 */
class SamplerBenchmarkTest {

    private static final int SEEDS = 20;
    private static final int EVALUATIONS = 50;

    @Test
    void objectivesHaveTheirPublishedMinima() {
        assertEquals(0.397887, Objective.branin(new double[] {Math.PI, 2.275}), 1e-6);
        assertEquals(0.397887, Objective.branin(new double[] {-Math.PI, 12.275}), 1e-6);
        assertEquals(-3.32237, Objective.hartmann6(new double[] {0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573}), 1e-5);
    }

    @Test
    void tpeBeatsRandomSearchOnBraninAndHartmann6() {
        SamplerBenchmark bench = new SamplerBenchmark(Tpe.Settings.DEFAULT);
        for (Objective objective : new Objective[] {Objective.BRANIN, Objective.HARTMANN6, Objective.NOISY_BRANIN}) {
            double[] tpe = new double[SEEDS];
            double[] random = new double[SEEDS];
            int tpeBetter = 0;
            for (int s = 0; s < SEEDS; s++) {
                double[] t = bench.run(objective, SamplerBenchmark.Sampler.TPE, s, EVALUATIONS);
                double[] r = bench.run(objective, SamplerBenchmark.Sampler.RANDOM, s, EVALUATIONS);
                assertEquals(r[9], t[9], "seed " + s + ": the start-up draws are random search's");
                tpe[s] = t[EVALUATIONS - 1];
                random[s] = r[EVALUATIONS - 1];
                tpeBetter += tpe[s] < random[s] ? 1 : 0;
            }
            Arrays.sort(tpe);
            Arrays.sort(random);
            double tpeMedian = SamplerBenchmark.percentile(tpe, 50);
            double randomMedian = SamplerBenchmark.percentile(random, 50);
            assertTrue(tpeMedian < randomMedian, objective.name() + ": TPE median " + tpeMedian + ", random " + randomMedian);
            if (objective.noise() == 0) {
                // Sign test: if TPE were no better than random search, 15 or more paired wins of 20 would
                // happen with probability 2.1%. (Noise blurs the pairs of the noisy one: median only.)
                assertTrue(tpeBetter >= 15, objective.name() + ": TPE better on " + tpeBetter + " of " + SEEDS + " seeds");
            }
        }
    }

    @Test
    void percentileInterpolatesAsNumpyDoes() {
        double[] sorted = {1, 2, 3, 4};
        assertEquals(2.5, SamplerBenchmark.percentile(sorted, 50), 1e-12);
        assertEquals(1.75, SamplerBenchmark.percentile(sorted, 25), 1e-12);
        assertEquals(3.25, SamplerBenchmark.percentile(sorted, 75), 1e-12);
    }
}
