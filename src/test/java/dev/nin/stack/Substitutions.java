package dev.nin.stack;

import java.util.ArrayList;
import java.util.List;

/**
 * What the stack tests change in the stack's own definitions to run them without Docker: host names,
 * ports and paths only, each recorded with why, so the list can be printed and read. A substitution
 * whose text is not there fails: the definitions changed shape, and the test must be looked at.
 */
final class Substitutions {

    private final List<String> made = new ArrayList<>();

    /** {@code text} with {@code from} (which must occur exactly once) replaced by {@code to}. */
    String apply(String where, String text, String from, String to, String why) {
        int at = text.indexOf(from);
        if (at < 0 || text.indexOf(from, at + 1) >= 0) {
            throw new AssertionError(where + ": expected '" + from + "' once, found it "
                    + (at < 0 ? "nowhere" : "more than once") + " in: " + text);
        }
        if (!from.equals(to)) {
            note(where, from.strip(), to.strip(), why);
        }
        return text.substring(0, at) + to + text.substring(at + from.length());
    }

    /** Records a substitution made another way (an added variable, a file put elsewhere). */
    void note(String where, String from, String to, String why) {
        made.add(where + ": '" + from + "' -> '" + to + "' (" + why + ")");
    }

    List<String> list() {
        return List.copyOf(made);
    }

    /** Prints the list, so a reader of the build log sees what ran differently from the stack. */
    void print(String test) {
        System.out.println(test + " ran the stack's definitions with these substitutions:");
        made.forEach(line -> System.out.println("  " + line));
    }
}
