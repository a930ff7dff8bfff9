package dev.nin.track;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.mlflow.api.proto.Service.Metric;
import org.mlflow.tracking.MlflowClient;

/** MLflow's batch and key limits, met by chunking and sanitising, against a real server. */
class MlflowLimitsIT {

    @Test
    void longValuesOddKeysAndThousandsOfMetricsArriveWhole() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (MlflowServer server = new MlflowServer(Path.of("target/mlflow-limits").toAbsolutePath(), port).start()) {
            MlflowClient client = new MlflowClient(server.uri());
            String experiment = client.createExperiment("limits-" + System.nanoTime());
            String run = client.createRun(experiment).getRunId();

            List<Metric> metrics = new ArrayList<>();
            for (int step = 0; step < 2500; step++) {
                metrics.add(Metric.newBuilder().setKey(MlflowLimits.key("loss(train)")).setValue(step * 0.5)
                        .setTimestamp(1_000_000L + step).setStep(step).build());
            }
            List<MlflowLimits.Entry> params = new ArrayList<>();
            for (int i = 0; i < 150; i++) {
                params.add(new MlflowLimits.Entry(MlflowLimits.key("p:" + i + "?"), Integer.toString(i)));
            }
            String longValue = "a".repeat(7000) + "b".repeat(7000);
            params.addAll(MlflowLimits.split("config json", longValue, MlflowLimits.MAX_PARAM_VALUE));
            List<MlflowLimits.Entry> tags = List.of(new MlflowLimits.Entry(MlflowLimits.key("odd#tag*"), "x".repeat(9000)));
            List<MlflowLimits.Entry> tagParts = MlflowLimits.split(tags.get(0).key(), tags.get(0).value(), MlflowLimits.MAX_TAG_VALUE);

            new MlflowSync(null, server.uri()).sendBatches(run, metrics, params, tagParts);

            List<Metric> history = client.getMetricHistory(run, "loss_train_");
            assertEquals(2500, history.size());
            assertEquals(2499 * 0.5, history.stream().mapToDouble(Metric::getValue).max().orElseThrow());
            Map<String, String> logged = client.getRun(run).getData().getParamsList().stream()
                    .collect(Collectors.toMap(p -> p.getKey(), p -> p.getValue()));
            assertEquals("7", logged.get("p_7_"));
            assertEquals(longValue, logged.get("config json") + logged.get("config json.part2") + logged.get("config json.part3"));
            Map<String, String> tagsBack = client.getRun(run).getData().getTagsList().stream()
                    .collect(Collectors.toMap(t -> t.getKey(), t -> t.getValue()));
            assertEquals("x".repeat(9000), tagsBack.get("odd_tag_") + tagsBack.get("odd_tag_.part2"));
        }
    }
}
