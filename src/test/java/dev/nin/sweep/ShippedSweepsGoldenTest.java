package dev.nin.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.nin.data.IdxReader;
import dev.nin.model.NetworkPlan;
import dev.nin.store.TrialConfig;
import dev.nin.train.TrainConfig;
import dev.nin.train.Trainer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Pins, byte for byte, the canonical config JSON and {@code config_hash} of every trial of every
 * shipped sweep file (sweeps/*.yaml) as the planner plans it. The store recognises a trial it
 * already has by that hash ({@code SweepStore.enqueue} skips hashes present), so if a single byte
 * of a shipped trial's config changed, rerunning a stored sweep would queue its trials again as new
 * ones and its results would no longer be comparable with the earlier run.
 *
 * <p>The fixture, src/test/resources/golden/shipped-sweeps.tsv, was generated once from the code on
 * 2026-12-02 (main at b2d6d7a), before the validation changes of issue 13, and is never regenerated
 * to make this test pass. When this test fails, the change altered the identity of stored trials:
 * undo it, or, if the change is intended, say so in its commit and explain what happens to stored
 * sweeps. The actual output is written to target/golden/shipped-sweeps.tsv for a diff.
 *
 * <p>Each fixture line is {@code FILE<TAB>INDEX<TAB>SEED<TAB>CONFIG_HASH<TAB>CONFIG_JSON}; JSON never
 * holds a raw tab (Jackson escapes it), so the split is unambiguous.
 */
class ShippedSweepsGoldenTest {

    private static final String FIXTURE = "/golden/shipped-sweeps.tsv";

    @Test
    void everyShippedTrialKeepsItsConfigBytesAndHash() throws IOException {
        byte[] actual = render().getBytes(StandardCharsets.UTF_8);
        byte[] expected = fixture();
        if (!Arrays.equals(expected, actual)) {
            Path out = Path.of("target/golden/shipped-sweeps.tsv");
            Files.createDirectories(out.getParent());
            Files.write(out, actual);
            if (expected.length == 0) {
                fail("missing or empty fixture " + FIXTURE + "; actual in " + out);
            }
            // Line by line first, so the failure names the trial whose config moved.
            List<String> e = new String(expected, StandardCharsets.UTF_8).lines().toList();
            List<String> a = new String(actual, StandardCharsets.UTF_8).lines().toList();
            for (int i = 0; i < Math.min(e.size(), a.size()); i++) {
                assertEquals(e.get(i), a.get(i), "line " + (i + 1) + " of " + FIXTURE + " (actual in " + out + ")");
            }
            assertEquals(e.size(), a.size(), "trials in " + FIXTURE + " (actual in " + out + ")");
            fail("bytes differ from " + FIXTURE + " (line endings or encoding); actual in " + out);
        }
    }

    @Test
    void fixtureHashesAreTheSha256OfTheirJson() throws IOException {
        List<String> lines = new String(fixture(), StandardCharsets.UTF_8).lines().filter(l -> !l.startsWith("#")).toList();
        assertTrue(lines.size() > 0, "the fixture lists trials");
        for (String line : lines) {
            String[] f = line.split("\t", -1);
            assertEquals(5, f.length, line);
            assertEquals(f[3], IdxReader.sha256(f[4].getBytes(StandardCharsets.UTF_8)), line);
        }
    }

    private static byte[] fixture() throws IOException {
        try (InputStream in = ShippedSweepsGoldenTest.class.getResourceAsStream(FIXTURE)) {
            return in == null ? new byte[0] : in.readAllBytes();
        }
    }

    /** Every trial of every shipped sweep, computed as {@code SweepStore.enqueue} computes what it stores. */
    static String render() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(Path.of("sweeps"))) {
            files = new ArrayList<>(s.filter(p -> p.getFileName().toString().endsWith(".yaml")).sorted().toList());
        }
        StringBuilder out = new StringBuilder("# file\tindex\tseed\tconfig_hash\tconfig_json\n");
        for (Path file : files) {
            SweepFile sweep = SweepParser.parse(file);
            for (PlannedTrial p : SweepPlanner.plan(sweep)) {
                TrainConfig config = p.hyperparameters().toTrainConfig(p.seed(), sweep.threads(), sweep.stall().rule());
                NetworkPlan network = config.plan(sweep.model(p.hyperparameters().variant()));
                TrialConfig resolved = TrialConfig.of(network, config, sweep.data());
                out.append(file.getFileName()).append('\t').append(p.index()).append('\t').append(p.seed()).append('\t')
                        .append(resolved.sha256()).append('\t').append(resolved.json()).append('\n');
            }
        }
        return out.toString();
    }
}
