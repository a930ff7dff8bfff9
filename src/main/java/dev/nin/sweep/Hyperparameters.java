package dev.nin.sweep;

import dev.nin.model.OptimizerSpec;
import dev.nin.train.TrainConfig;

import java.util.List;
import java.util.OptionalDouble;

/**
 * The hyperparameters a sweep sets per trial, with the book's values as defaults. Every key of a
 * sweep file's {@code base} and {@code axes} is one of {@link #KEYS}.
 */
public record Hyperparameters(String variant, double lr, int epochs, int batch, int resize, double momentum,
        boolean nesterov, double weightDecay, OptionalDouble dropout) {

    /** The keys a sweep file may use for hyperparameters, in documentation order. */
    public static final List<String> KEYS = List.of("variant", "lr", "epochs", "batch", "resize", "momentum", "nesterov",
            "weight_decay", "dropout");

    public static Hyperparameters book() {
        return new Hyperparameters("standard", TrainConfig.BOOK_LEARNING_RATE, TrainConfig.BOOK_EPOCHS,
                TrainConfig.BOOK_BATCH_SIZE, TrainConfig.BOOK_RESIZE, 0.0, false, 0.0, OptionalDouble.empty());
    }

    /** This set with {@code key} changed to {@code value} (already type-checked by the parser). */
    public Hyperparameters with(String key, Object value) {
        return switch (key) {
            case "variant" -> new Hyperparameters((String) value, lr, epochs, batch, resize, momentum, nesterov, weightDecay, dropout);
            case "lr" -> new Hyperparameters(variant, ((Number) value).doubleValue(), epochs, batch, resize, momentum, nesterov,
                    weightDecay, dropout);
            case "epochs" -> new Hyperparameters(variant, lr, ((Number) value).intValue(), batch, resize, momentum, nesterov,
                    weightDecay, dropout);
            case "batch" -> new Hyperparameters(variant, lr, epochs, ((Number) value).intValue(), resize, momentum, nesterov,
                    weightDecay, dropout);
            case "resize" -> new Hyperparameters(variant, lr, epochs, batch, ((Number) value).intValue(), momentum, nesterov,
                    weightDecay, dropout);
            case "momentum" -> new Hyperparameters(variant, lr, epochs, batch, resize, ((Number) value).doubleValue(), nesterov,
                    weightDecay, dropout);
            case "nesterov" -> new Hyperparameters(variant, lr, epochs, batch, resize, momentum, (Boolean) value, weightDecay,
                    dropout);
            case "weight_decay" -> new Hyperparameters(variant, lr, epochs, batch, resize, momentum, nesterov,
                    ((Number) value).doubleValue(), dropout);
            case "dropout" -> new Hyperparameters(variant, lr, epochs, batch, resize, momentum, nesterov, weightDecay,
                    OptionalDouble.of(((Number) value).doubleValue()));
            default -> throw new IllegalArgumentException("unknown hyperparameter " + key);
        };
    }

    /** The training configuration of one trial. */
    public TrainConfig toTrainConfig(long seed, int threads) {
        return new TrainConfig(lr, epochs, batch, resize, seed, new OptimizerSpec(momentum, nesterov, weightDecay), dropout,
                threads);
    }

    /** A short human label, e.g. {@code standard lr=0.1 batch=128}. */
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
        return s.toString();
    }
}
