package dev.nin.cli;

import dev.nin.config.UsageException;
import dev.nin.store.query.LeaderboardQuery;
import dev.nin.store.query.SeedStatisticsQuery;
import dev.nin.store.Store;
import dev.nin.store.queue.SweepStore;


import jakarta.inject.Inject;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nin leaderboard NAME}: a sweep's ranking, best configuration and mean ± std over seeds. */
@Command(name = "leaderboard", mixinStandardHelpOptions = true,
        description = "Rank a sweep's trials by its metric; best configuration; mean ± std over seeds, stuck trials counted;"
                + " each configuration's difference to a baseline with its 95%% interval.")
public class LeaderboardCommand extends NinSubcommand {

    @Inject
    SweepStore sweeps;

    @Inject
    LeaderboardQuery leaderboard;

    @Inject
    SeedStatisticsQuery seeds;

    @picocli.CommandLine.Mixin
    ComparisonOptions comparison;

    @Parameters(paramLabel = "NAME", description = "The sweep's name (the file's 'name').")
    String name;

    @Option(names = "--top", defaultValue = "10", paramLabel = "N", description = "Rows (default: ${DEFAULT-VALUE}).")
    int top;

    @Override
    protected ExitCode execute() throws Exception {
        Leaderboard.checkTop(top);
        SweepStore.StoredSweep sweep = sweeps.find(name).orElseThrow(() -> new UsageException(
                "sweep: no sweep named '" + name + "' in " + store.redactedUrl()));
        Leaderboard.print(out(), "sweep " + name + ": " + sweeps.describeStates(sweep.id()), leaderboard, seeds, sweep, top,
                comparison);
        return ExitCode.OK;
    }
}
