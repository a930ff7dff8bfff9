package dev.nin.config;


/**
 * The accepted range of every hyperparameter a user can set both as a command-line flag and as a
 * sweep-file key, defined once. The flags ({@code --seed}), the sweep parser ({@code seeds[0]} at
 * file:line:col) and the config records (at construction) all check here, so a value one path
 * accepts the other cannot refuse, and both say the same "expected X, found Y".
 *
 * <p>Deliberately small: a name, the flag, a kind and bounds. The next issue turns this into a
 * registry with defaults and help text.
 */
public enum Knob {
    LR("lr", "--lr", Kind.REAL, 0, true, Double.MAX_VALUE, false, "expected a learning rate > 0"),
    EPOCHS("epochs", "--epochs", Kind.WHOLE, 1, false, 1000, false, null),
    BATCH("batch", "--batch", Kind.WHOLE, 1, false, 4096, false, null),
    /** The variant's own minimum (67 for the shipped ones) is checked where the network is planned. */
    RESIZE("resize", "--resize", Kind.WHOLE, 1, false, 1024, false, null),
    SEED("seed", "--seed", Kind.WHOLE, 0, false, Long.MAX_VALUE, false, "expected 0 or more"),
    MOMENTUM("momentum", "--momentum", Kind.REAL, 0, false, 1, true, "expected a value in [0, 1)"),
    WEIGHT_DECAY("weight_decay", "--weight-decay", Kind.REAL, 0, false, Double.MAX_VALUE, false, "expected 0 or more"),
    DROPOUT("dropout", "--dropout", Kind.REAL, 0, false, 1, true, "expected a value in [0, 1)"),
    WARMUP_EPOCHS("warmup_epochs", "--warmup-epochs", Kind.REAL, 0, false, 1000, false, "expected 0 to 1000 epochs"),
    STEP_EPOCHS("step_epochs", "--step-epochs", Kind.WHOLE, 1, false, 1000, false, null),
    STEP_GAMMA("step_gamma", "--step-gamma", Kind.REAL, 0, true, 1, true, "expected a factor in (0, 1)"),
    LABEL_SMOOTHING("label_smoothing", "--label-smoothing", Kind.REAL, 0, false, 1, true, "expected a value in [0, 1)"),
    CROP_PADDING("crop_padding", "--crop-padding", Kind.WHOLE, 0, false, 8, false, null),
    /** 0 means TensorFlow's default (all cores); above 1024 is a typo, and TensorFlow would start that many threads. */
    THREADS("threads", "--threads", Kind.WHOLE, 0, false, 1024, false, null),
    /** 0 means never stall. */
    STALL_STEPS("stall.steps", "--stall-steps", Kind.WHOLE, 0, false, 10_000_000, false, null),
    STALL_BAND("stall.band", "--stall-band", Kind.REAL, 0, true, 1, true, "expected a value in (0, 1) nats"),
    /** Fashion-MNIST has 60,000 training images; 0 means all of them. */
    TRAIN_LIMIT("data.train_limit", "--train-limit", Kind.WHOLE, 0, false, 60_000, false, null),
    /** At least one training image must remain. */
    VALIDATION("data.validation", "--validation", Kind.WHOLE, 0, false, 59_999, false, null),
    /** Fashion-MNIST has 10,000 test images; 0 means all of them. */
    TEST_LIMIT("data.test_limit", "--test-limit", Kind.WHOLE, 0, false, 10_000, false, null);

    /** Whole numbers are checked as longs (no rounding), reals as finite doubles. */
    public enum Kind { WHOLE, REAL }

    /** The sweep-file key (under {@code base:}/{@code axes:}, or the dotted path for others). */
    public final String key;
    /** The command-line flag. */
    public final String flag;
    public final Kind kind;
    private final double min;
    private final boolean minOpen;
    private final double max;
    private final boolean maxOpen;
    private final String expected;

    Knob(String key, String flag, Kind kind, double min, boolean minOpen, double max, boolean maxOpen, String expected) {
        this.key = key;
        this.flag = flag;
        this.kind = kind;
        this.min = min;
        this.minOpen = minOpen;
        this.max = max;
        this.maxOpen = maxOpen;
        this.expected = expected != null ? expected : "expected " + whole(min) + " to " + whole(max);
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
     * Nesterov momentum needs momentum: the one rule between two knobs. Null when fine, else the
     * problem in the same words for {@code --nesterov} and a sweep file's {@code nesterov: true}.
     */
    public static String nesterovProblem(boolean nesterov, double momentum) {
        return nesterov && momentum == 0.0 ? "expected momentum > 0 with Nesterov, found momentum 0" : null;
    }

    private static void refuseIf(String problem, String name) {
        if (problem != null) {
            throw new IllegalArgumentException(name + ": " + problem);
        }
    }

    /** A number as people write it: 1000 rather than 1000.0, -0.5 as is. */
    public static String format(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value).replace("E", "e");
    }

    private static String whole(double bound) {
        return bound >= Long.MAX_VALUE ? "any" : Long.toString((long) bound);
    }
}
