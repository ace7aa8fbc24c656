package dev.edgepush.agent.scrape;

/**
 * Where a {@link ScrapeLoop} gets its exposition from: a target's HTTP connection ({@link
 * TargetConnection}), or something inside the agent that writes the text format itself (the
 * host collector, {@code dev.edgepush.agent.host.HostSource}). Either way the body goes through the
 * same parser, relabeling, staleness tracking and disk buffer as a scrape.
 */
public interface ScrapeSource extends AutoCloseable {
    /**
     * Produces one scrape's body for {@code consumer}: {@link HttpScraper.BodyConsumer#head}, its
     * pieces, then {@link HttpScraper.BodyConsumer#done} exactly once, all on the loop's event loop.
     */
    void fetch(HttpScraper.BodyConsumer consumer);

    /** Stops for good; a fetch in flight still ends with {@code done}. Safe from any thread. */
    @Override
    void close();
}
