package dev.edgepush.compat;

/**
 * A scrape config file is invalid. The message has the form
 * {@code <source>:<line>: <path>: <problem>}, e.g.
 * {@code scrape.yml:12: scrape_configs[1].static_configs[0].targets[2]: 'foo:bar:baz' is not host:port}.
 */
public final class ScrapeConfigException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String sourceName;
    private final int line;

    /**
     * @param sourceName the file name shown to the user
     * @param line the 1-based line of the problem, or 0 if unknown
     * @param message the full message, already prefixed with source and line
     */
    ScrapeConfigException(String sourceName, int line, String message, Throwable cause) {
        super(message, cause);
        this.sourceName = sourceName;
        this.line = line;
    }

    /** The file name (or other source name) given to the reader. */
    public String sourceName() {
        return sourceName;
    }

    /** The 1-based line the problem is on, or 0 if unknown. */
    public int line() {
        return line;
    }
}
