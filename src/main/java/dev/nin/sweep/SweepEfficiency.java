package dev.nin.sweep;

import java.util.ArrayList;
import java.util.List;

/**
 * How much of a worker's time went into TensorFlow steps. The first trial is reported apart: it
 * pays for loading TensorFlow and the dataset, once per process. Memory measurement is reported
 * apart too: it is a measurement asked for, not waste, and happens once per distinct network.
 */
public final class SweepEfficiency {

    private final List<TrialTiming> trials = new ArrayList<>();
    private double wallAfterFirst;

    /** Adds a trial; {@code secondsSinceFirstEnded} is the worker's wall time since its first trial ended. */
    void add(TrialTiming timing, double secondsSinceFirstEnded) {
        trials.add(timing);
        wallAfterFirst = secondsSinceFirstEnded;
    }

    public List<TrialTiming> trials() {
        return List.copyOf(trials);
    }

    /** Wall seconds of the first trial (warm-up included), NaN before it. */
    public double firstTrialSeconds() {
        return trials.isEmpty() ? Double.NaN : trials.get(0).wall();
    }

    /** Worker wall seconds after the first trial ended: later trials and everything between them. */
    public double wallAfterFirst() {
        return wallAfterFirst;
    }

    public double trainingAfterFirst() {
        return trials.stream().skip(1).mapToDouble(TrialTiming::training).sum();
    }

    public double evaluationAfterFirst() {
        return trials.stream().skip(1).mapToDouble(TrialTiming::evaluation).sum();
    }

    public double memoryMeasurementAfterFirst() {
        return trials.stream().skip(1).mapToDouble(TrialTiming::memoryMeasurement).sum();
    }

    /**
     * Time in TensorFlow steps (training and evaluation) over wall time, after the first trial and
     * without memory measurement; NaN with fewer than two trials.
     */
    public double efficiency() {
        double wall = wallAfterFirst - memoryMeasurementAfterFirst();
        return trials.size() < 2 || wall <= 0 ? Double.NaN : (trainingAfterFirst() + evaluationAfterFirst()) / wall;
    }

    /** Time in training steps alone over the same wall time. */
    public double trainingShare() {
        double wall = wallAfterFirst - memoryMeasurementAfterFirst();
        return trials.size() < 2 || wall <= 0 ? Double.NaN : trainingAfterFirst() / wall;
    }
}
