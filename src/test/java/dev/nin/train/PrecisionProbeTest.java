package dev.nin.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nin.engine.RuntimeInfo;
import dev.nin.model.ComputePrecision;
import dev.nin.model.ModelSpec;
import dev.nin.model.Variants;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** auto's measurements are taken once per key and kept under the home; a new key is measured anew. */
class PrecisionProbeTest {

    @TempDir
    Path home;

    /** A meter that answers the given speeds and counts its calls. */
    private static final class FakeMeter implements PrecisionProbe.Meter {
        final List<String> measured = new ArrayList<>();
        double fp32 = 320;
        double bf16 = 190;

        @Override
        public PrecisionChoice.Speeds measure(ModelSpec spec, int resize, int batch) {
            measured.add(spec.variant() + "@" + resize + "/" + batch);
            return new PrecisionChoice.Speeds(fp32, bf16);
        }
    }

    private PrecisionProbe probe(RuntimeInfo runtime, int threads, FakeMeter meter, List<String> lines) {
        return new PrecisionProbe(home.resolve(PrecisionProbe.FILE), runtime, threads, meter, lines::add);
    }

    private static RuntimeInfo cpu(String processor, String tensorflow) {
        return new RuntimeInfo("cpu()", false, tensorflow, "0.36.0", true, true, "avx512_bf16", processor);
    }

    @Test
    void aShapeIsMeasuredOnceAndItsFiguresKept() {
        FakeMeter meter = new FakeMeter();
        List<String> lines = new ArrayList<>();
        RuntimeInfo intel = cpu("GenuineIntel family 6 model 207", "2.16.1");
        PrecisionChoice first = probe(intel, 2, meter, lines).choose(PrecisionChoice.Request.AUTO, Variants.ninBn(), 96, 128);
        assertEquals(ComputePrecision.FP32, first.precision());
        assertEquals(List.of("nin-bn@96/128"), meter.measured);
        assertEquals(1, lines.size(), "the user is told a measurement runs: " + lines);
        assertTrue(Files.exists(home.resolve(PrecisionProbe.FILE)));

        // A new probe (a later process) reads the kept figures: no second measurement, the same choice.
        meter.bf16 = 9999;
        PrecisionChoice again = probe(intel, 2, meter, lines).choose(PrecisionChoice.Request.AUTO, Variants.ninBn(), 96, 128);
        assertEquals(first, again);
        assertEquals(1, meter.measured.size());
    }

    @Test
    void whatTheSpeedDependsOnIsTheKey() {
        FakeMeter meter = new FakeMeter();
        List<String> lines = new ArrayList<>();
        RuntimeInfo intel = cpu("GenuineIntel family 6 model 207", "2.16.1");
        probe(intel, 2, meter, lines).choose(PrecisionChoice.Request.AUTO, Variants.ninBn(), 96, 128);
        probe(intel, 2, meter, lines).choose(PrecisionChoice.Request.AUTO, Variants.ninBn(), 224, 128);
        probe(intel, 2, meter, lines).choose(PrecisionChoice.Request.AUTO, Variants.ninBn(), 96, 64);
        probe(intel, 2, meter, lines).choose(PrecisionChoice.Request.AUTO, Variants.standard(), 96, 128);
        probe(intel, 1, meter, lines).choose(PrecisionChoice.Request.AUTO, Variants.ninBn(), 96, 128);
        probe(cpu("AuthenticAMD family 26 model 2", "2.16.1"), 2, meter, lines)
                .choose(PrecisionChoice.Request.AUTO, Variants.ninBn(), 96, 128);
        probe(cpu("GenuineIntel family 6 model 207", "2.17.0"), 2, meter, lines)
                .choose(PrecisionChoice.Request.AUTO, Variants.ninBn(), 96, 128);
        assertEquals(7, meter.measured.size(), "each change of shape, threads, CPU or TensorFlow is measured: " + meter.measured);
        // A network of the same name but another architecture (a sweep's override) is another shape.
        ModelSpec book = Variants.standard();
        ModelSpec namedLikeNinBn = new ModelSpec("nin-bn", book.inputChannels(), book.classes(), book.layers(), false);
        PrecisionProbe p = probe(intel, 2, meter, lines);
        assertNotEquals(p.key(Variants.ninBn(), 96, 128), p.key(namedLikeNinBn, 96, 128));
    }

    @Test
    void aDamagedFileIsMeasuredAnewAndRewritten() throws Exception {
        Files.writeString(home.resolve(PrecisionProbe.FILE), "{\"probes\": [1, 2");
        FakeMeter meter = new FakeMeter();
        meter.bf16 = 500;
        PrecisionChoice choice = probe(cpu("x", "2.16.1"), 2, meter, new ArrayList<>())
                .choose(PrecisionChoice.Request.AUTO, Variants.ninBn(), 96, 128);
        assertEquals(ComputePrecision.BF16, choice.precision());
        assertEquals(1, meter.measured.size());
        assertTrue(Files.readString(home.resolve(PrecisionProbe.FILE)).contains("\"bf16\" : 500.0"));
    }

    @Test
    void fixedRequestsAndDevicesWithoutBf16AreNeverMeasured() {
        FakeMeter meter = new FakeMeter();
        RuntimeInfo avx2 = new RuntimeInfo("cpu()", false, "2.16.1", "0.36.0", true, false, "no avx512_bf16", "x");
        for (PrecisionChoice.Request r : PrecisionChoice.Request.values()) {
            probe(avx2, 2, meter, new ArrayList<>()).choose(r, Variants.ninBn(), 96, 128);
        }
        probe(cpu("x", "2.16.1"), 2, meter, new ArrayList<>()).choose(PrecisionChoice.Request.BF16, Variants.ninBn(), 96, 128);
        assertEquals(List.of(), meter.measured);
        assertTrue(Files.notExists(home.resolve(PrecisionProbe.FILE)));
    }
}
