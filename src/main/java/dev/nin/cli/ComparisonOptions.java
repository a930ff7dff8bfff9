package dev.nin.cli;

import picocli.CommandLine.Option;

/** How {@code leaderboard}, {@code sweep} and {@code report} compare a sweep's configurations over seeds. */
public class ComparisonOptions {

    @Option(names = "--baseline", paramLabel = "CONFIGURATION", description = "Compare every configuration with this one, by"
            + " its full label as the leaderboard prints it (default: the configuration of the sweep's first trial).")
    String baseline;

    @Option(names = "--include-stuck", description = "Count trials that never left the ln 10 loss plateau in means and"
            + " differences (default: leave them out, and say how many there were).")
    boolean includeStuck;
}
