package dev.nin.cli;

import dev.nin.engine.DeviceRequest;
import dev.nin.sweep.SweepRunner;

import picocli.CommandLine.Option;

/** How a worker runs the trials it claims; shared by {@code sweep} and {@code worker}. */
public class TrialRunOptions {

    @Option(names = "--save-models", description = "Export every completed trial as a TensorFlow SavedModel (~/.nin/models/trial-ID).")
    boolean saveModels;

    @Option(names = "--no-measure-memory", description = "Skip measuring each network's training and prediction memory"
            + " (fresh processes, a few seconds per distinct network; trials with the same network share the figures).")
    boolean noMeasureMemory;

    @Option(names = "--fail-fast", description = "Stop at the first failed trial (default: record it and go on).")
    boolean failFast;

    SweepRunner.Options toOptions(DeviceRequest device, int maxTrials, SweepRunner.Waiting waiting) {
        return new SweepRunner.Options(device, failFast, maxTrials, saveModels, !noMeasureMemory, waiting);
    }
}
