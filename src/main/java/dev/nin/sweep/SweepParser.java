package dev.nin.sweep;

import dev.nin.config.Metric;
import dev.nin.config.Knob;
import dev.nin.data.DataOptions;
import dev.nin.data.IdxReader;
import dev.nin.model.LayerSpec;
import dev.nin.model.ModelSpec;
import dev.nin.model.NinBlock;
import dev.nin.model.NetworkPlan;
import dev.nin.model.Variants;
import dev.nin.train.StallRule;
import dev.nin.train.TrainConfig;

import com.fasterxml.jackson.core.JacksonException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.file.AccessDeniedException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.nin.sweep.tpe.Tpe;

/**
 * Reads a sweep file and checks everything before anything runs: unknown keys, wrong types,
 * impossible values and empty axes are errors naming the file, line, column and key, with a hint.
 */
public final class SweepParser {

    static final Set<String> TOP_KEYS = Set.of("name", "description", "models", "base", "data", "axes", "variants", "seeds",
            "repeats", "strategy", "budget", "sampler_seed", "tpe", "metric", "device", "threads", "stall", "pruning");

    /** Keys of {@code tpe:}. */
    static final Set<String> TPE_KEYS = Set.of("startup_trials", "gamma", "candidates");

    /** Keys of {@code stall:}. */
    static final Set<String> STALL_KEYS = Set.of("steps", "band", "retry_with_next_seed", "max_retries");

    /** Keys of {@code pruning:}. */
    static final Set<String> PRUNING_KEYS = Set.of("method", "min_epochs", "eta", "min_trials");

    /** Keys of one entry under {@code models:}. */
    static final Set<String> MODEL_KEYS = Set.of("from", "blocks", "dropout", "batch_norm");

    /** What a block override may change: the fields of {@link NinBlock}. */
    static final Set<String> BLOCK_KEYS = Set.of("out_channels", "kernel", "stride", "padding", "one_by_one_convs");

    /** Keys of {@code data:}: the registry's {@code data.*} knobs. */
    static final Set<String> DATA_KEYS = java.util.Arrays.stream(Knob.values()).filter(k -> k.key.startsWith("data."))
            .map(k -> k.key.substring("data.".length())).collect(java.util.stream.Collectors.toUnmodifiableSet());

    private final String file;

    /** Variants this file defines under {@code models:}; read before anything that names a variant. */
    private Map<String, ModelSpec> models = Map.of();

    private SweepParser(String file) {
        this.file = file;
    }

    /**
     * The largest sweep file read. The shipped ones are 1-2 KiB; the limit keeps a wrong argument
     * (a dataset, /dev/zero) from being read into memory before it is refused.
     */
    public static final int MAX_FILE_BYTES = 1 << 20;

    /** Parses {@code path}; every problem is a {@link SweepFileException}. */
    public static SweepFile parse(Path path) {
        return parse(path.toString(), readText(path));
    }

    /**
     * The text of a sweep file, or a {@link SweepFileException} saying in one line why it cannot be
     * one: missing, a directory, unreadable, too large, binary or not UTF-8 (with line and column).
     */
    public static String readText(Path path) {
        if (Files.isDirectory(path)) {
            throw new SweepFileException(path + ": is a directory; expected a sweep file (YAML) such as sweeps/quick.yaml");
        }
        byte[] bytes;
        // Read at most one byte past the limit: a pipe or device has no size to check first.
        try (InputStream in = Files.newInputStream(path)) {
            bytes = in.readNBytes(MAX_FILE_BYTES + 1);
        } catch (NoSuchFileException e) {
            throw new SweepFileException(path + ": no such file");
        } catch (AccessDeniedException e) {
            throw new SweepFileException(path + ": permission denied; make the file readable by this user (chmod u+r)");
        } catch (IOException e) {
            throw new SweepFileException(path + ": cannot read (" + ioReason(e) + ")");
        }
        if (bytes.length > MAX_FILE_BYTES) {
            throw new SweepFileException(path + ": larger than " + (MAX_FILE_BYTES >> 20)
                    + " MiB, too large for a sweep file; is this the right file?");
        }
        return utf8(path.toString(), bytes);
    }

    /** An I/O failure's reason in words: the message where there is one, else the kind of failure. */
    private static String ioReason(IOException e) {
        String message = e.getMessage();
        String kind = e.getClass().getSimpleName().replaceAll("(Exception|Error)$", "").replaceAll("([a-z])([A-Z])", "$1 $2")
                .toLowerCase(Locale.ROOT);
        return message == null || message.isBlank() ? kind : kind + ": " + message;
    }

