package dev.nin.cli;

import io.quarkus.picocli.runtime.annotations.TopCommand;

import picocli.CommandLine.Command;

/** {@code nin}: train, measure and compare Network-in-Network models on Fashion-MNIST. */
@TopCommand
@Command(name = "nin", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Train, measure and compare Network-in-Network (NiN) models on Fashion-MNIST with TensorFlow through DJL.",
        subcommands = {SummaryCommand.class, TrainCommand.class, SweepCommand.class, WorkerCommand.class,
            LeaderboardCommand.class, RunsCommand.class, ShowCommand.class, SqlCommand.class, DbCommand.class,
            SyncCommand.class, ReportCommand.class, PredictCommand.class, EvaluateCommand.class, BenchCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:unexpected failure", "2:bad flag, value or file",
            "3:dataset missing or corrupt", "4:TensorFlow native libraries missing or broken",
            "5:training diverged (loss NaN or infinite)", "6:experiment database unreachable, refusing, or newer than nin",
            "7:a sweep stopped at a failed trial (--fail-fast)", "8:MLflow unreachable for ./nin sync (nothing lost)"})
public class NinCommand {}
