package dev.nin.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SweepParserTest {

    private static final String GOOD = """
            name: t
            base:
              variant: no-1x1
              resize: 67
            data:
              validation: 100
            axes:
              lr: [0.01, 0.1]
            """;

    static Stream<Arguments> badFiles() {
        return Stream.of(
                Arguments.of("name: t\nbase:\n  learning_rate: 0.1\n", "t.yaml:3:3: base.learning_rate: unknown key",
                        "did you mean lr?"),
                Arguments.of("name: t\nbase:\n  lr: -1\n", "t.yaml:3:7: base.lr: expected a learning rate > 0", "found -1"),
                Arguments.of("name: t\nbase:\n  lr: fast\n", "t.yaml:3:7: base.lr: expected a number", "found 'fast'"),
                Arguments.of("name: t\nbase:\n  resize: 50\ndata:\n  validation: 10\n", "t.yaml:3:11: resize: expected at least 67",
                        "found 50"),
                Arguments.of("name: t\ndata:\n  validation: 10\naxes:\n  lr: []\n", "t.yaml:5:7: axes.lr: an axis needs at least one value",
                        "empty list"),
                Arguments.of("name: t\ndata:\n  validation: 10\naxes:\n  lr: {log_uniform: [0.01, 0.1]}\n",
                        "t.yaml:5:7: axes.lr: a log_uniform range needs strategy: random", "list of values"),
                Arguments.of("name: t\ndata:\n  validation: 10\nvariants: [standard, resnet]\n", "t.yaml:4:22: variants[1]:",
                        "found 'resnet'"),
                Arguments.of("name: t\n", "t.yaml:1:1: data.validation: the metric validation_accuracy needs held-out images",
                        "metric: train_loss"),
                Arguments.of("name: t\nmetric: test_accuracy\n", "t.yaml:2:9: metric: the test set is reported, never tuned on", null),
                Arguments.of("name: t\ndata:\n  validation: 10\nstrategy: random\n", "t.yaml:4:11: budget: random search needs a budget", null),
                Arguments.of("name: t\ndata:\n  validation: 10\naxes:\n  lr: {log_uniform: [0.01, 0.1]}\nstrategy: tpe\n", "t.yaml:6:11: budget: tpe needs a budget", "e.g. 30"),
                Arguments.of("name: t\ndata:\n  validation: 10\naxes:\n  lr: {log_uniform: [0.01, 0.1]}\nstrategy: tpe\nbudget: 10\n", "t.yaml:7:9: budget: expected more than tpe's 10 start-up trials",
                        "found 10"),
                Arguments.of("name: t\ndata:\n  validation: 10\naxes:\n  lr: {log_uniform: [0.01, 0.1]}\nstrategy: tpe\nbudget: 8\ntpe: {startup_trials: 8}\n",
                        "t.yaml:8:23: tpe.startup_trials: expected fewer than the budget of 8", "found 8"),
                Arguments.of("name: t\ndata:\n  validation: 10\naxes:\n  lr: {log_uniform: [0.01, 0.1]}\nstrategy: tpe\nbudget: 30\ntpe: {gamma: 1.5}\n", "t.yaml:8:14: tpe.gamma: expected a fraction", "found 1.5"),
                Arguments.of("name: t\ndata:\n  validation: 10\naxes:\n  lr: {log_uniform: [0.01, 0.1]}\nstrategy: tpe\nbudget: 30\ntpe: {warmup: 3}\n", "t.yaml:8:7: tpe.warmup: unknown key", "startup_trials"),
                Arguments.of("name: t\ndata:\n  validation: 10\naxes:\n  lr: {log_uniform: [0.01, 0.1]}\nstrategy: tpe\nbudget: 30\nseeds: [1, 2]\n", "t.yaml:8:8: seeds: tpe runs each configuration once",
                        "found 2"),
                Arguments.of("name: t\ndata:\n  validation: 10\naxes:\n  lr: {log_uniform: [0.01, 0.1]}\nstrategy: random\nbudget: 30\ntpe: {gamma: 0.2}\n", "t.yaml:8:6: tpe: only strategy: tpe takes tpe",
                        null),
                Arguments.of("name: T!\n", "t.yaml:1:7: name: expected lower-case letters", "found 'T!'"),
                Arguments.of("base:\n  lr: 0.1\n", "t.yaml:1:1: name: required", null),
                Arguments.of("name: t\nbase: [1, 2]\n", "t.yaml:2:7: base: expected a mapping", null),
                Arguments.of("name: t\nbase:\n  epochs: 2.5\n", "t.yaml:3:11: base.epochs: expected a whole number", "found 2.5"),
                Arguments.of("name: t\nseeds: [1, 1]\n", "t.yaml:2:12: seeds[1]: seed 1 appears twice", null),
                Arguments.of("name: t\nbase:\n  momentum: 1.0\n", "t.yaml:3:13: base.momentum: expected a value in [0, 1)", null),
                Arguments.of("name: t\nname: u\n", "t.yaml:2:1: name: appears twice", null),
                Arguments.of("name: t\nbase: {lr: [0.1\n", "t.yaml:", "not valid YAML"),
                Arguments.of("name: t\nmodels:\n  m: {from: standard, blocks: {5: {kernel: 3}}}\n",
                        "t.yaml:3:35: models.m.blocks.5: expected a block number from 1 to 4", "found '5'"),
                Arguments.of("name: t\nmodels:\n  m: {from: standard, blocks: {4: {out_channels: 12}}}\n",
                        "t.yaml:3:6: models.m: layers of m: expected the last nin_block to output 10 channels", "found 12"),
                Arguments.of("name: t\nmodels:\n  m: {from: standard, blocks: {2: {channels: 12}}}\n",
                        "t.yaml:3:36: models.m.blocks.2.channels: unknown key", "out_channels"),
                Arguments.of("name: t\nmodels:\n  m: {from: resnet}\n", "t.yaml:3:13: models.m.from: expected one of", "found 'resnet'"),
                Arguments.of("name: t\nmodels:\n  standard: {from: standard}\n", "t.yaml:3:13: models.standard: 'standard' is a built-in variant",
                        null),
                Arguments.of("name: t\nmodels:\n  m: {from: standard, blocks: {1: {padding: 11}}}\n",
                        "t.yaml:3:35: models.m.blocks.1: nin_block.padding: expected less than the kernel (11)", "found 11"));
    }

    @Test
    void modelsOverrideBlocksOfABuiltInVariant() {
        SweepFile sweep = SweepParser.parse("t.yaml", """
                name: t
                models:
                  wide-head:
                    from: standard
                    blocks:
                      3: {out_channels: 512}
                      4: {one_by_one_convs: 1}
                    dropout: 0.3
                data:
                  validation: 100
                variants: [standard, wide-head]
                base:
                  resize: 96
                """);
        dev.nin.model.ModelSpec wide = sweep.model("wide-head");
        assertEquals("wide-head", wide.variant());
        List<dev.nin.model.LayerSpec> layers = wide.layers();
        assertEquals(new dev.nin.model.NinBlock(512, 3, 1, 1, 2), layers.get(4));
        assertEquals(new dev.nin.model.Dropout(0.3), layers.get(6));
        assertEquals(new dev.nin.model.NinBlock(10, 3, 1, 1, 1), layers.get(7));
        // Blocks 1 and 2 are the book's.
        assertEquals(dev.nin.model.Variants.standard().layers().subList(0, 4), layers.subList(0, 4));
        // By hand: block3 5*5... 3x3 conv 256->512: 3*3*256*512 + 512 = 1,180,160; two 1x1 512->512: 2 * (512*512 + 512)
        // = 525,312; block4 3x3 512->10: 3*3*512*10 + 10 = 46,090; one 1x1 10->10: 110. Blocks 1 and 2 as the book's:
        // 11,712 + 2 * 9,312 + 614,656 + 2 * 65,792 = 776,576.
        assertEquals(776_576L + 1_180_160 + 525_312 + 46_090 + 110, dev.nin.model.NetworkPlan.of(wide, 96).params());
        assertEquals(dev.nin.model.Variants.standard(), sweep.model("standard"));
    }

    @ParameterizedTest
    @MethodSource("badFiles")
    void badInputNamesFileLineAndKey(String yaml, String expectedStart, String expectedHint) {
        SweepFileException error = assertThrows(SweepFileException.class, () -> SweepParser.parse("t.yaml", yaml));
        // Every error starts with the file, and where known its line, column and key: the start is exact.
        assertTrue(error.getMessage().startsWith(expectedStart), error.getMessage());
        // No hint expected means the problem is the whole message after the start (no hint is tested by "").
        if (expectedHint != null) {
            assertTrue(error.getMessage().contains(expectedHint), error.getMessage());
        }
    }

    @Test
    void missingFileIsAnError() {
        SweepFileException error = assertThrows(SweepFileException.class, () -> SweepParser.parse(Path.of("no/such.yaml")));
        assertEquals("no/such.yaml: no such file", error.getMessage());
    }

    @Test
    void goodFileParsesWithDefaultsFromTheBook() {
        SweepFile sweep = SweepParser.parse("t.yaml", GOOD);
        assertEquals("t", sweep.name());
        assertEquals("no-1x1", sweep.base().variant());
        assertEquals(0.1, sweep.base().lr());
        assertEquals(10, sweep.base().epochs());
        assertEquals(128, sweep.base().batch());
        assertEquals(List.of(1L), sweep.seeds());
        assertEquals(SweepFile.Strategy.GRID, sweep.strategy());
        assertEquals(dev.nin.config.Metric.VALIDATION_ACCURACY, sweep.metric());
        assertEquals(64, sweep.contentHash().length());
    }

    @Test
    void everyShippedSweepFileParsesAndPlans() throws Exception {
        try (var files = Files.list(Path.of("sweeps"))) {
            List<Path> yamls = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
            assertEquals(List.of("ablations.yaml", "book-224.yaml", "book-67.yaml", "book-plateau.yaml", "exercise-1-book-96.yaml", "exercise-1-book.yaml", "exercise-1-retrain-96.yaml", "exercise-1-retrain.yaml", "exercise-1-search.yaml", "exercise-2-96-bn.yaml", "exercise-2-96.yaml", "exercise-2.yaml", "exercise-3.yaml", "exercise-4-195.yaml", "exercise-4.yaml", "lr.yaml", "precision.yaml", "quick.yaml", "tune-random.yaml", "tune.yaml", "tuned-67.yaml"),
                    yamls.stream().map(p -> p.getFileName().toString()).toList());
            for (Path yaml : yamls) {
                SweepFile sweep = SweepParser.parse(yaml);
                assertTrue(SweepPlanner.plan(sweep).size() > 0, yaml.toString());
            }
        }
        assertEquals(15, SweepPlanner.plan(SweepParser.parse(Path.of("sweeps/ablations.yaml"))).size());
        assertEquals(4, SweepPlanner.plan(SweepParser.parse(Path.of("sweeps/quick.yaml"))).size());
    }
}
