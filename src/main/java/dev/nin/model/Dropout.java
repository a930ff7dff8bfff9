package dev.nin.model;

import dev.nin.config.UsageException;

/**
 * Dropout, active only in the training path; evaluation and export skip it.
 *
 * @param rate probability of zeroing an activation, in [0, 1)
 */
public record Dropout(double rate) implements LayerSpec {

    public Dropout {
        if (!(rate >= 0.0 && rate < 1.0)) {
            throw new UsageException("dropout: expected a rate in [0, 1), found " + rate);
        }
    }

    @Override
    public String kind() {
        return "dropout";
    }
}
