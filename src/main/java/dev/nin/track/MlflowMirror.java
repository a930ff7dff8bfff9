package dev.nin.track;

import dev.nin.io.Redaction;
import dev.nin.store.Store;
import dev.nin.train.TrainingEvent;
import dev.nin.train.TrainingListener;

import java.util.List;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Sends the store to MLflow while training runs, on its own thread: training never waits for
 * MLflow, however slow or absent. After each epoch and at each trial boundary it asks for a sync;
 * what cannot be sent stays pending in the store for the next attempt and for {@code ./nin sync}.
 */
@ApplicationScoped
public class MlflowMirror {

    private final Store store;
    private final Optional<String> trackingUri;
    private ExecutorService sender;
    private MlflowSync sync;
    private Consumer<String> notices = line -> {};
    private volatile boolean failing;

    @Inject
    public MlflowMirror(Store store, @ConfigProperty(name = "nin.mlflow.tracking-uri") Optional<String> trackingUri) {
        this.store = store;
        this.trackingUri = trackingUri.filter(u -> !u.isBlank());
    }

    public Optional<String> trackingUri() {
        return trackingUri;
    }

    /** Says once where runs go (or that MLflow is not configured) and starts the sender thread. */
    public synchronized void start(Consumer<String> notices) {
        this.notices = notices;
        if (trackingUri.isEmpty()) {
            notices.accept("MLflow: not configured (set MLFLOW_TRACKING_URI); results stay in PostgreSQL and "
                    + "'./nin sync --to URI' can send them later");
            return;
        }
        if (sender == null) {
            sync = new MlflowSync(store, trackingUri.get());
            // One pending sync is enough: a newer request covers everything an older one would send.
            sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(1), r -> {
                Thread t = new Thread(r, "nin-mlflow");
                t.setDaemon(true);
                return t;
            }, new ThreadPoolExecutor.DiscardPolicy());
            notices.accept("MLflow: mirroring runs to " + Redaction.redact(trackingUri.get(), List.of()));
        }
    }

    /** A listener that asks for a sync of everything pending after each epoch and at the end of the trial. */
    public TrainingListener listener() {
        return event -> {
            if (event instanceof TrainingEvent.EpochEnded || event instanceof TrainingEvent.Finished) {
                requestSync();
            }
        };
    }

    /** Asks the sender thread for a pass over everything pending; returns at once. */
    public void requestSync() {
        ExecutorService s = sender;
        if (s != null) {
            s.execute(this::syncNow);
        }
    }

    private void syncNow() {
        try {
            sync.syncPending(Optional.empty());
            if (failing) {
                failing = false;
                notices.accept("MLflow: reachable again at " + Redaction.redact(sync.trackingUri(), List.of()) + "; pending results sent");
            }
        } catch (IOException | RuntimeException e) {
            if (!failing) {
                failing = true;
                notices.accept("MLflow: cannot send to " + Redaction.redact(sync.trackingUri(), List.of()) + " (" + e.getMessage()
                        + "); training goes on, results stay pending in PostgreSQL; ./nin sync sends them later");
            }
        }
    }

    /**
     * Where the MLflow UI shows a sweep ({@code kind} "sweep": its experiment's Runs table) or a
     * trial ("trial": its run), once a sync has linked it; empty without MLflow or before that.
     */
    public Optional<String> address(String kind, long localId) {
        return trackingUri.flatMap(uri -> MlflowUi.address(store, uri, kind, localId));
    }

    /**
     * Before the process ends: one last pass, waiting at most {@code max}. What it could not send
     * stays pending.
     */
    public synchronized void finish(Duration max) {
        if (sender == null) {
            return;
        }
        sender.shutdown();
        try {
            if (sender.awaitTermination(max.toMillis(), TimeUnit.MILLISECONDS)) {
                syncNowWithTimeout(max);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sender = null;
    }

    private void syncNowWithTimeout(Duration max) throws InterruptedException {
        ExecutorService last = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "nin-mlflow-last");
            t.setDaemon(true);
            return t;
        });
        last.execute(this::syncNow);
        last.shutdown();
        if (!last.awaitTermination(max.toMillis(), TimeUnit.MILLISECONDS)) {
            notices.accept("MLflow: still sending after " + max.toSeconds() + " s; stopping, ./nin sync sends the rest");
        }
    }
}
