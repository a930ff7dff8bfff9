package dev.nin.store.query;

import dev.nin.store.Store;
import dev.nin.store.StoreException;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** The most recent trials with their last epoch's figures ({@code ./nin runs}). */
@ApplicationScoped
public class RunsQuery {

    /**
     * One trial. The figures are rounded to 4 decimals by PostgreSQL (numeric), as the listing
     * always showed them; null where the trial has no epoch yet.
     *
     * @param epochs "completed/planned", null before the first epoch
     * @param started "YYYY-MM-DD HH24:MIZ": the start in UTC, whatever the server's time zone
     */
    public record Run(long trial, String sweep, String state, String variant, double learningRate, int batchSize, int resize,
            long seed, String epochs, BigDecimal trainLoss, BigDecimal validationAccuracy, BigDecimal testAccuracy,
            String device, String started) {}

    private final Store store;

    @Inject
    public RunsQuery(Store store) {
        this.store = store;
    }

    /** The {@code limit} newest trials, newest first. */
    public List<Run> recent(int limit) {
        try (Connection c = store.connection();
                PreparedStatement s = c.prepareStatement("""
                        SELECT trial_id, sweep, state, variant, learning_rate, batch_size, resize,
                               seed, epochs_completed || '/' || epochs AS epochs, round(train_loss::numeric, 4) AS loss,
                               round(validation_accuracy::numeric, 4) AS val_acc, round(test_accuracy::numeric, 4) AS test_acc,
                               device, to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI"Z"') AS started
                        FROM trial_results ORDER BY trial_id DESC LIMIT ?""")) {
            s.setInt(1, limit);
            List<Run> runs = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    runs.add(new Run(r.getLong("trial_id"), r.getString("sweep"), r.getString("state"), r.getString("variant"),
                            r.getDouble("learning_rate"), r.getInt("batch_size"), r.getInt("resize"), r.getLong("seed"),
                            r.getString("epochs"), r.getBigDecimal("loss"), r.getBigDecimal("val_acc"), r.getBigDecimal("test_acc"),
                            r.getString("device"), r.getString("started")));
                }
            }
            return runs;
        } catch (SQLException e) {
            throw new StoreException("could not list trials at " + store.redactedUrl() + ": " + e.getMessage(), e);
        }
    }
}