    /**
     * Decodes strictly: a byte that is not UTF-8 is an error at its line and column instead of a
     * replacement character (or Java's bare "Input length = 1"); a NUL byte means binary data.
     */
    static String utf8(String file, byte[] bytes) {
        int nul = 0;
        while (nul < bytes.length && bytes[nul] != 0) {
            nul++;
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        // Whichever problem comes first in the file is the one reported.
        if (nul < bytes.length && (!result.isError() || nul < in.position())) {
            throw new SweepFileException(file + ":" + position(bytes, nul)
                    + ": a NUL byte: this is binary data, not a YAML text file; is this the right file?");
        }
        if (result.isError()) {
            int at = in.position();
            throw new SweepFileException(String.format(Locale.ROOT,
                    "%s:%s: not UTF-8 text (byte 0x%02x); save the file as UTF-8", file, position(bytes, at), bytes[at] & 0xff));
        }
        return out.flip().toString();
    }

    /** "line:column" (1-based, columns in characters) of the byte at {@code offset}, all bytes before it valid UTF-8. */
    private static String position(byte[] bytes, int offset) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < offset; i++) {
            if (bytes[i] == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        String before = new String(bytes, lineStart, offset - lineStart, StandardCharsets.UTF_8);
        int column = before.codePointCount(0, before.length()) + 1;
        return line + ":" + column;
    }

    /** Parses {@code text}, reporting errors as coming from {@code file}. */
    public static SweepFile parse(String file, String text) {
        SweepParser parser = new SweepParser(file);
        try {
            YamlNode root = YamlNode.parse(new StringReader(text));
            return parser.sweep(root, IdxReader.sha256(text.getBytes(StandardCharsets.UTF_8)));
        } catch (SweepFileException.Positioned p) {
            throw new SweepFileException(file + ":" + p.line + ":" + p.column + ": " + p.key + ": " + p.problem);
        } catch (JacksonException e) {
            var at = e.getLocation();
            String where = at == null ? "" : ":" + at.getLineNr() + ":" + at.getColumnNr();
            throw new SweepFileException(file + where + ": not valid YAML (" + oneLine(e.getOriginalMessage()) + ")");
        } catch (IOException e) {
            throw new SweepFileException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    /**
     * SnakeYAML's message in one line: its problems without the "in 'reader', line L, column C:"
     * lines and the excerpt and caret that follow each (the position is already in front).
     */
    static String oneLine(String message) {
        List<String> kept = new ArrayList<>();
        List<String> lines = message == null ? List.of() : message.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).matches("\\s*in '[^']*', line \\d+, column \\d+:?\\s*")) {
                i += 2;
            } else if (!lines.get(i).isBlank()) {
                kept.add(lines.get(i).strip());
            }
        }
        return kept.isEmpty() ? "unreadable" : String.join("; ", kept);
    }

