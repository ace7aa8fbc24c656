package dev.edgepush.testbed.bench;

/**
 * What one agent measured in a {@code -measure=fresh} run (see {@link FreshTimeline} for the
 * definitions). Doubles are NaN when the run could not measure them (the drain timed out).
 *
 * @param agent agent name
 * @param outageSeconds how long the link was down
 * @param linkBytesPerSecond the cap on the link after link-up, 0 for none
 * @param timeToFreshSeconds from link-up until every target's newest scrape was in VictoriaMetrics
 * @param firstPushSeconds from link-up until the agent counted its first 2xx push (polled)
 * @param drainSeconds from link-up until every scrape answered before it was in VictoriaMetrics
 * @param backlogScrapes scrapes answered before link-up and missing at the first poll after it
 * @param backlogSamples those scrapes in samples (estimated from the agent's samples per scrape)
 * @param expectedSamples scrapes the targets answered in the whole run
 * @param failedScrapes scrapes the agent gave up on ({@code up} 0 in VictoriaMetrics, typically a
 *     scrape timeout on a loaded machine): the target may have answered them, there is nothing to
 *     deliver
 * @param lostSamples answered scrapes VictoriaMetrics holds neither as a sample nor as failed
 */
record FreshResult(
        String agent,
        double outageSeconds,
        long linkBytesPerSecond,
        double timeToFreshSeconds,
        double firstPushSeconds,
        double drainSeconds,
        long backlogScrapes,
        long backlogSamples,
        long expectedSamples,
        long failedScrapes,
        long lostSamples) {}
