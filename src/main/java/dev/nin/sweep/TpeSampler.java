package dev.nin.sweep;

import dev.nin.config.Knob;
import dev.nin.store.queue.SweepAsks;
import dev.nin.store.TrialState;
import dev.nin.sweep.tpe.Dimension;
import dev.nin.sweep.tpe.Observation;
import dev.nin.sweep.tpe.Tpe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A TPE sweep's answer to a worker's ask: the k-th start-up draw while k is below
 * {@code tpe.startup_trials} (random search's draw k, so a dry run lists them), then TPE over the
 * file's axes from the sweep's history. Each axis is one dimension: a uniform range a real one,
 * log_uniform a real one on the log scale, int_uniform an integer one, a list of values a choice
 * among them. Deterministic: the k-th ask with the same history gives the same trial (one worker).
 */
public final class TpeSampler implements SweepAsks.Sampler {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SweepFile sweep;
    private final Tpe tpe;

    public TpeSampler(SweepFile sweep) {
        if (sweep.strategy() != SweepFile.Strategy.TPE) {
            throw new IllegalArgumentException("sweep " + sweep.name() + ": expected strategy tpe, found " + sweep.strategy().value());
        }
        this.sweep = sweep;
        this.tpe = new Tpe(sweep.axes().stream().map(TpeSampler::dimension).toList(), sweep.tpe(),
                sweep.metric().higherIsBetter);
    }

    /** The dimension TPE searches for {@code axis}. */
    static Dimension dimension(Axis axis) {
        if (axis instanceof Axis.Values v) {
            return new Dimension.Choice(v.values().size());
        }
        Axis.Range r = (Axis.Range) axis;
        return switch (r.scale()) {
            case UNIFORM -> new Dimension.Real(r.low(), r.high(), false);
            case LOG_UNIFORM -> new Dimension.Real(r.low(), r.high(), true);
            case INT_UNIFORM -> new Dimension.Int((long) r.low(), (long) r.high());
        };
    }

    @Override
    public SweepAsks.Asked next(int askIndex, List<SweepAsks.Observed> history) {
        Hyperparameters h;
        Tpe.Phase phase;
        List<Tpe.Used> used = List.of();
        double score = Double.NaN;
        if (tpe.isStartup(askIndex)) {
            h = SweepPlanner.startupDraw(sweep, askIndex);
            phase = Tpe.Phase.STARTUP;
        } else {
            // A configuration already tried (rounding and choice axes make repeats likely) is taken only
            // when every candidate is one: the same seed would train it to the same result.
            java.util.Set<String> tried = new java.util.HashSet<>();
            for (SweepAsks.Observed o : history) {
                double[] p = point(o.params());
                if (p != null) {
                    tried.add(params(hyperparameters(p)));
                }
            }
            Tpe.Suggestion s = tpe.suggest(observations(history), random(sweep.samplerSeed(), askIndex),
                    x -> !tried.contains(params(hyperparameters(x))));
            h = hyperparameters(s.point());
            phase = s.phase();
            used = s.history();
            score = s.score();
        }
        Map<Long, String> states = new HashMap<>();
        history.forEach(o -> states.put(o.trialId(), o.state()));
        return new SweepAsks.Asked(StoreMapping.trial(sweep, h, sweep.seeds().get(0)), phase.value, params(h),
                historyJson(used, states), score);
    }

    /** The random generator of ask {@code askIndex}: a function of the sampler seed and the index alone. */
    static SplittableRandom random(long samplerSeed, int askIndex) {
        return new SplittableRandom(samplerSeed ^ (0x9E3779B97F4A7C15L * (askIndex + 1L)));
    }

    /**
     * The history as TPE's observations. Failed trials (an error, not a result of the configuration)
     * are left out, as are trials whose values lie outside the axes (a sweep extended with other axes).
     */
    List<Observation> observations(List<SweepAsks.Observed> history) {
        List<Observation> out = new ArrayList<>();
        for (SweepAsks.Observed o : history) {
            TrialState state = TrialState.of(o.state());
            Observation.Outcome outcome = switch (state) {
                case COMPLETED -> Observation.Outcome.COMPLETED;
                case PRUNED -> Observation.Outcome.PRUNED;
                case DIVERGED, STALLED -> Observation.Outcome.FAILED_TO_LEARN;
                case FAILED -> null;
                default -> Observation.Outcome.PENDING;
            };
            double[] point = point(o.params());
            if (outcome == null || point == null) {
                continue;
            }
            boolean pruned = outcome == Observation.Outcome.PRUNED;
            out.add(new Observation(o.trialId(), point, outcome, pruned ? o.rung() : 0,
                    outcome == Observation.Outcome.PENDING || outcome == Observation.Outcome.FAILED_TO_LEARN ? Double.NaN : o.value()));
        }
        return out;
    }

    /** The hyperparameters of a point: the base with each axis set, ranges rounded as random search rounds them. */
    Hyperparameters hyperparameters(double[] point) {
        Hyperparameters h = sweep.base();
        for (int j = 0; j < point.length; j++) {
            Axis axis = sweep.axes().get(j);
            Object value;
            if (axis instanceof Axis.Values v) {
                value = v.values().get((int) point[j]);
            } else {
                Axis.Range r = (Axis.Range) axis;
                value = r.scale() == Axis.Scale.INT_UNIFORM ? (Object) (long) point[j]
                        : Math.min(r.high(), Math.max(r.low(), Axis.Range.round3(point[j])));
            }
            h = h.with(axis.key(), value);
        }
        return h;
    }

    /** The searched axes' values, e.g. {@code {"lr":0.0523,"variant":"nin-bn"}}. */
    String params(Hyperparameters h) {
        ObjectNode node = JSON.createObjectNode();
        for (Axis axis : sweep.axes()) {
            node.set(axis.key(), JSON.valueToTree(h.values().get(Knob.forKey(axis.key()))));
        }
        return node.toString();
    }

    /** A trial's stored params as a point of this sweep's space; null when they do not fit its axes. */
    double[] point(String params) {
        JsonNode node;
        try {
            node = JSON.readTree(params);
        } catch (IOException e) {
            return null;
        }
        double[] x = new double[sweep.axes().size()];
        for (int j = 0; j < x.length; j++) {
            Axis axis = sweep.axes().get(j);
            JsonNode v = node.get(axis.key());
            if (v == null) {
                return null;
            }
            if (axis instanceof Axis.Values values) {
                Knob knob = Knob.forKey(axis.key());
                Object stored = v.isNull() ? null : v.isNumber() ? v.numberValue() : v.isBoolean() ? (Object) v.booleanValue() : v.asText();
                int index = -1;
                for (int i = 0; i < values.values().size() && index < 0; i++) {
                    try {
                        if (Objects.equals(knob.normalise(values.values().get(i)), knob.normalise(stored))) {
                            index = i;
                        }
                    } catch (ClassCastException e) {
                        return null;
                    }
                }
                if (index < 0) {
                    return null;
                }
                x[j] = index;
            } else {
                Axis.Range r = (Axis.Range) axis;
                if (!v.isNumber() || v.asDouble() < r.low() || v.asDouble() > r.high()) {
                    return null;
                }
                x[j] = v.asDouble();
            }
        }
        return x;
    }

    private static String historyJson(List<Tpe.Used> used, Map<Long, String> states) {
        ArrayNode array = JSON.createArrayNode();
        for (Tpe.Used u : used) {
            ObjectNode o = array.addObject();
            o.put("trial", u.observation().id());
            o.put("role", u.role().name().toLowerCase(java.util.Locale.ROOT));
            o.put("state", states.get(u.observation().id()));
            o.put("rung", u.observation().rung());
            double value = u.observation().value();
            if (Double.isNaN(value)) {
                o.putNull("value");
            } else {
                o.put("value", value);
            }
        }
        return array.toString();
    }
}