    private SweepFile sweep(YamlNode root, String hash) {
        Map<String, YamlNode> top = mapping(root, "(the file)");
        checkKeys(root, TOP_KEYS, "");
        String name = string(required(root, top, "name"), "name");
        if (!name.matches("[a-z0-9][a-z0-9._-]{0,62}")) {
            throw at(top.get("name"), "name", "expected lower-case letters, digits, '.', '_' or '-' (at most 63), found '"
                    + name + "'");
        }
        String description = top.containsKey("description") ? string(top.get("description"), "description") : "";
        if (top.containsKey("models")) {
            models = models(top.get("models"));
        }

        Hyperparameters base = Hyperparameters.book();
        Set<String> variants = new LinkedHashSet<>();
        if (top.containsKey("base")) {
            YamlNode baseNode = top.get("base");
            checkKeys(baseNode, Set.copyOf(Hyperparameters.KEYS), "base.");
            for (Map.Entry<String, YamlNode> e : mapping(baseNode, "base").entrySet()) {
                base = base.with(e.getKey(), hyperparameter(e.getValue(), e.getKey(), "base." + e.getKey()));
            }
        }
        variants.add(base.variant());

        DataOptions data = DataOptions.ALL;
        YamlNode dataNode = top.get("data");
        int validation = 0;
        if (dataNode != null) {
            checkKeys(dataNode, DATA_KEYS, "data.");
            Map<String, YamlNode> d = mapping(dataNode, "data");
            int trainLimit = d.containsKey("train_limit") ? (int) whole(d.get("train_limit"), "data.train_limit", Knob.TRAIN_LIMIT) : 0;
            validation = d.containsKey("validation") ? (int) whole(d.get("validation"), "data.validation", Knob.VALIDATION) : 0;
            int testLimit = d.containsKey("test_limit") ? (int) whole(d.get("test_limit"), "data.test_limit", Knob.TEST_LIMIT) : 0;
            data = new DataOptions(trainLimit, validation, testLimit);
        }

        List<Axis> axes = new ArrayList<>();
        YamlNode axesNode = top.get("axes");
        if (axesNode != null) {
            checkKeys(axesNode, Set.copyOf(Hyperparameters.KEYS), "axes.");
            for (Map.Entry<String, YamlNode> e : mapping(axesNode, "axes").entrySet()) {
                Axis axis = axis(e.getKey(), e.getValue());
                axes.add(axis);
                if (axis instanceof Axis.Values v && e.getKey().equals("variant")) {
                    v.values().forEach(x -> variants.add((String) x));
                }
            }
        }
        if (top.containsKey("variants")) {
            if (axes.stream().anyMatch(a -> a.key().equals("variant"))) {
                throw at(top.get("variants"), "variants", "expected either 'variants' or 'axes.variant', found both");
            }
            Axis axis = axis("variant", top.get("variants"));
            axes.add(0, axis);
            ((Axis.Values) axis).values().forEach(x -> variants.add((String) x));
        }

        // Every resize the sweep can use must fit every variant it uses.
        checkResizes(top, base, variants);
        checkNesterov(top, base, axes);

        List<Long> seeds = new ArrayList<>();
        if (top.containsKey("seeds") && top.containsKey("repeats")) {
            throw at(top.get("repeats"), "repeats", "expected either 'seeds' (a list) or 'repeats' (a count), found both");
        }
        if (top.containsKey("seeds")) {
            YamlNode seedsNode = top.get("seeds");
            List<YamlNode> list = list(seedsNode, "seeds");
            for (int i = 0; i < list.size(); i++) {
                long seed = whole(list.get(i), "seeds[" + i + "]", Knob.SEED);
                if (seeds.contains(seed)) {
                    throw at(list.get(i), "seeds[" + i + "]", "seed " + seed + " appears twice");
                }
                seeds.add(seed);
            }
        } else {
            long repeats = top.containsKey("repeats") ? integer(top.get("repeats"), "repeats", 1, 100) : 1;
            for (long s = 1; s <= repeats; s++) {
                seeds.add(s);
            }
        }

        SweepFile.Strategy strategy = SweepFile.Strategy.GRID;
        if (top.containsKey("strategy")) {
            String s = string(top.get("strategy"), "strategy");
            strategy = switch (s) {
                case "grid" -> SweepFile.Strategy.GRID;
                case "random" -> SweepFile.Strategy.RANDOM;
                case "tpe" -> SweepFile.Strategy.TPE;
                default -> throw at(top.get("strategy"), "strategy", "expected grid, random or tpe, found '" + s + "'");
            };
        }
        int budget = 0;
        if (strategy != SweepFile.Strategy.GRID) {
            if (!top.containsKey("budget")) {
                throw at(top.get("strategy"), "budget", strategy == SweepFile.Strategy.RANDOM
                        ? "random search needs a budget: the number of configurations to draw"
                        : "tpe needs a budget: the number of configurations to try, start-up draws included (e.g. 30)");
            }
            budget = (int) integer(top.get("budget"), "budget", 1, 10_000);
        } else {
            if (top.containsKey("budget")) {
                throw at(top.get("budget"), "budget", "only random search and tpe have a budget; grid runs every combination");
            }
            for (Axis axis : axes) {
                if (axis instanceof Axis.Range range) {
                    YamlNode node = ((YamlNode.KeyedMap) axesNode.value()).values().get(range.key());
                    throw at(node, "axes." + range.key(), "a " + range.scale().yamlName
                            + " range needs strategy: random or tpe; grid search takes a list of values");
                }
            }
        }
        Tpe.Settings tpe = null;
        if (strategy == SweepFile.Strategy.TPE) {
            tpe = tpe(top.get("tpe"), budget, top.get("budget"));
            if (seeds.size() != 1) {
                throw at(top.containsKey("seeds") ? top.get("seeds") : top.get("repeats"), "seeds",
                        "tpe runs each configuration once, with one seed; found " + seeds.size()
                                + " (retrain the best configuration with several seeds in a sweep of its own)");
            }
            if (axes.isEmpty()) {
                throw at(top.get("strategy"), "axes", "tpe needs at least one axis to search");
            }
        } else if (top.containsKey("tpe")) {
            throw at(top.get("tpe"), "tpe", "only strategy: tpe takes tpe settings");
        }
        long samplerSeed = top.containsKey("sampler_seed") ? integer(top.get("sampler_seed"), "sampler_seed", 0, Long.MAX_VALUE) : 0;

        Metric metric = Metric.VALIDATION_ACCURACY;
        if (top.containsKey("metric")) {
            String m = string(top.get("metric"), "metric");
            if (m.equals("test_accuracy")) {
                throw at(top.get("metric"), "metric",
                        "the test set is reported, never tuned on; use validation_accuracy with data.validation > 0");
            }
            metric = Metric.find(m).orElseThrow(() -> at(top.get("metric"), "metric",
                    "expected " + Metric.names() + ", found '" + m + "'"));
        }
        if (metric == Metric.VALIDATION_ACCURACY && validation == 0) {
            throw at(dataNode == null ? root : dataNode, "data.validation",
                    "the metric validation_accuracy needs held-out images: set data.validation (e.g. 5000), or metric: train_loss");
        }
        String device = top.containsKey("device") ? string(top.get("device"), "device") : "auto";
        if (!List.of("auto", "cpu", "gpu").contains(device)) {
            throw at(top.get("device"), "device", "expected auto, cpu or gpu, found '" + device + "'");
        }
        int threads = top.containsKey("threads") ? (int) whole(top.get("threads"), "threads", Knob.THREADS) : 0;
        SweepFile.Stall stall = top.containsKey("stall") ? stall(top.get("stall")) : SweepFile.Stall.OFF;
        Pruning pruning = top.containsKey("pruning") ? pruning(top.get("pruning"), base, axes) : Pruning.NONE;
        return new SweepFile(name, description, base, data, axes, seeds, strategy, budget, samplerSeed, tpe, metric, device,
                threads, hash, models, stall, pruning);
    }

