package dev.edgepush.agent.scrape;

/**
 * The counters a {@link ScrapeLoop} adds to, declared here so that scraping depends on no class
 * of the agent around it; the agent's metrics ({@code AgentMetrics}) implement it and render
 * them on {@code /metrics}. Implementations are called from scraping threads concurrently.
 */
public interface ScrapeCounters {
    /** Adds {@code samples} read from a target by one scrape. */
    void addSamplesScraped(long samples);

    /** Adds {@code samples} given up on for {@code reason} (a scrape loop reports "disk_full"). */
    void dropped(String reason, long samples);
}
