package dev.edgepush.flags;

import dev.edgepush.compat.EditDistance;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * What edge-agent and central-ingest say about their flags: the {@code -help} text, the
 * "did you mean" suggestion for a misspelt flag and the one-line message for a file a flag names
 * that cannot be read. Shared by both programs (net-kit).
 */
public final class FlagText {
    /** Widest help line, in characters: an 80-column terminal. */
    static final int HELP_WIDTH_CHARS = 80;
    /** Most edits (insert, delete, replace a character) between a typo and the flag it suggests. */
    static final int MAX_SUGGESTION_EDITS = 2;

    private FlagText() {}

    /**
     * Prints {@code -help} as vmagent does: each flag on its own line ({@code -name=LABEL}), its
     * description below, indented. Picocli's own layout wraps at any '.' or ':' and so cut flag names
     * such as {@code -remoteWrite.\nurl} in two; here lines break at spaces only, so a flag name or a
     * URL is never split (a word longer than the line stays whole).
     */
    public static void printHelp(CommandLine commandLine, String summary, PrintStream out) {
        out.println("Usage: " + commandLine.getCommandName() + " [flags]");
        out.println();
        wrap(summary, "", out);
        out.println();
        for (OptionSpec o : commandLine.getCommandSpec().options()) {
            String name = o.names()[0]; // as declared first: the one-dash vmagent name
            boolean takesValue = !o.usageHelp() && !(o.arity().max() == 0);
            boolean optionalValue = takesValue && o.arity().min() == 0;
            String label = !takesValue ? "" : optionalValue ? "[=" + o.paramLabel() + "]" : "=" + o.paramLabel();
            out.println("  " + name + label + (o.isMultiValue() ? "  (repeatable)" : ""));
            String description = String.join(" ", o.description());
            String def = o.defaultValueString();
            description = description.replace("${DEFAULT-VALUE}", def == null ? "none" : def);
            wrap(description, "      ", out);
        }
    }

    private static void wrap(String text, String indent, PrintStream out) {
        StringBuilder line = new StringBuilder(indent);
        for (String word : text.trim().split("\\s+")) {
            if (line.length() > indent.length() && line.length() + 1 + word.length() > HELP_WIDTH_CHARS) {
                out.println(line);
                line.setLength(0);
                line.append(indent);
            }
            if (line.length() > indent.length()) {
                line.append(' ');
            }
            line.append(word);
        }
        if (line.length() > indent.length()) {
            out.println(line);
        }
    }

    /**
     * Parses {@code args} into the object of {@code commandLine}: the problems, one line each, none
     * when it parsed. Every unknown flag is listed, as the line {@code unknown} makes of it.
     */
    public static List<String> parse(CommandLine commandLine, String[] args, UnaryOperator<String> unknown) {
        try {
            commandLine.parseArgs(args);
            return List.of();
        } catch (CommandLine.UnmatchedArgumentException e) {
            return e.getUnmatched().stream().map(unknown).toList();
        } catch (CommandLine.ParameterException e) {
            return List.of(e.getMessage());
        }
    }

    /**
     * The flag of {@code commandLine} closest to {@code typed} (e.g. {@code -remoteWrite.ur=x}), at
     * most {@link #MAX_SUGGESTION_EDITS} edits away (case differences count as edits), in the
     * one-dash form; null when none is that close.
     */
    public static String suggest(CommandLine commandLine, String typed) {
        String name = flagName(typed);
        if (name.isEmpty()) {
            return null;
        }
        String best = null;
        int bestEdits = MAX_SUGGESTION_EDITS + 1;
        for (OptionSpec o : commandLine.getCommandSpec().options()) {
            for (String n : o.names()) {
                if (n.startsWith("--") || !n.startsWith("-") || n.length() < 3) {
                    continue; // one form per flag; -h is too short to be a sensible suggestion
                }
                int d = EditDistance.between(name, n.substring(1));
                if (d < bestEdits) {
                    best = n;
                    bestEdits = d;
                }
            }
        }
        return best;
    }

    /** The flag name of a command-line word: {@code --a.b=c} gives {@code a.b}. */
    public static String flagName(String arg) {
        String name = arg.startsWith("--") ? arg.substring(2) : arg.startsWith("-") ? arg.substring(1) : arg;
        int eq = name.indexOf('=');
        return eq >= 0 ? name.substring(0, eq) : name;
    }

    /**
     * One line saying why the file {@code flag} names cannot be read, or null when it is a readable
     * regular file. The line names the flag and the path as given, never a Java exception.
     */
    public static String unreadableFile(String flag, Path file) {
        if (file == null) {
            return null;
        }
        String what = flag + "=" + file + ": ";
        if (!Files.exists(file)) {
            Path parent = file.toAbsolutePath().getParent();
            String hint =
                    parent != null && !Files.isDirectory(parent) ? " (nor does its directory " + parent + ")" : "";
            return what + "no such file" + hint + "; give the path of an existing file";
        }
        if (Files.isDirectory(file)) {
            return what + "is a directory, not a file";
        }
        if (!Files.isReadable(file)) {
            return what + "cannot be read by this user (check its permissions)";
        }
        return null;
    }

    /** {@link #unreadableFile} for every non-empty value of a repeatable flag. */
    public static List<String> unreadableFiles(String flag, List<String> files) {
        List<String> problems = new ArrayList<>();
        for (String f : files) {
            if (f != null && !f.isEmpty()) {
                String p = unreadableFile(flag, Path.of(f));
                if (p != null) {
                    problems.add(p);
                }
            }
        }
        return problems;
    }
}
