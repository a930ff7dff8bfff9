package dev.nin.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The hyperparameter registry: every setting of a trial a user can choose, defined once, with
 * its sweep-file key, command-line flag, kind, accepted range or choices, default, help text,
 * place in the canonical config JSON, MLflow param name, {@code trials} column and part of the
 * configuration label. The {@code train} flags (options, defaults and help are built from here),
 * the sweep parser (keys, checks and errors), the config records (at construction), the
 * canonical config JSON and its hash, the MLflow params, the configuration label and
 * {@code sweeps/schema.json} (a test compares it field by field) all read it.
 *
 * <p>Values travel as a {@code Map<Knob, Object>} holding, by {@link Kind}: a {@code Long}
 * (WHOLE), a {@code Double} (REAL), a {@code Boolean} (FLAG) or a {@code String} (CHOICE, NAME);
 * {@link #DROPOUT} may be null, meaning the variant's own rate. {@code dev.nin.train.KnobValues}
 * turns them into the typed configs and back.
 *
 * <p><b>Adding a knob.</b> A constant here, its field in the typed config it belongs to
 * ({@code TrainConfig}, {@code TrainingOptions}, {@code DataOptions}), and one line each way in
 * {@code KnobValues}. Give it {@code .omittedAtDefault()}: stored trials' config hashes were
 * computed without it, and must stay the same (ShippedSweepsGoldenTest fails otherwise).
 */
public enum Knob implements KnobDefinition {
    VARIANT(def("variant", "--variant", "NAME", Kind.NAME).byDefault("standard")
            .help("Architecture, see docs/guide.md, Variants")
            .json("variant").mlflow("variant").column("variant").label(LabelForm.VALUE).hyperparameter()),
    LR(def("lr", "--lr", "LR", Kind.REAL).range(0, true, Builder.UNBOUNDED, false).expected("expected a learning rate > 0")
            .byDefault(0.1).help("Learning rate")
            .json("learning_rate").mlflow("learning_rate").column("learning_rate").label("lr", LabelForm.ALWAYS).hyperparameter()),
    EPOCHS(def("epochs", "--epochs", "N", Kind.WHOLE).range(1, false, 1000, false).byDefault(10L)
            .help("Epochs: passes over the training images")
            .json("epochs").mlflow("epochs").column("epochs").label("epochs", LabelForm.ALWAYS).hyperparameter()),
    BATCH(def("batch", "--batch", "N", Kind.WHOLE).range(1, false, 4096, false).byDefault(128L).help("Batch size")
            .json("batch_size").mlflow("batch_size").column("batch_size").label("batch", LabelForm.ALWAYS).hyperparameter()),
    /** The variant's own minimum (67 for the shipped ones) is checked where the network is planned. */
    RESIZE(def("resize", "--resize", "PX", Kind.WHOLE).range(1, false, 1024, false).byDefault(224L)
            .help("Resize the 28x28 images to PX x PX (bilinear, in the graph); at least the variant's smallest input,"
                    + " 67 for the shipped variants")
            .json("resize").mlflow("resize").column("resize").label("resize", LabelForm.ALWAYS).hyperparameter()),
    /** A sweep's seeds are its {@code seeds:} list (default [1]); 42 is {@code train}'s. */
    SEED(def("seed", "--seed", "N", Kind.WHOLE).range(0, false, Builder.UNBOUNDED, false).expected("expected 0 or more").byDefault(42L)
            .help("Seed of weight initialisation, shuffling and dropout masks")
            .json("seed").mlflow("seed").column("seed")),
    MOMENTUM(def("momentum", "--momentum", "M", Kind.REAL).range(0, false, 1, true).expected("expected a value in [0, 1)")
            .byDefault(0.0).help("SGD momentum")
            .json("momentum").mlflow("momentum").column("momentum").label("momentum", LabelForm.WHEN_SET).hyperparameter()),
    NESTEROV(def("nesterov", "--nesterov", null, Kind.FLAG).byDefault(false).help("Nesterov momentum; needs momentum > 0")
            .json("nesterov").mlflow("nesterov").column("nesterov").label("nesterov", LabelForm.WHEN_SET).hyperparameter()),
    WEIGHT_DECAY(def("weight_decay", "--weight-decay", "WD", Kind.REAL).range(0, false, Builder.UNBOUNDED, false)
            .expected("expected 0 or more").byDefault(0.0).help("L2 weight decay, added to the gradients (g + wd·w)")
            .json("weight_decay").mlflow("weight_decay").column("weight_decay").label("wd", LabelForm.WHEN_SET).hyperparameter()),
    /** No default of its own: absent (null) means the variant's rate. Not in the config JSON as a key: the model there carries it. */
    DROPOUT(def("dropout", "--dropout", "RATE", Kind.REAL).range(0, false, 1, true).expected("expected a value in [0, 1)")
            .byDefault(null).help("Dropout rate before the last block")
            .mlflow("dropout").column("dropout").label("dropout", LabelForm.WHEN_SET).hyperparameter()),
    SCHEDULE(def("schedule", "--schedule", "constant|step|cosine", Kind.CHOICE).choices("constant", "step", "cosine")
            .expected("expected constant, step or cosine").byDefault("constant")
            .help("Learning-rate schedule: the book's constant rate, x step_gamma every step_epochs epochs, or cosine decay to 0")
            .json("schedule.kind").mlflow("schedule").label("schedule", LabelForm.WHEN_SET).hyperparameter()),
    WARMUP_EPOCHS(def("warmup_epochs", "--warmup-epochs", "E", Kind.REAL).range(0, false, 1000, false)
            .expected("expected 0 to 1000 epochs").byDefault(0.0)
            .help("Ramp the learning rate up linearly over the first E epochs (any schedule; may be fractional)")
            .json("schedule.warmup_epochs").mlflow("warmup_epochs").label("warmup", LabelForm.WHEN_SET).hyperparameter()),
    /** In the label as part of {@link #SCHEDULE}'s ({@code schedule=step/3x0.1}), where it matters. */
    STEP_EPOCHS(def("step_epochs", "--step-epochs", "E", Kind.WHOLE).range(1, false, 1000, false).byDefault(3L)
            .help("Step schedule: epochs between decays")
            .json("schedule.step_epochs").mlflow("step_epochs").hyperparameter()),
    /** In the label as part of {@link #SCHEDULE}'s. */
    STEP_GAMMA(def("step_gamma", "--step-gamma", "G", Kind.REAL).range(0, true, 1, true).expected("expected a factor in (0, 1)")
            .byDefault(0.1).help("Step schedule: the decay factor")
            .json("schedule.step_gamma").mlflow("step_gamma").hyperparameter()),
    INIT(def("init", "--init", "xavier|he", Kind.CHOICE).choices("xavier", "he").expected("expected xavier (the book's) or he")
            .byDefault("xavier").help("Weight initialisation: the book's Xavier (Glorot) uniform, or He (Kaiming) uniform")
            .json("init").mlflow("init").label("init", LabelForm.WHEN_SET).hyperparameter()),
    LABEL_SMOOTHING(def("label_smoothing", "--label-smoothing", "EPS", Kind.REAL).range(0, false, 1, true)
            .expected("expected a value in [0, 1)").byDefault(0.0)
            .help("Label smoothing: train against (1-eps)·one-hot + eps/10; evaluation is never smoothed")
            .json("label_smoothing").mlflow("label_smoothing").label("smoothing", LabelForm.WHEN_SET).hyperparameter()),
    CROP_PADDING(def("crop_padding", "--crop-padding", "PX", Kind.WHOLE).range(0, false, 8, false).byDefault(0L)
            .help("Augmentation: each training image zero-padded by PX per side and a random 28x28 window cropped; 0 = off")
            .json("crop_padding").mlflow("crop_padding").label("crop", LabelForm.WHEN_SET).hyperparameter()),
    FLIP(def("flip", "--flip", null, Kind.FLAG).byDefault(false)
            .help("Augmentation: each training image mirrored left-right with probability 1/2")
            .json("flip").mlflow("flip").label("flip", LabelForm.WHEN_SET).hyperparameter()),
    /**
     * The number type of activations and convolutions (weights and updates stay float32); auto is
     * resolved per machine when the trial trains, and the precision used is recorded beside the device.
     * Left out of the config JSON at fp32, so trials stored before it existed keep their hashes.
     */
    PRECISION(def("precision", "--precision", "fp32|bf16|fp16|auto", Kind.CHOICE).choices("fp32", "bf16", "fp16", "auto")
            .expected("expected fp32 (the book's), bf16, fp16 or auto").byDefault("fp32")
            .help("Mixed precision: compute in bf16 or fp16 with float32 weights and updates (fp16 with dynamic loss"
                    + " scaling); auto = whichever of fp32 and bf16 trains the run's shape faster, measured once"
                    + " per shape and CPU (bf16 only 5% ahead; fp32 without bfloat16 arithmetic)")
            .json("precision").mlflow("precision").label("precision", LabelForm.WHEN_SET).hyperparameter().omittedAtDefault()),
    /** 0 means TensorFlow's default (all cores); above 1024 is a typo, and TensorFlow would start that many threads. */
    THREADS(def("threads", "--threads", "N", Kind.WHOLE).range(0, false, 1024, false).byDefault(0L)
            .help("TensorFlow's CPU threads; 0 = all cores, 1 gives bit-for-bit repeatable runs")
            .json("threads").mlflow("threads")),
    /** 0 means never stall; a sweep file leaves {@code stall:} out instead (its steps start at 1). */
    STALL_STEPS(def("stall.steps", "--stall-steps", "N", Kind.WHOLE).range(0, false, 10_000_000, false).byDefault(0L)
            .help("Stop as stalled after N steps in a row with the training loss within the stall band of ln 10; 0 = never")
            .json("stall.steps").mlflow("stall_steps")),
    /** Trials recorded before the stall rule existed never stalled: band 0, as the rule that is off. */
    STALL_BAND(def("stall.band", "--stall-band", "NATS", Kind.REAL).range(0, true, 1, true)
            .expected("expected a value in (0, 1) nats").byDefault(0.02).whenAbsent(0.0)
            .help("Half-width of the plateau band around ln 10, in nats")
            .json("stall.band").mlflow("stall_band")),
    /** Fashion-MNIST has 60,000 training images; 0 means all of them. */
    TRAIN_LIMIT(def("data.train_limit", "--train-limit", "N", Kind.WHOLE).range(0, false, 60_000, false).byDefault(0L)
            .help("Train on at most N images; 0 = all")
            .json("train_limit").mlflow("train_limit").column("train_limit")),
    /** At least one training image must remain. */
    VALIDATION(def("data.validation", "--validation", "N", Kind.WHOLE).range(0, false, 59_999, false).byDefault(0L)
            .help("Hold out N training images for validation; tuning picks on these, never on the test set")
            .json("validation_size").mlflow("validation_size").column("validation_size")),
    /** Fashion-MNIST has 10,000 test images; 0 means all of them. */
    TEST_LIMIT(def("data.test_limit", "--test-limit", "N", Kind.WHOLE).range(0, false, 10_000, false).byDefault(0L)
            .help("Evaluate on at most N test images; 0 = all 10,000")
            .json("test_limit").mlflow("test_limit").column("test_limit"));

    /** What a value is: whole numbers are checked as longs (no rounding), reals as finite doubles. */
    public enum Kind {
        WHOLE, REAL,
        /** true or false; a flag without a value on the command line. */
        FLAG,
        /** One of a fixed list of words. */
        CHOICE,
        /** A name checked elsewhere (the variant: built-in or defined in the sweep file). */
        NAME
    }

    /** How a knob shows in a trial's configuration label ({@code standard lr=0.1 epochs=10 batch=128 resize=224 wd=0.0005}). */
    public enum LabelForm {
        /** Not in the label (seed, threads, data and stall are not part of a configuration). */
        NONE,
        /** The bare value, first (the variant). */
        VALUE,
        /** Always {@code name=value}. */
        ALWAYS,
        /** {@code name=value} (a flag: {@code name}) unless at its default, so labels of earlier trials stay as they were. */
        WHEN_SET
    }


    /** The sweep-file key: under {@code base:}/{@code axes:} for hyperparameters, else the dotted path ({@code data.test_limit}). */
    public final String key;
    /** The command-line flag of {@code train}. */
    public final String flag;
    /** The flag's value in its help, e.g. {@code N}; null for a flag without a value. */
    public final String paramLabel;
    public final Kind kind;
    /** The help text of the flag, and the description in sweeps/schema.json. */
    public final String help;
    /** The MLflow param the value is logged as. */
    public final String mlflowParam;
    /** The column of table {@code trials} holding it, or null (then only the config JSON has it). */
    public final String column;
    public final LabelForm labelForm;
    /** The word before {@code =} in the label. */
    public final String labelName;
    /** Whether sweep files set it under {@code base:} and vary it under {@code axes:}. */
    public final boolean hyperparameter;
    private final double min;
    private final boolean minOpen;
    private final double max;
    private final boolean maxOpen;
    private final List<String> choices;
    private final String expected;
    private final Object defaultValue;
    private final Object whenAbsent;
    private final String jsonPath;
    private final boolean omittedAtDefault;

    Knob(Builder b) {
        this.key = b.key;
        this.flag = b.flag;
        this.paramLabel = b.paramLabel;
        this.kind = b.kind;
        this.help = Objects.requireNonNull(b.help, b.key);
        this.mlflowParam = Objects.requireNonNull(b.mlflow, b.key);
        this.column = b.column;
        this.labelForm = b.labelForm;
        this.labelName = b.labelName;
        this.hyperparameter = b.hyperparameter;
        this.min = b.min;
        this.minOpen = b.minOpen;
        this.max = b.max;
        this.maxOpen = b.maxOpen;
        this.choices = b.choices;
        this.expected = b.expected != null ? b.expected
                : b.kind == Kind.WHOLE ? "expected " + whole(b.min) + " to " + whole(b.max)
                : b.kind == Kind.CHOICE ? "expected " + words(b.choices, "or") : "expected " + b.kind.name().toLowerCase();
        this.defaultValue = b.defaultValue;
        this.whenAbsent = b.whenAbsentSet ? b.whenAbsent : b.defaultValue;
        this.jsonPath = b.json;
        this.omittedAtDefault = b.omittedAtDefault;
    }

    /** The knob of sweep key {@code key} ({@code lr}, {@code data.test_limit}), or null. */
    public static Knob forKey(String key) {
        for (Knob k : values()) {
            if (k.key.equals(key)) {
                return k;
            }
        }
        return null;
    }

    /** The knobs sweep files set under {@code base:} and vary under {@code axes:}, in documentation order. */
    public static List<Knob> hyperparameters() {
        return Arrays.stream(values()).filter(k -> k.hyperparameter).toList();
    }

    /** Every knob at its default ({@link #DROPOUT} absent: the variant's). */
    public static Map<Knob, Object> defaults() {
        Map<Knob, Object> v = new EnumMap<>(Knob.class);
        for (Knob k : values()) {
            v.put(k, k.defaultValue);
        }
        return v;
    }

    /** What the range accepts, e.g. {@code expected 1 to 1000}; the same text for flags and sweep files. */
    public String expected() {
        return expected;
    }

    /** The smallest accepted value (excluded when the range is open there, as lr's 0). */
    public double min() {
        return min;
    }

    /** The largest accepted value (excluded when the range is open there, as momentum's 1). */
    public double max() {
        return max;
    }

    public boolean minOpen() {
        return minOpen;
    }

    public boolean maxOpen() {
        return maxOpen;
    }

    /** Whether the range has an upper end at all (lr, seed and weight decay have none). */
    public boolean bounded() {
        return max < Builder.UNBOUNDED && max < Long.MAX_VALUE;
    }

    /** A CHOICE knob's words; empty for others. */
    public List<String> choices() {
        return choices;
    }

    /** Whether a sweep file may give a numeric range ({@code uniform}, {@code int_uniform}) for it. */
    public boolean numeric() {
        return kind == Kind.WHOLE || kind == Kind.REAL;
    }

    @Override
    public Object defaultValue() {
        return defaultValue;
    }

    /** A numeric knob's default as a double. */
    public double defaultNumber() {
        return ((Number) defaultValue).doubleValue();
    }

    /** The value of a stored config that lacks the knob (recorded before it existed). */
    public Object whenAbsent() {
        return whenAbsent;
    }

    @Override
    public String jsonPath() {
        return jsonPath;
    }

    @Override
    public boolean omittedAtDefault() {
        return omittedAtDefault;
    }

    /**
     * The accepted values in a few words for help texts: {@code 1 to 1000}, {@code > 0},
     * {@code in [0, 1)}, {@code constant, step or cosine}; empty for flags and names.
     */
    public String range() {
        return switch (kind) {
            case FLAG, NAME -> "";
            case CHOICE -> words(choices, "or");
            case WHOLE -> bounded() ? whole(min) + " to " + whole(max) : whole(min) + " or more";
            case REAL -> !bounded() ? (minOpen ? "> " : ">= ") + format(min)
                    : (minOpen || maxOpen) ? "in " + (minOpen ? "(" : "[") + format(min) + ", " + format(max) + (maxOpen ? ")" : "]")
                    : format(min) + " to " + format(max);
        };
    }

    /** The default as help texts and docs/reference.md show it: {@code 0.1}, {@code off}, {@code the variant's}. */
    public String defaultText() {
        if (defaultValue == null) {
            return "the variant's";
        }
        if (kind == Kind.FLAG) {
            return (Boolean) defaultValue ? "on" : "off";
        }
        return text(defaultValue);
    }

    /** The default as picocli parses it, or null (no default). */
    public String defaultArgument() {
        return defaultValue == null ? null : text(defaultValue);
    }

    /** Why {@code value} is refused ("expected X, found Y"), or null when it is in range. */
    public String problem(double value) {
        boolean ok = Double.isFinite(value) && (minOpen ? value > min : value >= min) && (maxOpen ? value < max : value <= max);
        if (ok && kind == Kind.WHOLE && value != Math.rint(value)) {
            return "expected a whole number, found " + format(value);
        }
        return ok ? null : expected + ", found " + format(value);
    }

    /** As {@link #problem(double)} for whole numbers, exact for every long (seeds use the full range). */
    public String problem(long value) {
        if (kind == Kind.REAL) {
            return problem((double) value);
        }
        boolean ok = value >= (long) min && (max >= Long.MAX_VALUE || value <= (long) max);
        return ok ? null : expected + ", found " + value;
    }

    /** Why a CHOICE knob refuses {@code word} ("expected constant, step or cosine, found 'x'"), or null. */
    public String problem(String word) {
        return kind != Kind.CHOICE || choices.contains(word) ? null : expected + ", found '" + word + "'";
    }

    /** {@code value}, or an IllegalArgumentException "key: expected X, found Y" (records check at construction). */
    public double require(double value) {
        refuseIf(problem(value), key);
        return value;
    }

    /** {@code value}, or an IllegalArgumentException "key: expected X, found Y". */
    public long require(long value) {
        refuseIf(problem(value), key);
        return value;
    }

    /** {@code value}, or an IllegalArgumentException naming the flag: "--seed: expected 0 or more, found -1". */
    public double requireFlag(double value) {
        refuseIf(problem(value), flag);
        return value;
    }

    /** As {@link #requireFlag(double)} for whole numbers. */
    public long requireFlag(long value) {
        refuseIf(problem(value), flag);
        return value;
    }

    /**
     * Checks a value of any kind as the flag's (numbers by range, words by choices); null (an
     * absent dropout) passes. The error names the flag.
     */
    public void requireFlag(Object value) {
        if (value instanceof Double d) {
            requireFlag(d.doubleValue());
        } else if (value instanceof Number n) {
            requireFlag(n.longValue());
        } else if (value instanceof String s) {
            refuseIf(problem(s), flag);
        }
    }

    /** {@code value} as this knob's map holds it: Long, Double, Boolean or String (null stays null). */
    public Object normalise(Object value) {
        if (value == null) {
            return null;
        }
        return switch (kind) {
            case WHOLE -> ((Number) value).longValue();
            case REAL -> ((Number) value).doubleValue();
            case FLAG -> (Boolean) value;
            case CHOICE, NAME -> (String) value;
        };
    }

    /** Whether {@code values} holds this knob at its default. */
    public boolean atDefault(Map<Knob, Object> values) {
        return Objects.equals(normalise(values.get(this)), defaultValue);
    }

    /**
     * Nesterov momentum needs momentum: the one rule between two knobs. Null when fine, else the
     * problem in the same words for {@code --nesterov} and a sweep file's {@code nesterov: true}.
     */
    public static String nesterovProblem(boolean nesterov, double momentum) {
        return nesterov && momentum == 0.0 ? "expected momentum > 0 with Nesterov, found momentum 0" : null;
    }

    /**
     * The knobs' part of the canonical config JSON: each knob's value at its {@link #jsonPath()}
     * (dotted paths nest), except a knob {@linkplain #omittedAtDefault() omitted at its default}
     * while it is there. Knobs added after hashes were first stored are omitted at their default,
     * so every stored config keeps its bytes and hash.
     */
    public static <K extends KnobDefinition> Map<String, Object> canonical(Map<K, Object> values) {
        Map<String, Object> root = new LinkedHashMap<>();
        for (Map.Entry<K, Object> e : values.entrySet()) {
            K knob = e.getKey();
            if (knob.jsonPath() == null || knob.omittedAtDefault() && Objects.equals(e.getValue(), knob.defaultValue())) {
                continue;
            }
            String[] path = knob.jsonPath().split("\\.");
            Map<String, Object> at = root;
            for (int i = 0; i < path.length - 1; i++) {
                @SuppressWarnings("unchecked")
                Map<String, Object> inner = (Map<String, Object>) at.computeIfAbsent(path[i], p -> new LinkedHashMap<String, Object>());
                at = inner;
            }
            at.put(path[path.length - 1], e.getValue());
        }
        return root;
    }

    /** Every knob's MLflow param, name to value as MLflow shows it ({@code 0.1}, {@code 10}, {@code false}). */
    public static Map<String, String> mlflowParams(Map<Knob, Object> values) {
        Map<String, String> params = new LinkedHashMap<>();
        for (Knob k : values()) {
            params.put(k.mlflowParam, String.valueOf(k.normalise(values.get(k))));
        }
        return params;
    }

    /**
     * The configuration in words, without seed, threads, data or stall rule: trials that differ
     * only by seed share it (the leaderboard groups by it), e.g.
     * {@code gradual-head lr=0.05 epochs=5 batch=128 resize=96 momentum=0.9 schedule=step/3x0.1 flip}.
     */
    public static String label(Map<Knob, Object> values) {
        List<String> parts = new ArrayList<>();
        for (Knob k : values()) {
            Object v = k.normalise(values.get(k));
            switch (k.labelForm) {
                case NONE -> { }
                case VALUE -> parts.add(String.valueOf(v));
                case ALWAYS -> parts.add(k.labelName + "=" + v);
                case WHEN_SET -> {
                    if (v == null || v.equals(k.defaultValue)) {
                        break;
                    }
                    String part = k.kind == Kind.FLAG ? ((Boolean) v ? k.labelName : k.labelName + "=false") : k.labelName + "=" + v;
                    // The step schedule's period and factor belong to it; other schedules ignore them.
                    if (k == SCHEDULE && v.equals("step")) {
                        part += "/" + values.get(STEP_EPOCHS) + "x" + values.get(STEP_GAMMA);
                    }
                    parts.add(part);
                }
            }
        }
        return String.join(" ", parts);
    }

    private static void refuseIf(String problem, String name) {
        if (problem != null) {
            throw new UsageException(name + ": " + problem);
        }
    }

    /** A number as people write it: 1000 rather than 1000.0, -0.5 as is. */
    public static String format(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value).replace("E", "e");
    }

    private static String text(Object value) {
        return value instanceof Double d ? format(d) : String.valueOf(value);
    }

    private static String whole(double bound) {
        return bound >= Long.MAX_VALUE ? "any" : Long.toString((long) bound);
    }

    /** "a, b or c". */
    static String words(List<String> items, String last) {
        if (items.size() <= 1) {
            return String.join("", items);
        }
        return String.join(", ", items.subList(0, items.size() - 1)) + " " + last + " " + items.get(items.size() - 1);
    }

    private static Builder def(String key, String flag, String paramLabel, Kind kind) {
        return new Builder(key, flag, paramLabel, kind);
    }

    /** The fields of one knob, named as they are set. */
    static final class Builder {
        /** No upper end: {@code range(0, true, UNBOUNDED, false)} is "> 0". */
        static final double UNBOUNDED = Double.MAX_VALUE;

        final String key;
        final String flag;
        final String paramLabel;
        final Kind kind;
        double min = Double.NEGATIVE_INFINITY;
        boolean minOpen;
        double max = Double.POSITIVE_INFINITY;
        boolean maxOpen;
        List<String> choices = List.of();
        String expected;
        Object defaultValue;
        Object whenAbsent;
        boolean whenAbsentSet;
        String help;
        String json;
        String mlflow;
        String column;
        LabelForm labelForm = LabelForm.NONE;
        String labelName;
        boolean hyperparameter;
        boolean omittedAtDefault;

        Builder(String key, String flag, String paramLabel, Kind kind) {
            this.key = key;
            this.flag = flag;
            this.paramLabel = paramLabel;
            this.kind = kind;
        }

        Builder range(double min, boolean minOpen, double max, boolean maxOpen) {
            this.min = min;
            this.minOpen = minOpen;
            this.max = max == Builder.UNBOUNDED && kind == Kind.WHOLE ? Long.MAX_VALUE : max;
            this.maxOpen = maxOpen;
            return this;
        }

        Builder choices(String... words) {
            this.choices = List.of(words);
            return this;
        }

        Builder expected(String text) {
            this.expected = text;
            return this;
        }

        Builder byDefault(Object value) {
            this.defaultValue = value;
            return this;
        }

        Builder whenAbsent(Object value) {
            this.whenAbsent = value;
            this.whenAbsentSet = true;
            return this;
        }

        Builder help(String text) {
            this.help = text;
            return this;
        }

        Builder json(String path) {
            this.json = path;
            return this;
        }

        Builder mlflow(String param) {
            this.mlflow = param;
            return this;
        }

        Builder column(String name) {
            this.column = name;
            return this;
        }

        Builder label(LabelForm form) {
            return label(null, form);
        }

        Builder label(String name, LabelForm form) {
            this.labelName = name;
            this.labelForm = form;
            return this;
        }

        Builder hyperparameter() {
            this.hyperparameter = true;
            return this;
        }

        /** For knobs added after config hashes were first stored (none yet): see {@link Knob#canonical}. */
        Builder omittedAtDefault() {
            this.omittedAtDefault = true;
            return this;
        }
    }
}
