package dev.nin.train;

/** Receives {@link TrainingEvent}s on the training thread; keep handlers quick. */
@FunctionalInterface
public interface TrainingListener {

    void on(TrainingEvent event);

    TrainingListener NONE = event -> {};

    /** Both listeners, this one first. */
    default TrainingListener andThen(TrainingListener next) {
        return event -> {
            on(event);
            next.on(event);
        };
    }
}
