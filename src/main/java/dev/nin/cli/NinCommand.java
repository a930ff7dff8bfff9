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
        // The exit-code list of --help is set from ExitCode, the one definition.
        modelTransformer = ExitCode.HelpList.class)
public class NinCommand {}
