package dev.nin.store.query;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A trial's recorded epochs, from {@code epoch_metrics}. */
public final class TrialEpochs {

    /** One epoch's figures; validation and test accuracy are null when not measured. */
    public record Epoch(int epoch, double trainLoss, double trainAccuracy, Double validationAccuracy, Double testAccuracy,
            double imagesPerSecond, Instant recordedAt) {}

    private TrialEpochs() {}

    /** The trial's epochs in order. */
    public static List<Epoch> load(Connection c, long trialId) throws SQLException {
        List<Epoch> out = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT epoch, train_loss, train_accuracy, validation_accuracy, test_accuracy,"
                + " images_per_second, recorded_at FROM epoch_metrics WHERE trial_id = ? ORDER BY epoch")) {
            s.setLong(1, trialId);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(new Epoch(r.getInt(1), r.getDouble(2), r.getDouble(3), (Double) r.getObject(4), (Double) r.getObject(5),
                            r.getDouble(6), r.getTimestamp(7).toInstant()));
                }
            }
        }
        return out;
    }
}
