package dev.nin.sweep;

import dev.nin.model.Initializer;
import dev.nin.model.OptimizerSpec;
import dev.nin.model.TrainingTransforms;
import dev.nin.train.LearningRateSchedule;
import dev.nin.train.StallRule;
import dev.nin.train.TrainConfig;
import dev.nin.train.TrainingOptions;

import java.util.List;
import java.util.OptionalDouble;

/**
 * The hyperparameters a sweep sets per trial, with the book's values as defaults. Every key of a
 * sweep file's {@code base} and {@code axes} is one of {@link #KEYS}.
 *
 * @param options schedule, initialisation, augmentation and label smoothing (the stall rule is the sweep's, not a trial's)
 */
public record Hyperparameters(String variant, double lr, int epochs, int batch, int resize, double momentum,
        boolean nesterov, double weightDecay, OptionalDouble dropout, TrainingOptions options) {

    /** The keys a sweep file may use for hyperparameters, in documentation order. */
    public static final List<String> KEYS = List.of("variant", "lr", "epochs", "batch", "resize", "momentum", "nesterov",
            "weight_decay", "dropout", "schedule", "warmup_epochs", "step_epochs", "step_gamma", "init", "label_smoothing",
            "crop_padding", "flip");

    public static Hyperparameters book() {
        return new Hyperparameters("standard", TrainConfig.BOOK_LEARNING_RATE, TrainConfig.BOOK_EPOCHS,
                TrainConfig.BOOK_BATCH_SIZE, TrainConfig.BOOK_RESIZE, 0.0, false, 0.0, OptionalDouble.empty(),
                TrainingOptions.BOOK);
    }

    /** This set with {@code key} changed to {@code value} (already type-checked by the parser). */
    public Hyperparameters with(String key, Object value) {
        LearningRateSchedule s = options.schedule();
        TrainingTransforms t = options.transforms();
        return switch (key) {
            case "variant" -> new Hyperparameters((String) value, lr, epochs, batch, resize, momentum, nesterov, weightDecay,
                    dropout, options);
            case "lr" -> new Hyperparameters(variant, number(value), epochs, batch, resize, momentum, nesterov, weightDecay,
                    dropout, options);
            case "epochs" -> new Hyperparameters(variant, lr, whole(value), batch, resize, momentum, nesterov, weightDecay,
                    dropout, options);
            case "batch" -> new Hyperparameters(variant, lr, epochs, whole(value), resize, momentum, nesterov, weightDecay,
                    dropout, options);
            case "resize" -> new Hyperparameters(variant, lr, epochs, batch, whole(value), momentum, nesterov, weightDecay,
                    dropout, options);
            case "momentum" -> new Hyperparameters(variant, lr, epochs, batch, resize, number(value), nesterov, weightDecay,
                    dropout, options);
            case "nesterov" -> new Hyperparameters(variant, lr, epochs, batch, resize, momentum, (Boolean) value, weightDecay,
                    dropout, options);
            case "weight_decay" -> new Hyperparameters(variant, lr, epochs, batch, resize, momentum, nesterov, number(value),
                    dropout, options);
            case "dropout" -> new Hyperparameters(variant, lr, epochs, batch, resize, momentum, nesterov, weightDecay,
                    OptionalDouble.of(number(value)), options);
            case "schedule" -> withOptions(options.withSchedule(new LearningRateSchedule(
                    LearningRateSchedule.Kind.parse((String) value), s.warmupEpochs(), s.stepEpochs(), s.stepGamma())));
            case "warmup_epochs" -> withOptions(options.withSchedule(new LearningRateSchedule(s.kind(), number(value),
                    s.stepEpochs(), s.stepGamma())));
            case "step_epochs" -> withOptions(options.withSchedule(new LearningRateSchedule(s.kind(), s.warmupEpochs(),
                    whole(value), s.stepGamma())));
            case "step_gamma" -> withOptions(options.withSchedule(new LearningRateSchedule(s.kind(), s.warmupEpochs(),
                    s.stepEpochs(), number(value))));
            case "init" -> withOptions(options.withInitializer(Initializer.parse((String) value)));
            case "label_smoothing" -> withOptions(options.withTransforms(new TrainingTransforms(t.cropPadding(), t.flip(),
                    number(value))));
            case "crop_padding" -> withOptions(options.withTransforms(new TrainingTransforms(whole(value), t.flip(),
                    t.labelSmoothing())));
            case "flip" -> withOptions(options.withTransforms(new TrainingTransforms(t.cropPadding(), (Boolean) value,
                    t.labelSmoothing())));
            default -> throw new IllegalArgumentException("unknown hyperparameter " + key);
        };
    }

    private Hyperparameters withOptions(TrainingOptions o) {
        return new Hyperparameters(variant, lr, epochs, batch, resize, momentum, nesterov, weightDecay, dropout, o);
    }

    private static double number(Object value) {
        return ((Number) value).doubleValue();
    }

    private static int whole(Object value) {
        return ((Number) value).intValue();
    }

    /** The training configuration of one trial, with the sweep's stall rule. */
    public TrainConfig toTrainConfig(long seed, int threads, StallRule stall) {
        return new TrainConfig(lr, epochs, batch, resize, seed, new OptimizerSpec(momentum, nesterov, weightDecay), dropout,
                threads, options.withStall(stall));
    }

    /** The training configuration of one trial, never stalling. */
    public TrainConfig toTrainConfig(long seed, int threads) {
        return toTrainConfig(seed, threads, StallRule.OFF);
    }

    /** A short human label, e.g. {@code standard lr=0.1 batch=128}; options appear only when not the book's. */
    public String label() {
        StringBuilder s = new StringBuilder(variant).append(" lr=").append(lr).append(" epochs=").append(epochs)
                .append(" batch=").append(batch).append(" resize=").append(resize);
        if (momentum > 0) {
            s.append(" momentum=").append(momentum).append(nesterov ? " nesterov" : "");
        }
        if (weightDecay > 0) {
            s.append(" wd=").append(weightDecay);
        }
        dropout.ifPresent(d -> s.append(" dropout=").append(d));
        LearningRateSchedule schedule = options.schedule();
        if (schedule.kind() != LearningRateSchedule.Kind.CONSTANT) {
            s.append(" schedule=").append(schedule.kind().key());
            if (schedule.kind() == LearningRateSchedule.Kind.STEP) {
                s.append("/").append(schedule.stepEpochs()).append("x").append(schedule.stepGamma());
            }
        }
        if (schedule.warmupEpochs() > 0) {
            s.append(" warmup=").append(schedule.warmupEpochs());
        }
        if (options.initializer() != Initializer.XAVIER) {
            s.append(" init=").append(options.initializer().key());
        }
        TrainingTransforms t = options.transforms();
        if (t.labelSmoothing() > 0) {
            s.append(" smoothing=").append(t.labelSmoothing());
        }
        if (t.cropPadding() > 0) {
            s.append(" crop=").append(t.cropPadding());
        }
        if (t.flip()) {
            s.append(" flip");
        }
        return s.toString();
    }
}
