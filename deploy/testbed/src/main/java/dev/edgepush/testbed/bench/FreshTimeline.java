package dev.edgepush.testbed.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The drain after a link-up as the polls of VictoriaMetrics saw it, and what follows from them.
 *
 * <ul>
 *   <li><b>Time to fresh</b>: from link-up ({@code T0}, the moment the proxy passes traffic
 *       again) to the first poll whose answer holds, for every target, a sample with a timestamp
 *       at or after {@code T0}: the newest data of the whole fleet is queryable. Measured at the
 *       moment the answer arrived, so it is late by at most one poll period.
 *   <li><b>Drain</b>: from {@code T0} to the first full poll in which every scrape the targets
 *       answered before {@code T0} (the backlog of the outage) is stored, or stored as failed
 *       ({@code up} 0: the agent timed out on it, so it has no samples to deliver).
 *   <li><b>Lag curve</b>: at each full poll (about every second), the time since {@code T0}, the
 *       lag (poll time minus the newest timestamp of the stalest target), the outage backlog still
 *       missing (scrapes, and samples estimated from the samples per scrape) and every answered
 *       scrape still missing (the backlog plus what is in flight).
 * </ul>
 */
final class FreshTimeline {
    /** One line of the lag curve. */
    record Point(
            double sinceLinkUpSeconds,
            double lagSeconds,
            long backlogScrapes,
            long backlogSamples,
            long missingScrapes) {}

    static final String CSV_HEADER =
            "seconds_since_link_up,lag_seconds,backlog_scrapes,backlog_samples_est,missing_scrapes_all";

    private final long linkUpMs;
    private final Map<String, Long> answeredAtLinkUp;
    private final double samplesPerScrape;
    private final List<Point> points = new ArrayList<>();
    private double timeToFreshSeconds = Double.NaN;
    private double drainSeconds = Double.NaN;
    private long backlogAtLinkUp = -1;

    /**
     * @param linkUpMs {@code T0}, wall-clock ms (the agents time-stamp scrapes with the same clock)
     * @param answeredAtLinkUp scrapes each target had answered at {@code T0}
     * @param samplesPerScrape samples one scrape of one target adds (for the backlog in samples)
     */
    FreshTimeline(long linkUpMs, Map<String, Long> answeredAtLinkUp, double samplesPerScrape) {
        this.linkUpMs = linkUpMs;
        this.answeredAtLinkUp = Map.copyOf(answeredAtLinkUp);
        this.samplesPerScrape = samplesPerScrape;
    }

    /** A quick poll, of the newest samples only, answered at {@code atMs}. */
    void freshPoll(long atMs, ScrapeSnapshot s) {
        if (Double.isNaN(timeToFreshSeconds) && s.freshSince(linkUpMs, answeredAtLinkUp.keySet())) {
            timeToFreshSeconds = seconds(atMs);
        }
    }

    /**
     * A full poll, of every stored scrape, answered at {@code atMs}; {@code answeredNow}: scrapes
     * each target had answered when it was sent. Adds a point to the lag curve.
     */
    void fullPoll(long atMs, ScrapeSnapshot s, Map<String, Long> answeredNow) {
        freshPoll(atMs, s);
        long backlog = s.missing(answeredAtLinkUp, linkUpMs);
        if (backlogAtLinkUp < 0) {
            backlogAtLinkUp = backlog;
        }
        if (Double.isNaN(drainSeconds) && backlog == 0) {
            drainSeconds = seconds(atMs);
        }
        long newest = s.newestOfStalestMs(answeredAtLinkUp.keySet());
        double lag = newest == Long.MIN_VALUE ? Double.NaN : (atMs - newest) / 1000.0;
        points.add(new Point(
                seconds(atMs),
                lag,
                backlog,
                Math.round(backlog * samplesPerScrape),
                s.missing(answeredNow, Long.MAX_VALUE)));
    }

    private double seconds(long atMs) {
        return Math.max(0, atMs - linkUpMs) / 1000.0;
    }

    /** Seconds from link-up until every target's newest data was stored; NaN: not yet. */
    double timeToFreshSeconds() {
        return timeToFreshSeconds;
    }

    /** Seconds from link-up until the whole outage backlog was stored; NaN: not yet. */
    double drainSeconds() {
        return drainSeconds;
    }

    boolean done() {
        return !Double.isNaN(timeToFreshSeconds) && !Double.isNaN(drainSeconds);
    }

    /** The outage backlog (scrapes) at the first full poll after link-up; -1 before it. */
    long backlogAtLinkUp() {
        return backlogAtLinkUp;
    }

    List<Point> points() {
        return List.copyOf(points);
    }

    /** The lag curve as CSV: a header line, then one line per full poll. */
    String csv() {
        StringBuilder sb = new StringBuilder(CSV_HEADER).append('\n');
        for (Point p : points) {
            sb.append(String.format(Locale.ROOT, "%.3f", p.sinceLinkUpSeconds()))
                    .append(',')
                    .append(Double.isNaN(p.lagSeconds()) ? "" : String.format(Locale.ROOT, "%.3f", p.lagSeconds()))
                    .append(',')
                    .append(p.backlogScrapes())
                    .append(',')
                    .append(p.backlogSamples())
                    .append(',')
                    .append(p.missingScrapes())
                    .append('\n');
        }
        return sb.toString();
    }
}
