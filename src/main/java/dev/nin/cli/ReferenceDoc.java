package dev.nin.cli;

import dev.nin.config.Knob;

import java.util.ArrayList;
import java.util.List;

import picocli.CommandLine;

/**
 * docs/reference.md, rendered from the definitions it documents: every command's {@code --help}
 * (picocli's own usage text), the knob registry ({@link Knob}: flag, sweep key, default, accepted
 * values, MLflow param, column) and {@link ExitCode}. Nothing in it is written by hand;
 * ReferenceDocTest renders it again and compares, and rewrites it with {@code -Dnin.docs.rewrite=true}.
 */
public final class ReferenceDoc {

    private ReferenceDoc() {}

    /** The whole page for the command tree under {@code top} ({@code new CommandLine(new NinCommand())}). */
    public static String render(CommandLine top) {
        StringBuilder md = new StringBuilder();
        md.append("# nin reference\n\n")
                .append("Generated from the code (picocli's usage text, the knob registry `config/Knob`, `cli/ExitCode`);"
                        + " do not edit: `mvn test -Dtest=ReferenceDocTest -Dnin.docs.rewrite=true` writes it again.\n\n")
                .append("- [Commands](#commands)\n- [Hyperparameters and other knobs](#hyperparameters-and-other-knobs)\n")
                .append("- [Exit codes](#exit-codes)\n\n");
        md.append("## Commands\n\n");
        for (CommandLine command : commands(top)) {
            String name = command.getCommandSpec().qualifiedName(" ");
            md.append("### `").append(name.replaceFirst("^nin", "./nin")).append("`\n\n```\n")
                    .append(command.getUsageMessage(CommandLine.Help.Ansi.OFF).stripTrailing()).append("\n```\n\n");
        }
        md.append("## Hyperparameters and other knobs\n\n")
                .append("Each is one `Knob`: the `train` flag, the sweep-file key (under `base:` or `axes:` for"
                        + " hyperparameters, else the dotted path), its default, what it accepts, the MLflow param it is logged"
                        + " as and the column of `trials` that holds it (else only the trial's config JSON).\n\n")
                .append("| flag | sweep key | default | accepts | MLflow param | column | what it does |\n")
                .append("| --- | --- | --- | --- | --- | --- | --- |\n");
        for (Knob k : Knob.values()) {
            md.append("| `").append(k.flag).append("` | `").append(k.key).append("` | ").append(k.defaultText()).append(" | ")
                    .append(cell(k.range())).append(" | `").append(k.mlflowParam).append("` | ")
                    .append(k.column == null ? "-" : "`" + k.column + "`").append(" | ").append(cell(k.help)).append(" |\n");
        }
        md.append("\n## Exit codes\n\n| code | meaning |\n| --- | --- |\n");
        for (ExitCode c : ExitCode.values()) {
            md.append("| ").append(c.code).append(" | ").append(cell(c.description)).append(" |\n");
        }
        return md.toString();
    }

    /** {@code top} and every command below it, depth first in declaration order. */
    private static List<CommandLine> commands(CommandLine top) {
        List<CommandLine> all = new ArrayList<>(List.of(top));
        for (CommandLine sub : top.getSubcommands().values()) {
            if (!all.contains(sub)) {
                all.addAll(commands(sub));
            }
        }
        return all.stream().distinct().toList();
    }

    /** Text for a table cell: pipes escaped, an empty value as "-". */
    private static String cell(String text) {
        return text == null || text.isEmpty() ? "-" : text.replace("|", "\\|");
    }
}
