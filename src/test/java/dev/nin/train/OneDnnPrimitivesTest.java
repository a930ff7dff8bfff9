package dev.nin.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nin.engine.CpuFeatures;
import dev.nin.engine.TensorFlowRuntime;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Which oneDNN convolution primitives a training step really runs, read from oneDNN's own verbose
 * log in a child process (the log is switched on by an environment variable read when TensorFlow
 * loads). A float32 step runs float32 forward, backward-data and backward-weights convolutions; a
 * bf16 step on a CPU with bfloat16 arithmetic runs all three in bf16, and on no CPU runs a float32
 * convolution.
 */
class OneDnnPrimitivesTest {

    /** One convolution primitive execution from the log. */
    record Convolution(String propagation, Map<String, String> types, String line) {
        /**
         * The data types that set the arithmetic: what the primitive reads. oneDNN 3 logs a backward
         * primitive's gradients under the forward names (diff_dst as dst, diff_src as src).
         */
        List<String> inputTypes() {
            List<String> names = switch (propagation) {
                case "backward_data" -> List.of("dst", "wei");
                case "backward_weights" -> List.of("src", "dst");
                default -> List.of("src", "wei");
            };
            return names.stream().map(n -> types.getOrDefault("diff_" + n, types.getOrDefault(n, "missing"))).toList();
        }
    }

    private static final Pattern MEMORY = Pattern.compile("(diff_src|diff_wei|diff_dst|diff_bia|src|wei|bia|dst)_([a-z0-9]+):");

    /** Convolution executions in oneDNN 3's verbose format ({@code onednn_verbose,primitive,exec,cpu,convolution,impl,prop,mds,...}). */
    static List<Convolution> convolutions(String log) {
        List<Convolution> out = new ArrayList<>();
        for (String line : log.split("\n")) {
            if (!line.startsWith("onednn_verbose") || !line.contains(",exec,")) {
                continue;
            }
            String[] f = line.split(",", -1);
            int exec = java.util.Arrays.asList(f).indexOf("exec");
            if (exec < 0 || f.length < exec + 6 || !f[exec + 2].equals("convolution")) {
                continue;
            }
            Map<String, String> types = new java.util.HashMap<>();
            Matcher m = MEMORY.matcher(" " + f[exec + 5]);
            while (m.find()) {
                types.putIfAbsent(m.group(1), m.group(2));
            }
            out.add(new Convolution(f[exec + 4], types, line));
        }
        return out;
    }

    @Test
    void theLogParserReadsOneDnn3Lines() {
        String log = """
                onednn_verbose,info,oneDNN v3.3.4 (commit N/A)
                onednn_verbose,primitive,exec,cpu,convolution,brgconv:avx512_core_bf16,forward_training,src_bf16::blocked:acdb::f0 wei_bf16:a:blocked:AcdB16b16a2b::f0 bia_undef::undef::: dst_bf16::blocked:acdb::f0,attr-scratchpad:user ,alg:convolution_direct,mb32_ic1oc16_ih28oh13kh5sh2dh0ph1_iw28ow13kw5sw2dw0pw1,0.1
                onednn_verbose,primitive,exec,cpu,convolution,jit:avx2,backward_weights,src_f32::blocked:acdb::f0 wei_f32:a:blocked:ABcd8b8a::f0 bia_undef::undef::: dst_f32::blocked:acdb::f0,,alg:convolution_direct,mb8,0.2
                onednn_verbose,primitive,exec,cpu,pooling,jit:avx2,forward_training,src_f32::blocked:acdb::f0 dst_f32::blocked:acdb::f0,,alg:pooling_max,mb8,0.1
                """;
        List<Convolution> c = convolutions(log);
        assertEquals(2, c.size(), "pooling and info lines are not convolutions");
        assertEquals("forward_training", c.get(0).propagation());
        assertEquals(List.of("bf16", "bf16"), c.get(0).inputTypes());
        assertEquals("backward_weights", c.get(1).propagation());
        assertEquals(List.of("f32", "f32"), c.get(1).inputTypes(), "src and diff_dst (logged as dst)");
    }

    @Test
    void aFloat32StepRunsFloat32ConvolutionsForwardAndBackward() throws Exception {
        String log = step("fp32");
        assertTrue(log.contains("onednn_verbose,info,oneDNN v" + dev.nin.engine.TensorFlowRuntime.ONEDNN_VERSION + " "),
                "the oneDNN version nin reports is the one TensorFlow loads: " + log.lines().filter(l -> l.contains(",info,oneDNN"))
                        .findFirst().orElse("no info line"));
        List<Convolution> convolutions = convolutions(log);
        assertEquals(Set.of("forward_training", "backward_data", "backward_weights"), propagations(convolutions),
                "the log was captured and read");
        for (Convolution c : convolutions) {
            assertEquals(List.of("f32", "f32"), c.inputTypes(), c.line());
        }
    }

    @Test
    void aBf16StepRunsNoFloat32ConvolutionAndOnBf16HardwareEveryOneIsBf16() throws Exception {
        List<Convolution> convolutions = convolutions(step("bf16"));
        for (Convolution c : convolutions) {
            assertTrue(!c.inputTypes().contains("f32"), "a float32 convolution in a bf16 step: " + c.line());
        }
        CpuFeatures cpu = CpuFeatures.ofThisMachine();
        Assumptions.assumeTrue(cpu.bf16Arithmetic(), "this CPU (" + cpu.modelName() + ") has no avx512_bf16 or amx_bf16:"
                + " TensorFlow runs bf16 convolutions with Eigen, not oneDNN (" + convolutions.size() + " oneDNN convolutions ran)");
        assertEquals(Set.of("forward_training", "backward_data", "backward_weights"), propagations(convolutions));
        for (Convolution c : convolutions) {
            assertEquals(List.of("bf16", "bf16"), c.inputTypes(), c.line());
        }
    }

    private static Set<String> propagations(List<Convolution> convolutions) {
        Set<String> kinds = new TreeSet<>();
        convolutions.forEach(c -> kinds.add(c.propagation().equals("forward_inference") ? "forward_training" : c.propagation()));
        return kinds;
    }

    /** Runs {@link OneDnnStepMain} with oneDNN's verbose log on and returns everything it printed. */
    private static String step(String precision) throws Exception {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", classpath));
        String natives = System.getProperty(TensorFlowRuntime.NATIVES_ROOT_PROPERTY);
        if (natives != null) {
            command.add("-D" + TensorFlowRuntime.NATIVES_ROOT_PROPERTY + "=" + natives);
        }
        command.addAll(List.of(OneDnnStepMain.class.getName(), precision));
        Path log = Files.createTempFile("nin-onednn", ".log");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().put("ONEDNN_VERBOSE", "1");
            builder.environment().put("TF_ENABLE_ONEDNN_OPTS", "1");
            Process child = builder.start();
            assertTrue(child.waitFor(300, TimeUnit.SECONDS), "the step finished within 300 s");
            String out = Files.readString(log, StandardCharsets.UTF_8);
            assertEquals(0, child.exitValue(), out);
            assertTrue(out.contains("nin-onednn-step-done " + precision), out);
            return out;
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
