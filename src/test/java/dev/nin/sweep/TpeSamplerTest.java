package dev.nin.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nin.store.queue.SweepAsks;
import dev.nin.sweep.tpe.Dimension;
import dev.nin.sweep.tpe.Observation;

import java.util.List;

import org.junit.jupiter.api.Test;

/** How a TPE sweep's axes, stored params and trial states become TPE's space and history. */
class TpeSamplerTest {

    private static final String FILE = """
            name: t
            base: {epochs: 3, resize: 67}
            data: {validation: 100}
            strategy: tpe
            budget: 12
            sampler_seed: 5
            tpe: {startup_trials: 4}
            axes:
              lr: {log_uniform: [0.001, 1.0]}
              momentum: {uniform: [0.0, 0.9]}
              batch: {int_uniform: [16, 256]}
              variant: [standard, nin-bn]
            """;

    private static final SweepFile SWEEP = SweepParser.parse("t.yaml", FILE);

    @Test
    void eachAxisKindIsItsDimension() {
        assertEquals(new Dimension.Real(0.001, 1.0, true), TpeSampler.dimension(SWEEP.axes().get(0)));
        assertEquals(new Dimension.Real(0.0, 0.9, false), TpeSampler.dimension(SWEEP.axes().get(1)));
        assertEquals(new Dimension.Int(16, 256), TpeSampler.dimension(SWEEP.axes().get(2)));
        assertEquals(new Dimension.Choice(2), TpeSampler.dimension(SWEEP.axes().get(3)));
    }

    @Test
    void startUpAsksAreTheDryRunsDrawsAndThePlanCountsTheBudget() {
        List<PlannedTrial> plan = SweepPlanner.plan(SWEEP);
        assertEquals(4, plan.size(), "the dry run lists the start-up draws");
        assertEquals(12, SweepPlanner.count(SWEEP));
        TpeSampler sampler = new TpeSampler(SWEEP);
        for (int i = 0; i < 4; i++) {
            SweepAsks.Asked asked = sampler.next(i, List.of());
            assertEquals("start-up", asked.phase());
            assertEquals(plan.get(i).hyperparameters().label(), asked.trial().configuration());
            assertEquals("[]", asked.history());
        }
        assertTrue(StoreMapping.trials(SWEEP, plan).isEmpty(), "nothing is stored up front");
    }

    @Test
    void storedParamsMapBackToThePoint() {
        TpeSampler sampler = new TpeSampler(SWEEP);
        Hyperparameters h = sampler.hyperparameters(new double[] {0.0123456, 0.45678, 100, 1});
        String params = sampler.params(h);
        assertEquals("{\"lr\":0.0123,\"momentum\":0.457,\"batch\":100,\"variant\":\"nin-bn\"}", params);
        assertEquals(List.of(0.0123, 0.457, 100.0, 1.0), java.util.Arrays.stream(sampler.point(params)).boxed().toList());
        assertNull(sampler.point("{\"lr\":5.0,\"momentum\":0.4,\"batch\":100,\"variant\":\"nin-bn\"}"), "outside the axes");
        assertNull(sampler.point("{\"lr\":0.01,\"momentum\":0.4,\"batch\":100,\"variant\":\"wide\"}"), "not one of the choices");
        assertNull(sampler.point("{\"lr\":0.01,\"momentum\":0.4,\"batch\":100}"), "an axis missing");
    }

    @Test
    void statesBecomeOutcomesAndFailedTrialsAreLeftOut() {
        TpeSampler sampler = new TpeSampler(SWEEP);
        String p = "{\"lr\":0.01,\"momentum\":0.4,\"batch\":100,\"variant\":\"standard\"}";
        List<Observation> obs = sampler.observations(List.of(
                new SweepAsks.Observed(1, p, "completed", 0, 0.8),
                new SweepAsks.Observed(2, p, "pruned", 1, 0.3),
                new SweepAsks.Observed(3, p, "diverged", 0, 0.1),
                new SweepAsks.Observed(4, p, "stalled", 0, 0.1),
                new SweepAsks.Observed(5, p, "failed", 0, Double.NaN),
                new SweepAsks.Observed(6, p, "running", 0, Double.NaN),
                new SweepAsks.Observed(7, p, "interrupted", 0, 0.5)));
        assertEquals(List.of(1L, 2L, 3L, 4L, 6L, 7L), obs.stream().map(Observation::id).toList());
        assertEquals(List.of(Observation.Outcome.COMPLETED, Observation.Outcome.PRUNED, Observation.Outcome.FAILED_TO_LEARN,
                Observation.Outcome.FAILED_TO_LEARN, Observation.Outcome.PENDING, Observation.Outcome.PENDING),
                obs.stream().map(Observation::outcome).toList());
        assertEquals(1, obs.get(1).rung());
        assertEquals(0.3, obs.get(1).value());
        assertTrue(Double.isNaN(obs.get(5).value()), "a pending trial's partial value is not used");
    }

    @Test
    void modelGuidedAsksRecordTheirHistoryAndAreDeterministic() {
        TpeSampler sampler = new TpeSampler(SWEEP);
        List<SweepAsks.Observed> history = List.of(
                new SweepAsks.Observed(1, "{\"lr\":0.01,\"momentum\":0.4,\"batch\":100,\"variant\":\"standard\"}", "completed", 0, 0.8),
                new SweepAsks.Observed(2, "{\"lr\":0.5,\"momentum\":0.1,\"batch\":200,\"variant\":\"nin-bn\"}", "completed", 0, 0.2),
                new SweepAsks.Observed(3, "{\"lr\":0.2,\"momentum\":0.8,\"batch\":30,\"variant\":\"nin-bn\"}", "pruned", 1, 0.3),
                new SweepAsks.Observed(4, "{\"lr\":0.002,\"momentum\":0.8,\"batch\":30,\"variant\":\"nin-bn\"}", "running", 0, Double.NaN));
        SweepAsks.Asked a = sampler.next(4, history);
        assertEquals("model-guided", a.phase());
        assertEquals("[{\"trial\":1,\"role\":\"good\",\"state\":\"completed\",\"rung\":0,\"value\":0.8},"
                + "{\"trial\":2,\"role\":\"bad\",\"state\":\"completed\",\"rung\":0,\"value\":0.2},"
                + "{\"trial\":3,\"role\":\"bad\",\"state\":\"pruned\",\"rung\":1,\"value\":0.3},"
                + "{\"trial\":4,\"role\":\"pending\",\"state\":\"running\",\"rung\":0,\"value\":null}]", a.history());
        assertEquals(a.params(), sampler.next(4, history).params());
        assertTrue(!a.params().equals(sampler.next(5, history).params()), "another ask index, another draw");
    }
}
