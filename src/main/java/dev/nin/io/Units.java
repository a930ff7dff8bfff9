package dev.nin.io;

import java.util.Locale;

/** Human-readable numbers for tables: 1,992,166; 762.3 M; 7.6 MiB. */
public final class Units {

    private Units() {}

    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** 762.3 M, 1.525 G, 108.0 M. */
    public static String millions(long n) {
        if (n >= 10_000_000_000L) {
            return String.format(Locale.ROOT, "%.2f G", n / 1e9);
        }
        return String.format(Locale.ROOT, "%.1f M", n / 1e6);
    }

    public static String bytes(long n) {
        if (n >= 1L << 30) {
            return String.format(Locale.ROOT, "%.2f GiB", n / (double) (1L << 30));
        }
        if (n >= 1L << 20) {
            return String.format(Locale.ROOT, "%.1f MiB", n / (double) (1L << 20));
        }
        return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
    }

    public static String fraction(double value) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.3f", value);
    }

    public static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
        }
        if (s >= 60) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%.1fs", seconds);
    }
}