    /** {@code tpe: {startup_trials: 10, gamma: 0.1, candidates: 24}}, every key optional; null node: the defaults. */
    private Tpe.Settings tpe(YamlNode node, int budget, YamlNode budgetNode) {
        if (node == null) {
            if (budget <= Tpe.Settings.STARTUP_TRIALS_DEFAULT) {
                throw at(budgetNode, "budget", "expected more than tpe's " + Tpe.Settings.STARTUP_TRIALS_DEFAULT
                        + " start-up trials so that the model guides some, found " + budget
                        + " (raise the budget or set tpe.startup_trials lower)");
            }
            return Tpe.Settings.DEFAULT;
        }
        checkKeys(node, TPE_KEYS, "tpe.");
        Map<String, YamlNode> t = mapping(node, "tpe");
        int startup = t.containsKey("startup_trials")
                ? (int) integer(t.get("startup_trials"), "tpe.startup_trials", 1, Tpe.Settings.STARTUP_TRIALS_MAX)
                : Tpe.Settings.STARTUP_TRIALS_DEFAULT;
        if (startup >= budget) {
            throw at(t.containsKey("startup_trials") ? t.get("startup_trials") : node, "tpe.startup_trials",
                    "expected fewer than the budget of " + budget + " so that the model guides some trials, found " + startup);
        }
        double gamma = Tpe.Settings.GAMMA_DEFAULT;
        if (t.containsKey("gamma")) {
            gamma = number(t.get("gamma"), "tpe.gamma");
            if (!(gamma > 0 && gamma < 1)) {
                throw at(t.get("gamma"), "tpe.gamma", "expected a fraction strictly between 0 and 1 (e.g. 0.1), found " + gamma);
            }
        }
        int candidates = t.containsKey("candidates")
                ? (int) integer(t.get("candidates"), "tpe.candidates", 1, Tpe.Settings.CANDIDATES_MAX)
                : Tpe.Settings.CANDIDATES_DEFAULT;
        return new Tpe.Settings(startup, gamma, candidates);
    }

    /** {@code stall: {steps: 300, band: 0.02, retry_with_next_seed: true, max_retries: 2}}. */
    private SweepFile.Stall stall(YamlNode node) {
        checkKeys(node, STALL_KEYS, "stall.");
        Map<String, YamlNode> s = mapping(node, "stall");
        if (!s.containsKey("steps")) {
            throw at(node, "stall.steps", "required: how many steps in a row on the ln(classes) plateau make a trial stalled (e.g. 300)");
        }
        int steps = (int) whole(s.get("steps"), "stall.steps", Knob.STALL_STEPS);
        if (steps == 0) {
            // --stall-steps 0 means off; in a file, off is leaving stall: out (as schema.json says, minimum 1).
            throw at(s.get("steps"), "stall.steps", "expected 1 or more (leave out stall: to never stall), found 0");
        }
        double band = s.containsKey("band") ? real(s.get("band"), "stall.band", Knob.STALL_BAND) : StallRule.DEFAULT_BAND;
        boolean retry = false;
        if (s.containsKey("retry_with_next_seed")) {
            if (!(s.get("retry_with_next_seed").value() instanceof Boolean b)) {
                throw at(s.get("retry_with_next_seed"), "stall.retry_with_next_seed", "expected true or false, found "
                        + s.get("retry_with_next_seed").typeName());
            }
            retry = b;
        }
        int maxRetries = s.containsKey("max_retries") ? (int) integer(s.get("max_retries"), "stall.max_retries", 1, 100)
                : SweepFile.Stall.DEFAULT_MAX_RETRIES;
        return new SweepFile.Stall(new StallRule(steps, band), retry, maxRetries);
    }

