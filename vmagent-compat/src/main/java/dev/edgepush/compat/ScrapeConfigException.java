package dev.edgepush.compat;

import java.util.ArrayList;
import java.util.List;

/**
 * A scrape config file is invalid. The message has the form
 * {@code <source>:<line>: <path>: <problem>}, e.g.
 * {@code scrape.yml:12: scrape_configs[1].static_configs[0].targets[2]: 'foo:bar:baz' is not host:port}.
 * A file with several problems gives one exception holding all of them ({@link #problems}), one
 * line each in the message, so that {@code -dryRun} reports every mistake in one run.
 */
public final class ScrapeConfigException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String sourceName;
    private final int line;
    private final List<String> problems;

    /**
     * @param sourceName the file name shown to the user
     * @param line the 1-based line of the problem, or 0 if unknown
     * @param message the full message, already prefixed with source and line
     */
    ScrapeConfigException(String sourceName, int line, String message, Throwable cause) {
        super(message, cause);
        this.sourceName = sourceName;
        this.line = line;
        this.problems = List.of(message);
    }

    private ScrapeConfigException(List<ScrapeConfigException> all) {
        super(String.join("\n", lines(all)), all.get(0).getCause());
        this.sourceName = all.get(0).sourceName;
        this.line = all.get(0).line;
        this.problems = lines(all);
    }

    /** One exception for all of {@code all} (not empty), in order; the first gives source and line. */
    static ScrapeConfigException of(List<ScrapeConfigException> all) {
        return all.size() == 1 ? all.get(0) : new ScrapeConfigException(all);
    }

    private static List<String> lines(List<ScrapeConfigException> all) {
        List<String> out = new ArrayList<>();
        for (ScrapeConfigException e : all) {
            out.addAll(e.problems);
        }
        return List.copyOf(out);
    }

    /** The file name (or other source name) given to the reader. */
    public String sourceName() {
        return sourceName;
    }

    /** The 1-based line of the (first) problem, or 0 if unknown. */
    public int line() {
        return line;
    }

    /** Every problem found, one line each ({@code <source>:<line>: <path>: <problem>}), in file order. */
    public List<String> problems() {
        return problems;
    }
}
