package dev.nin.cli;

import dev.nin.io.Units;
import dev.nin.train.EpochMetrics;
import dev.nin.model.ComputePrecision;
import dev.nin.train.PrecisionChoice;
import dev.nin.train.TrainingEvent;
import dev.nin.train.TrainingListener;
import dev.nin.train.TrainingResult;

import java.io.PrintWriter;
import java.util.Locale;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows a run's progress: a progress bar per epoch (images/s, ETA) on an interactive terminal,
 * plain lines at each quarter of an epoch otherwise; after every epoch its metrics, and at the end
 * a line like the book's.
 */
final class ConsoleProgress implements TrainingListener {

    private static final int PLAIN_LINES_PER_EPOCH = 4;

    private final PrintWriter out;
    private final boolean interactive;
    private ProgressBar bar;
    private int epochs;
    private int totalImages;
    private long epochStartNanos;
    private int imagesThisEpoch;
    private int stepsThisEpoch;
    /** fp16 steps skipped this epoch (gradients not finite at the loss scale) and the scale after the last. */
    private int skippedThisEpoch;
    private double lossScale;

    ConsoleProgress(PrintWriter out, boolean interactive) {
        this.out = out;
        this.interactive = interactive;
    }

    /** Bars when a person watches a terminal, plain lines for logs and pipes. */
    static ConsoleProgress forTerminal(PrintWriter out) {
        return new ConsoleProgress(out, System.console() != null && System.getenv("CI") == null);
    }

    @Override
    public void on(TrainingEvent event) {
        if (event instanceof TrainingEvent.Started started) {
            epochs = started.config().epochs();
            totalImages = started.trainImages();
            out.printf(Locale.ROOT, "training %s at %dx%d on %s: %,d training, %,d validation, %,d test images; "
                    + "%d steps of %d per epoch%n", started.costs().plan().spec().variant(), started.config().resize(),
                    started.config().resize(), started.runtime().device(), started.trainImages(),
                    started.validationImages(), started.testImages(), started.batchesPerEpoch(),
                    started.config().batchSize());
            PrecisionChoice precision = started.precision();
            if (precision.precision() != ComputePrecision.FP32 || !precision.reason().equals("asked")) {
                out.printf("computing in %s (%s)%n", precision.precision().key(), precision.reason());
            }
            precision.notice().ifPresent(line -> out.println("note: " + line));
            if (started.resumedAfter() > 0) {
                out.printf("resuming after epoch %d from its checkpoint%n", started.resumedAfter());
            }
            out.flush();
        } else if (event instanceof TrainingEvent.BatchEnded batch) {
            onBatch(batch);
        } else if (event instanceof TrainingEvent.StepSkipped skipped) {
            skippedThisEpoch++;
            lossScale = skipped.lossScale();
        } else if (event instanceof TrainingEvent.Evaluating evaluating) {
            closeBar();
        } else if (event instanceof TrainingEvent.EpochEnded ended) {
            EpochMetrics m = ended.metrics();
            out.printf(Locale.ROOT, "epoch %d/%d: loss %.4f, train acc %s, validation acc %s, test acc %s, "
                    + "%.1f examples/sec, %s%n", m.epoch(), epochs, m.trainLoss(), Units.fraction(m.trainAccuracy()),
                    Units.fraction(m.validationAccuracy()), Units.fraction(m.testAccuracy()), m.imagesPerSecond(),
                    Units.duration(m.seconds()));
            if (skippedThisEpoch > 0) {
                // Not a divergence: the loss scale halves until fp16 holds the gradients (normal early on).
                out.printf(Locale.ROOT, "  fp16: %d of %d steps skipped (gradients not finite at the loss scale), which"
                        + " changed no weight; loss scale after the last skip %,.0f%n", skippedThisEpoch, stepsThisEpoch, lossScale);
            }
            // Counted from here: a step's skip is announced before its BatchEnded.
            stepsThisEpoch = 0;
            skippedThisEpoch = 0;
            out.flush();
        } else if (event instanceof TrainingEvent.Finished finished) {
            closeBar();
            TrainingResult result = finished.result();
            EpochMetrics last = result.last();
            if (result.status() == TrainingResult.Status.DIVERGED) {
                out.printf("training diverged at %s: the loss became NaN or infinite; try a smaller --lr%n",
                        result.stoppedAt());
            } else if (result.status() == TrainingResult.Status.STALLED) {
                out.printf("training stalled at %s: the loss stayed at ln 10, the network predicts nothing yet; try another"
                        + " --seed, --init he, momentum or the nin-bn variant%n", result.stoppedAt());
            }
            if (last != null) {
                out.printf(Locale.ROOT, "loss %.3f, train acc %.3f, test acc %s%n", last.trainLoss(),
                        last.trainAccuracy(), Units.fraction(last.testAccuracy()));
                out.printf(Locale.ROOT, "%.1f examples/sec on %s%n", last.imagesPerSecond(), result.device());
            }
            out.flush();
        }
    }

    private void onBatch(TrainingEvent.BatchEnded batch) {
        if (batch.batch() == 1) {
            epochStartNanos = System.nanoTime();
            imagesThisEpoch = 0;
            if (interactive) {
                bar = new ProgressBarBuilder().setTaskName("epoch " + batch.epoch() + "/" + epochs)
                        .setInitialMax(totalImages).setStyle(ProgressBarStyle.ASCII).setUnit(" img", 1)
                        .showSpeed().setUpdateIntervalMillis(500).build();
            }
        }
        imagesThisEpoch += batch.images();
        stepsThisEpoch++;
        if (bar != null) {
            bar.stepBy(batch.images());
            bar.setExtraMessage(String.format(Locale.ROOT, "loss %.3f", batch.loss()));
            return;
        }
        int every = Math.max(1, batch.batchesPerEpoch() / PLAIN_LINES_PER_EPOCH);
        if (batch.batch() % every == 0 && batch.batch() != batch.batchesPerEpoch()) {
            double seconds = (System.nanoTime() - epochStartNanos) / 1e9;
            double rate = imagesThisEpoch / seconds;
            double eta = (totalImages - imagesThisEpoch) / rate;
            out.printf(Locale.ROOT, "epoch %d/%d %3d%%  step %d/%d  loss %.4f  %.1f img/s  ETA %s%n", batch.epoch(),
                    epochs, 100 * batch.batch() / batch.batchesPerEpoch(), batch.batch(), batch.batchesPerEpoch(),
                    batch.loss(), rate, Units.duration(eta));
            out.flush();
        }
    }

    private void closeBar() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