    /** {@code pruning: {method: asha, min_epochs: 1, eta: 3}} or {@code {method: median, min_epochs: 1, min_trials: 3}}. */
    private Pruning pruning(YamlNode node, Hyperparameters base, List<Axis> axes) {
        checkKeys(node, PRUNING_KEYS, "pruning.");
        Map<String, YamlNode> p = mapping(node, "pruning");
        if (!p.containsKey("method")) {
            throw at(node, "pruning.method", "required: asha or median");
        }
        String method = string(p.get("method"), "pruning.method");
        int minEpochs = p.containsKey("min_epochs") ? (int) integer(p.get("min_epochs"), "pruning.min_epochs", 1, TrainConfig.MAX_EPOCHS) : 1;
        Pruning pruning = switch (method) {
            case "asha" -> {
                if (p.containsKey("min_trials")) {
                    throw at(p.get("min_trials"), "pruning.min_trials", "only the median rule takes min_trials");
                }
                int eta = p.containsKey("eta") ? (int) integer(p.get("eta"), "pruning.eta", 2, 100) : Pruning.Asha.DEFAULT_ETA;
                yield new Pruning.Asha(minEpochs, eta);
            }
            case "median" -> {
                if (p.containsKey("eta")) {
                    throw at(p.get("eta"), "pruning.eta", "only asha takes eta");
                }
                int minTrials = p.containsKey("min_trials") ? (int) integer(p.get("min_trials"), "pruning.min_trials", 1, 10_000)
                        : Pruning.Median.DEFAULT_MIN_TRIALS;
                yield new Pruning.Median(minEpochs, minTrials);
            }
            default -> throw at(p.get("method"), "pruning.method", "expected asha or median, found '" + method + "'");
        };
        int maxEpochs = base.epochs();
        for (Axis axis : axes) {
            if (axis.key().equals("epochs")) {
                maxEpochs = Integer.MAX_VALUE;
            }
        }
        if (maxEpochs <= minEpochs) {
            throw at(node, "pruning.min_epochs", "expected fewer than the trials' " + base.epochs()
                    + " epochs: a trial is judged at its rungs before its last epoch, found " + minEpochs);
        }
        return pruning;
    }

    /**
     * {@code models:} — new variants made from a built-in one with some blocks changed, e.g.
     * {@code wide: {from: standard, blocks: {2: {out_channels: 384}}}}. Blocks are numbered from 1,
     * as in the layer names ({@code block2.conv0}).
     */
    private Map<String, ModelSpec> models(YamlNode node) {
        Map<String, ModelSpec> defined = new LinkedHashMap<>();
        for (Map.Entry<String, YamlNode> entry : mapping(node, "models").entrySet()) {
            String name = entry.getKey();
            String where = "models." + name;
            YamlNode def = entry.getValue();
            if (!name.matches("[a-z0-9][a-z0-9._-]{0,62}")) {
                throw at(def, where, "a model name takes lower-case letters, digits, '.', '_' or '-', found '" + name + "'");
            }
            if (Variants.find(name).isPresent()) {
                throw at(def, where, "'" + name + "' is a built-in variant; give the changed model a name of its own");
            }
            checkKeys(def, MODEL_KEYS, where + ".");
            Map<String, YamlNode> fields = mapping(def, where);
            if (!fields.containsKey("from")) {
                throw at(def, where + ".from", "required: the built-in variant to start from, one of "
                        + Variants.all().stream().map(Variants.Variant::name).toList());
            }
            String from = string(fields.get("from"), where + ".from");
            ModelSpec base = Variants.find(from).orElseThrow(() -> at(fields.get("from"), where + ".from",
                    "expected one of " + Variants.all().stream().map(Variants.Variant::name).toList() + ", found '" + from + "'"));
            List<LayerSpec> layers = new ArrayList<>(base.layers());
            List<Integer> blockPositions = new ArrayList<>();
            for (int i = 0; i < layers.size(); i++) {
                if (layers.get(i) instanceof NinBlock) {
                    blockPositions.add(i);
                }
            }
            if (fields.containsKey("blocks")) {
                for (Map.Entry<String, YamlNode> b : mapping(fields.get("blocks"), where + ".blocks").entrySet()) {
                    String bWhere = where + ".blocks." + b.getKey();
                    int number;
                    try {
                        number = Integer.parseInt(b.getKey());
                    } catch (NumberFormatException e) {
                        number = -1;
                    }
                    if (number < 1 || number > blockPositions.size()) {
                        throw at(b.getValue(), bWhere, "expected a block number from 1 to " + blockPositions.size() + " ("
                                + from + " has " + blockPositions.size() + " NiN blocks), found '" + b.getKey() + "'");
                    }
                    checkKeys(b.getValue(), BLOCK_KEYS, bWhere + ".");
                    int position = blockPositions.get(number - 1);
                    NinBlock block = (NinBlock) layers.get(position);
                    Map<String, YamlNode> o = mapping(b.getValue(), bWhere);
                    try {
                        layers.set(position, new NinBlock(
                                field(o, "out_channels", block.outChannels(), bWhere),
                                field(o, "kernel", block.kernel(), bWhere),
                                field(o, "stride", block.stride(), bWhere),
                                field(o, "padding", block.padding(), bWhere),
                                field(o, "one_by_one_convs", block.oneByOneConvs(), bWhere)));
                    } catch (IllegalArgumentException e) {
                        throw at(b.getValue(), bWhere, e.getMessage());
                    }
                }
            }
            ModelSpec spec;
            try {
                boolean batchNorm = base.batchNorm();
                if (fields.containsKey("batch_norm")) {
                    if (!(fields.get("batch_norm").value() instanceof Boolean b)) {
                        throw at(fields.get("batch_norm"), where + ".batch_norm", "expected true or false, found "
                                + fields.get("batch_norm").typeName());
                    }
                    batchNorm = b;
                }
                spec = new ModelSpec(name, base.inputChannels(), base.classes(), layers, batchNorm);
                if (fields.containsKey("dropout")) {
                    double rate = real(fields.get("dropout"), where + ".dropout", Knob.DROPOUT);
                    spec = spec.withDropout(rate);
                }
            } catch (IllegalArgumentException e) {
                throw at(def, where, e.getMessage());
            }
            defined.put(name, spec);
        }
        return defined;
    }

