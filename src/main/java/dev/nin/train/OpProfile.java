package dev.nin.train;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;

/**
 * Where a step's time goes, op type by op type, from TensorFlow's own step statistics (a run with
 * {@code RunOptions.TraceLevel.FULL_TRACE}). Times are each kernel's own compute time, summed over
 * the traced steps; kernels on different threads overlap, so the total can exceed the wall time.
 *
 * @param rows one row per op type, most time first
 * @param steps traced steps the times are summed over
 */
public record OpProfile(List<Row> rows, int steps) {

    /**
     * One op type.
     *
     * @param opType TensorFlow's op type as the kernel ran it (oneDNN's rewrites show as {@code _Mkl…})
     * @param executions kernel executions over the traced steps
     * @param micros summed kernel time over the traced steps, microseconds
     */
    public record Row(String opType, int executions, long micros) {}

    /** Summed kernel time of every row, microseconds. */
    public long totalMicros() {
        return rows.stream().mapToLong(Row::micros).sum();
    }

    /** Adds up the node statistics of {@code metadata}, one run each, by op type. */
    public static OpProfile of(List<RunMetadata> metadata) {
        Map<String, long[]> byType = new HashMap<>();
        for (RunMetadata run : metadata) {
            for (DeviceStepStats device : run.getStepStats().getDevStatsList()) {
                // Stream and memcpy pseudo-devices of a GPU repeat its kernels' times.
                if (device.getDevice().contains("stream") || device.getDevice().contains("memcpy")) {
                    continue;
                }
                for (NodeExecStats node : device.getNodeStatsList()) {
                    long[] sum = byType.computeIfAbsent(opType(node), t -> new long[2]);
                    sum[0]++;
                    sum[1] += Math.max(0, node.getOpEndRelMicros() - node.getOpStartRelMicros());
                }
            }
        }
        List<Row> rows = new ArrayList<>();
        byType.forEach((type, sum) -> rows.add(new Row(type, (int) sum[0], sum[1])));
        rows.sort(Comparator.comparingLong(Row::micros).reversed().thenComparing(Row::opType));
        return new OpProfile(List.copyOf(rows), metadata.size());
    }

    /**
     * The op type of a node: its timeline label reads {@code "name = OpType(inputs)"}; TensorFlow's
     * bookkeeping nodes (_SOURCE, _Recv …) have no label and keep their name.
     */
    static String opType(NodeExecStats node) {
        String label = node.getTimelineLabel();
        int eq = label.indexOf(" = ");
        if (eq < 0) {
            return node.getNodeName();
        }
        int open = label.indexOf('(', eq);
        return label.substring(eq + 3, open < 0 ? label.length() : open).trim();
    }
}
