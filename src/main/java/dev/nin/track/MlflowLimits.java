package dev.nin.track;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * MLflow's limits, met by sanitising and chunking, never by dropping: at most 1000 metrics, 100
 * params and 100 tags per log-batch; keys of allowed characters and at most 250 characters; param
 * values at most 6000 characters and tag values at most 8000 (longer ones continue under
 * {@code key.part2}, {@code key.part3}, …).
 */
public final class MlflowLimits {

    public static final int METRICS_PER_BATCH = 1000;
    public static final int PARAMS_PER_BATCH = 100;
    public static final int TAGS_PER_BATCH = 100;
    public static final int MAX_KEY_LENGTH = 250;
    public static final int MAX_PARAM_VALUE = 6000;
    public static final int MAX_TAG_VALUE = 8000;

    /** MLflow accepts letters, digits, underscores, dashes, periods, spaces and slashes in keys. */
    private static final Pattern NOT_ALLOWED = Pattern.compile("[^A-Za-z0-9_\\-. /]");

    private MlflowLimits() {}

    /** A key MLflow accepts: other characters become '_', too long keys are cut, nothing becomes "_". */
    public static String key(String raw) {
        String key = NOT_ALLOWED.matcher(raw == null ? "" : raw).replaceAll("_");
        // ".." and leading "/" are refused as path traversal.
        key = key.replace("..", "_.").replaceAll("^/+", "_");
        if (key.isBlank()) {
            key = "_";
        }
        return key.length() > MAX_KEY_LENGTH ? key.substring(0, MAX_KEY_LENGTH) : key;
    }

    /** A key/value pair; long values become several pairs whose values concatenate to the original. */
    public record Entry(String key, String value) {}

    public static List<Entry> split(String rawKey, String value, int maxValue) {
        String key = key(rawKey);
        List<Entry> out = new ArrayList<>();
        String v = value == null ? "" : value;
        if (v.length() <= maxValue) {
            out.add(new Entry(key, v));
            return out;
        }
        for (int part = 1, from = 0; from < v.length(); part++, from += maxValue) {
            String k = part == 1 ? key : key(trimForSuffix(key, ".part" + part) + ".part" + part);
            out.add(new Entry(k, v.substring(from, Math.min(v.length(), from + maxValue))));
        }
        return out;
    }

    private static String trimForSuffix(String key, String suffix) {
        return key.length() + suffix.length() > MAX_KEY_LENGTH ? key.substring(0, MAX_KEY_LENGTH - suffix.length()) : key;
    }

    /** {@code items} in consecutive chunks of at most {@code size}. */
    public static <T> List<List<T>> chunks(List<T> items, int size) {
        List<List<T>> out = new ArrayList<>();
        for (int from = 0; from < items.size(); from += size) {
            out.add(items.subList(from, Math.min(items.size(), from + size)));
        }
        return out;
    }
}