    private int field(Map<String, YamlNode> overrides, String key, int current, String where) {
        return overrides.containsKey(key) ? (int) integer(overrides.get(key), where + "." + key, 0, 100_000) : current;
    }

    /**
     * Nesterov needs momentum in every trial that uses it. Checked here, at the key's line, rather
     * than when the planned trials are built, where no position is known any more.
     */
    private void checkNesterov(Map<String, YamlNode> top, Hyperparameters base, List<Axis> axes) {
        Axis nesterovAxis = axes.stream().filter(a -> a.key().equals("nesterov")).findFirst().orElse(null);
        Axis momentumAxis = axes.stream().filter(a -> a.key().equals("momentum")).findFirst().orElse(null);
        boolean nesterovPossible = nesterovAxis instanceof Axis.Values v ? v.values().contains(Boolean.TRUE) : base.nesterov();
        // A sampled range draws exactly 0 with probability 0; only listed values and the base can be 0.
        boolean zeroMomentumPossible = momentumAxis == null ? base.momentum() == 0.0
                : momentumAxis instanceof Axis.Values v && v.values().stream().anyMatch(x -> ((Number) x).doubleValue() == 0.0);
        String problem = Knob.nesterovProblem(nesterovPossible, zeroMomentumPossible ? 0.0 : 1.0);
        if (problem == null) {
            return;
        }
        YamlNode node;
        String where;
        if (nesterovAxis != null) {
            node = ((YamlNode.KeyedMap) top.get("axes").value()).values().get("nesterov");
            where = "axes.nesterov";
        } else {
            node = ((YamlNode.KeyedMap) top.get("base").value()).values().get("nesterov");
            where = "base.nesterov";
        }
        throw at(node, where, problem + (momentumAxis == null
                ? "; set base.momentum (e.g. 0.9) or drop nesterov"
                : "; take 0 out of axes.momentum or drop nesterov: true"));
    }

    private void checkResizes(Map<String, YamlNode> top, Hyperparameters base, Set<String> variants) {
        List<YamlNode> resizeNodes = new ArrayList<>();
        YamlNode baseNode = top.get("base");
        if (baseNode != null && ((YamlNode.KeyedMap) baseNode.value()).values().containsKey("resize")) {
            resizeNodes.add(((YamlNode.KeyedMap) baseNode.value()).values().get("resize"));
        }
        YamlNode axesNode = top.get("axes");
        if (axesNode != null && ((YamlNode.KeyedMap) axesNode.value()).values().containsKey("resize")) {
            YamlNode axis = ((YamlNode.KeyedMap) axesNode.value()).values().get("resize");
            if (axis.value() instanceof List<?> list) {
                list.forEach(n -> resizeNodes.add((YamlNode) n));
            } else {
                resizeNodes.add(axis);
            }
        }
        for (String variant : variants) {
            ModelSpec spec = models.containsKey(variant) ? models.get(variant) : Variants.named(variant);
            int smallest = NetworkPlan.smallestResize(spec);
            if (resizeNodes.isEmpty() && base.resize() < smallest) {
                throw new SweepFileException(file + ": resize " + base.resize() + " is too small for " + variant);
            }
            for (YamlNode node : resizeNodes) {
                if (node.value() instanceof Number n && n.longValue() < smallest) {
                    throw at(node, "resize", "expected at least " + smallest + " for variant " + variant
                            + " (smaller inputs shrink to nothing), found " + n);
                }
            }
        }
    }

