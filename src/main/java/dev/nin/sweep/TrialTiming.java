package dev.nin.sweep;

/**
 * Where one trial's wall time went, in seconds, and the process's memory after it.
 *
 * @param wall from claiming the trial's row to recording its end
 * @param training inside training steps ({@code Session.run} of a batch, feeds included)
 * @param evaluation inside evaluation of the validation and test images
 * @param memoryMeasurement measuring the network's memory in fresh processes (0 when reused or skipped)
 * @param residentBytesAfter this process's resident memory after the trial (-1 where unknown): it
 *        must not grow from trial to trial
 */
public record TrialTiming(double wall, double training, double evaluation, double memoryMeasurement,
        long residentBytesAfter) {

    /** Wall time not spent in TensorFlow steps nor measuring memory: graph building, data, store writes. */
    public double overhead() {
        return Math.max(0, wall - training - evaluation - memoryMeasurement);
    }
}
