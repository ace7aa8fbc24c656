package dev.edgepush.agent.scrape;

/** What {@code /targets} shows for one target: written by its scrape loop, read by the page. */
public final class TargetStatus {
    public final ScrapeTarget target;
    volatile long lastScrapeMs;
    volatile long lastDurationMs;
    volatile String lastError = "";
    volatile boolean up;
    volatile int lastSamples;

    TargetStatus(ScrapeTarget target) {
        this.target = target;
    }

    public long lastScrapeMs() {
        return lastScrapeMs;
    }

    public long lastDurationMs() {
        return lastDurationMs;
    }

    public String lastError() {
        return lastError;
    }

    public boolean up() {
        return up;
    }

    public int lastSamples() {
        return lastSamples;
    }
}