    private Axis axis(String key, YamlNode node) {
        String where = key.equals("variant") && !(node.value() instanceof YamlNode.KeyedMap) ? "variants" : "axes." + key;
        if (node.value() instanceof List<?>) {
            List<YamlNode> items = list(node, where);
            if (items.isEmpty()) {
                throw at(node, where, "an axis needs at least one value, found an empty list");
            }
            List<Object> values = new ArrayList<>();
            // A set, not values.contains: a long axis must not cost quadratic time before the plan is even counted.
            Set<Object> seen = new java.util.HashSet<>();
            for (int i = 0; i < items.size(); i++) {
                Object v = hyperparameter(items.get(i), key, where + "[" + i + "]");
                if (!seen.add(v)) {
                    throw at(items.get(i), where + "[" + i + "]", "value " + v + " appears twice");
                }
                values.add(v);
            }
            return new Axis.Values(key, values);
        }
        if (node.value() instanceof YamlNode.KeyedMap map) {
            if (map.values().size() != 1) {
                throw at(node, where, "expected one of uniform, log_uniform, int_uniform or choice, found "
                        + map.values().keySet());
            }
            String kind = map.values().keySet().iterator().next();
            YamlNode spec = map.values().get(kind);
            if (kind.equals("choice")) {
                return axis(key, spec);
            }
            Axis.Scale scale = switch (kind) {
                case "uniform" -> Axis.Scale.UNIFORM;
                case "log_uniform" -> Axis.Scale.LOG_UNIFORM;
                case "int_uniform" -> Axis.Scale.INT_UNIFORM;
                default -> throw at(map.keys().get(kind), where + "." + kind,
                        "expected uniform, log_uniform, int_uniform or choice");
            };
            Knob knob = Knob.forKey(key);
            if (!knob.numeric()) {
                throw at(node, where, "a range needs a numeric hyperparameter; " + key + " takes a list of values");
            }
            boolean integral = knob.kind == Knob.Kind.WHOLE;
            if (integral != (scale == Axis.Scale.INT_UNIFORM)) {
                throw at(map.keys().get(kind), where + "." + kind, integral
                        ? key + " is a whole number: use int_uniform" : key + " is a real number: use uniform or log_uniform");
            }
            List<YamlNode> bounds = list(spec, where + "." + kind);
            if (bounds.size() != 2) {
                throw at(spec, where + "." + kind, "expected [low, high], found " + bounds.size() + " values");
            }
            double low = ((Number) hyperparameter(bounds.get(0), key, where + "." + kind + "[0]")).doubleValue();
            double high = ((Number) hyperparameter(bounds.get(1), key, where + "." + kind + "[1]")).doubleValue();
            if (!(low < high)) {
                throw at(spec, where + "." + kind, "expected low < high, found [" + low + ", " + high + "]");
            }
            if (scale == Axis.Scale.LOG_UNIFORM && low <= 0) {
                throw at(spec, where + "." + kind, "a log-uniform range needs low > 0, found " + low);
            }
            return new Axis.Range(key, scale, low, high);
        }
        throw at(node, where, "expected a list of values or a range such as {log_uniform: [0.01, 0.3]}, found "
                + node.typeName());
    }

    /**
     * Checks one hyperparameter value's type and range, as its {@link Knob} says; returns it as the
     * registry holds it (Long, Double, Boolean or String).
     */
    private Object hyperparameter(YamlNode node, String key, String where) {
        Knob knob = Knob.forKey(key);
        if (knob == null || !knob.hyperparameter) {
            throw at(node, where, "unknown hyperparameter");
        }
        return switch (knob.kind) {
            case NAME -> {
                String v = string(node, where);
                if (!models.containsKey(v) && Variants.find(v).isEmpty()) {
                    List<String> known = new ArrayList<>(models.keySet());
                    Variants.all().forEach(x -> known.add(x.name()));
                    throw at(node, where, "expected one of " + known + " (or a model defined under models:), found '" + v + "'");
                }
                yield v;
            }
            case CHOICE -> {
                String v = string(node, where);
                String problem = knob.problem(v);
                if (problem != null) {
                    throw at(node, where, problem);
                }
                yield v;
            }
            case FLAG -> {
                if (!(node.value() instanceof Boolean b)) {
                    throw at(node, where, "expected true or false, found " + node.typeName());
                }
                yield b;
            }
            case REAL -> real(node, where, knob);
            case WHOLE -> whole(node, where, knob);
        };
    }

    private void checkKeys(YamlNode node, Set<String> allowed, String prefix) {
        if (!(node.value() instanceof YamlNode.KeyedMap map)) {
            throw at(node, prefix.isEmpty() ? "(the file)" : prefix.substring(0, prefix.length() - 1),
                    "expected a mapping of keys to values, found " + node.typeName());
        }
        for (Map.Entry<String, YamlNode> key : map.keys().entrySet()) {
            if (!allowed.contains(key.getKey())) {
                List<String> sorted = new ArrayList<>(allowed);
                sorted.sort(null);
                throw at(key.getValue(), prefix + key.getKey(), "unknown key; expected one of " + String.join(", ", sorted)
                        + suggestion(key.getKey(), allowed));
            }
        }
    }

    /** Names people type for our keys (from the CLI flags, PyTorch, Keras). */
    private static final Map<String, String> ALIASES = Map.of("learning_rate", "lr", "batch_size", "batch",
            "num_epochs", "epochs", "image_size", "resize", "seed", "seeds", "wd", "weight_decay", "weight-decay",
            "weight_decay", "validation_size", "validation", "train-limit", "train_limit", "test-limit", "test_limit");

    private static String suggestion(String key, Set<String> allowed) {
        String alias = ALIASES.get(key);
        if (alias != null && allowed.contains(alias)) {
            return " (did you mean " + alias + "?)";
        }
        for (String a : allowed) {
            if (a.replace("_", "").equalsIgnoreCase(key.replace("_", "").replace("-", ""))
                    || (key.length() > 2 && a.startsWith(key.toLowerCase(Locale.ROOT).substring(0, 2)) && Math.abs(a.length() - key.length()) <= 2)) {
                return " (did you mean " + a + "?)";
            }
        }
        return "";
    }

    private Map<String, YamlNode> mapping(YamlNode node, String where) {
        if (!(node.value() instanceof YamlNode.KeyedMap map)) {
            throw at(node, where, "expected a mapping of keys to values, found " + node.typeName());
        }
        return map.values();
    }

    private YamlNode required(YamlNode root, Map<String, YamlNode> map, String key) {
        YamlNode node = map.get(key);
        if (node == null || node.value() == null) {
            throw at(root, key, "required; add e.g. '" + key + ": my-sweep' at the top of the file");
        }
        return node;
    }

    @SuppressWarnings("unchecked")
    private List<YamlNode> list(YamlNode node, String where) {
        if (!(node.value() instanceof List<?> list)) {
            throw at(node, where, "expected a list such as [1, 2], found " + node.typeName());
        }
        return (List<YamlNode>) list;
    }

    private String string(YamlNode node, String where) {
        if (!(node.value() instanceof String s)) {
            throw at(node, where, "expected text, found " + node.typeName());
        }
        return s;
    }

    private double number(YamlNode node, String where) {
        if (!(node.value() instanceof Number n) || !Double.isFinite(n.doubleValue())) {
            throw at(node, where, "expected a number, found " + node.typeName());
        }
        return n.doubleValue();
    }

    /** A real-valued knob, checked by the range the flags use too. */
    private double real(YamlNode node, String where, Knob knob) {
        double v = number(node, where);
        String problem = knob.problem(v);
        if (problem != null) {
            throw at(node, where, problem);
        }
        return v;
    }

    /** A whole-number knob (a Long, as the YAML reader gives it), checked by the range the flags use too. */
    private long whole(YamlNode node, String where, Knob knob) {
        if (!(node.value() instanceof Long n)) {
            throw at(node, where, "expected a whole number, found " + node.typeName());
        }
        String problem = knob.problem(n.longValue());
        if (problem != null) {
            throw at(node, where, problem);
        }
        return n;
    }

    private long integer(YamlNode node, String where, long min, long max) {
        if (!(node.value() instanceof Long n)) {
            throw at(node, where, "expected a whole number, found " + node.typeName());
        }
        if (n < min || n > max) {
            throw at(node, where, "expected " + min + " to " + (max == Long.MAX_VALUE ? "any" : max) + ", found " + n);
        }
        return n;
    }

    private SweepFileException.Positioned at(YamlNode node, String key, String problem) {
        return new SweepFileException.Positioned(node.line(), node.column(), key, problem);
    }
}
