package dev.edgepush.agent.scrape;

import dev.edgepush.forward.buffer.SampleAppender;
import dev.edgepush.proto.text.ExpositionParser;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scrapes one target on its schedule (interval, stable offset), parses the body as it arrives,
 * adds the target's labels and the synthetic series Prometheus adds ({@code up}, {@code
 * scrape_duration_seconds}, {@code scrape_samples_scraped}, {@code
 * scrape_samples_post_metric_relabeling}, {@code scrape_series_added}, and vmagent's {@code
 * scrape_timeout_seconds} and, with a {@code sample_limit}, {@code scrape_samples_limit}), writes staleness
 * markers for series that disappeared, and appends the whole scrape to the disk buffer as one
 * excerpt; a large scrape is streamed instead, in excerpts of bounded size (see {@link Scrape}).
 * A failed scrape (unreachable, non-200, malformed body) writes {@code up 0} and staleness
 * markers and nothing else; so does one over the job's {@code sample_limit} or {@code
 * label_limit} or the agent's label limits. Everything runs on the target's event loop thread,
 * one body piece at a time, so other targets' scrapes run between the pieces of a large one; a
 * scrape still running when the next is due makes the next one skip. The loop owns the target's
 * {@link TargetConnection}, so the keep-alive connection lives exactly as long as the loop.
 */
public final class ScrapeLoop {
    private static final Logger log = LoggerFactory.getLogger(ScrapeLoop.class);
    static final String SCRAPE_NOT_WRITTEN = "cannot write a scrape of {} to the buffer: {}";

    private final ScrapeTarget target;
    /** The target's keep-alive connection (or the host collector); closed by {@link #stop}. */
    private final ScrapeSource connection;

    private final SampleAppender buffer; // a DiskBuffer, or the fan-out to every remote's buffer
    private final ScrapeCounters metrics;
    private final LongSupplier clockMs;
    private final EventLoop loop;
    private final SeriesEncoder series;
    private final ExpositionParser parser = new ExpositionParser();
    private final TargetStatus status;
    private volatile boolean inFlight;
    private boolean wasUp = true;
    private String lastLoggedError;
    private ScheduledFuture<?> schedule;
    private volatile boolean stopped;
    private boolean markRemovedAfterScrape; // set and read on the event loop only
    private boolean suppressScrapeErrors;
    private boolean streamParse; // -promscrape.streamParse
    private long minStreamBytes = Long.MAX_VALUE; // -promscrape.minResponseSizeForStreamParse
    private long lastBodyBytes; // of the last successful scrape, read on the event loop only
    private int lastScraped; // samples the last scrape parsed

    public ScrapeLoop(
            ScrapeTarget target,
            HttpScraper scraper,
            SampleAppender buffer,
            ScrapeCounters metrics,
            LongSupplier clockMs,
            EventLoop loop,
            SortedMap<String, String> externalLabels,
            Map<String, String> extraLabels) {
        this(target, scraper.connection(target, loop), buffer, metrics, clockMs, loop, externalLabels, extraLabels);
    }

    /**
     * A loop over any {@link ScrapeSource}, e.g. the host collector: its body is parsed, relabeled,
     * tracked for staleness and buffered exactly as a scraped target's.
     */
    public ScrapeLoop(
            ScrapeTarget target,
            ScrapeSource source,
            SampleAppender buffer,
            ScrapeCounters metrics,
            LongSupplier clockMs,
            EventLoop loop,
            SortedMap<String, String> externalLabels,
            Map<String, String> extraLabels) {
        this.target = target;
        this.connection = source;
        this.buffer = buffer;
        this.metrics = metrics;
        this.clockMs = clockMs;
        this.loop = loop;
        this.series = new SeriesEncoder(target, externalLabels, extraLabels);
        this.status = new TargetStatus(target);
    }

    /**
     * {@code -promscrape.suppressScrapeErrors}: a target going down or failing differently is not
     * logged (it still shows on {@code /targets} and as {@code up 0}). Call before {@link #start}.
     */
    public ScrapeLoop suppressScrapeErrors(boolean suppress) {
        this.suppressScrapeErrors = suppress;
        return this;
    }

    /**
     * {@code -promscrape.streamParse} (every scrape streamed) and {@code
     * -promscrape.minResponseSizeForStreamParse} (a scrape switches to streaming once its body
     * passes this many bytes, and the next scrape starts streamed). Call before {@link #start}.
     */
    public ScrapeLoop streamParse(boolean always, long minResponseBytes) {
        this.streamParse = always;
        this.minStreamBytes = minResponseBytes > 0 ? minResponseBytes : Long.MAX_VALUE;
        return this;
    }

    /**
     * The agent's {@code -maxLabelsPerTimeseries}, {@code -maxLabelNameLen} and {@code
     * -maxLabelValueLen}, checked as lines are parsed: a series past one fails the scrape (up 0,
     * the reason on /targets). Call before {@link #start}.
     */
    public ScrapeLoop labelLimits(int maxLabels, int maxNameBytes, int maxValueChars) {
        parser.limits(maxLabels, maxNameBytes, maxValueChars);
        return this;
    }

    /** The target this loop scrapes. */
    public ScrapeTarget target() {
        return target;
    }

    public TargetStatus status() {
        return status;
    }

    /** For tests. */
    SeriesEncoder seriesEncoder() {
        return series;
    }

    public void start() {
        long interval = target.interval().toMillis();
        long now = clockMs.getAsLong();
        long delay = Math.floorMod(target.offsetMs() - now, interval);
        schedule = loop.scheduleAtFixedRate(this::scrapeOnce, delay, interval, TimeUnit.MILLISECONDS);
    }

    /**
     * Stops scheduling and closes the target's connection; a scrape in flight still finishes and is
     * written (its connection closes after it). Safe from any thread.
     */
    public void stop() {
        stopped = true;
        if (schedule != null) {
            schedule.cancel(false);
        }
        connection.close();
    }

    /**
     * For a target removed from service discovery: {@link #stop}, then staleness markers for every
     * series the target had and for its synthetic series, appended once the scrape in flight (if
     * any) was written, on the target's event loop. A series that only goes away with its target
     * then ends at once in queries instead of lingering for the 5-minute lookback. Safe from any
     * thread.
     */
    public void stopAsRemoved() {
        stop();
        try {
            loop.execute(this::markRemoved);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the agent is shutting down: a clean stop, no markers
        }
    }

    private void markRemoved() {
        if (inFlight) {
            markRemovedAfterScrape = true; // the scrape's end calls back here
            return;
        }
        markRemovedAfterScrape = false;
        long ts = clockMs.getAsLong();
        int n = series.removalMarkers(ts);
        if (n == 0) {
            return;
        }
        try {
            appendEncoded(n, ts, "cannot write the staleness markers of removed target {} to the buffer: {}");
        } finally {
            series.release();
        }
    }

    /** True while a scrape is running (fetch, parse, append); read by the agent's orderly stop. */
    public boolean scrapeInFlight() {
        return inFlight;
    }

    void scrapeOnce() {
        if (inFlight || stopped) {
            return;
        }
        inFlight = true;
        connection.fetch(new Scrape(this, clockMs.getAsLong(), System.nanoTime(), -1));
    }

    /**
     * For tests: a whole fetch's outcome at once, the body passed on in 64 KiB pieces as the
     * network would, with {@code seconds} as the scrape's duration.
     */
    void finish(long ts, double seconds, int code, String contentType, byte[] body, int length, String error) {
        Scrape s = new Scrape(this, ts, System.nanoTime(), seconds);
        if (error == null) {
            s.head(code, contentType);
            for (int off = 0; off < length; off += 64 * 1024) {
                s.content(body, off, Math.min(64 * 1024, length - off));
            }
        }
        s.end(error);
    }

    ExpositionParser parser() {
        return parser;
    }

    /** -promscrape.minResponseSizeForStreamParse: a body past it switches its scrape to streaming. */
    long minStreamBytes() {
        return minStreamBytes;
    }

    /** Whether a scrape starts streamed: always, or after a last scrape too large to take whole. */
    boolean startStreamed() {
        return streamParse || lastBodyBytes > minStreamBytes || series.lastScrapeTooBigToCache(lastScraped);
    }

    /** After each scrape, written or not: the next may start; a removal waiting for it proceeds. */
    void scrapeEnded() {
        inFlight = false;
        if (markRemovedAfterScrape) {
            markRemoved();
        }
    }

    /**
     * Appends the {@code n} samples the encoder holds to the buffer; if that fails they are counted
     * as dropped (disk_full) and {@code failure} logged with the target's URL and the error.
     */
    void appendEncoded(int n, long ts, String failure) {
        try {
            buffer.append(series.encoder().array(), series.encoder().size(), n, ts);
        } catch (IOException | RuntimeException e) {
            metrics.dropped("disk_full", n);
            log.error(failure, target.url(), e.toString());
        }
    }

    /**
     * The end of a scrape: its outcome judged, the synthetic series added, the rest appended.
     * {@code error}: why the fetch or parse failed, or null; {@code bodyBytes}: the body's size.
     */
    void scrapeFinished(long ts, double seconds, int scraped, String error, boolean parseOverLimit, long bodyBytes) {
        lastBodyBytes = error == null ? bodyBytes : lastBodyBytes;
        int post = series.scrapedPost();
        // sample_limit and label_limit count after metric relabeling and fail the whole scrape, as in
        // Prometheus and vmagent; vmagent still reports what was scraped and kept in the counters.
        // In streaming mode the samples up to the limit are already stored, as in vmagent.
        boolean overLimit = parseOverLimit;
        if (error == null && target.sampleLimit() > 0 && (post > target.sampleLimit() || series.overSampleLimit())) {
            error = "the response from " + target.url() + " exceeds sample_limit=" + target.sampleLimit()
                    + "; either reduce the sample count for the target or increase sample_limit"
                    + (series.streaming()
                            ? " (streaming mode: the first " + target.sampleLimit() + " samples were stored)"
                            : "");
            overLimit = true;
        } else if (error == null && series.labelLimitError() != null) {
            error = series.labelLimitError() + " in the response from " + target.url();
            overLimit = true;
        }
        boolean up = error == null;
        boolean streamed = series.streaming();
        if (!up) {
            series.discardScraped();
            if (!overLimit && !streamed) {
                scraped = 0;
                post = 0;
            }
        }
        lastScraped = scraped;
        int added = series.seriesAdded(); // scraped series only, before the synthetic ones
        series.addSynthetic("up", up ? 1 : 0, ts);
        series.addSynthetic("scrape_duration_seconds", seconds, ts);
        series.addSynthetic("scrape_samples_scraped", scraped, ts);
        series.addSynthetic("scrape_samples_post_metric_relabeling", post, ts);
        series.addSynthetic("scrape_series_added", up ? added : 0, ts);
        // vmagent adds this one too (Prometheus does only with a feature flag); we follow vmagent.
        series.addSynthetic("scrape_timeout_seconds", target.timeout().toMillis() / 1000.0, ts);
        if (target.sampleLimit() > 0) {
            // vmagent adds the configured limit as a series when sample_limit is set.
            series.addSynthetic("scrape_samples_limit", target.sampleLimit(), ts);
        }
        series.addStalenessMarkers(ts);
        series.countCached();
        int total = series.samples();
        metrics.addSamplesScraped(scraped);
        appendEncoded(total, ts, SCRAPE_NOT_WRITTEN);
        series.release();
        status.lastScrapeMs = ts;
        status.lastDurationMs = (long) (seconds * 1000);
        status.lastError = up ? "" : error;
        status.up = up;
        status.lastSamples = scraped;
        logStateChange(up, error);
    }

    private void logStateChange(boolean up, String error) {
        if (suppressScrapeErrors) {
            wasUp = up;
            return;
        }
        if (up && !wasUp) {
            log.info("target {} (job {}) is up again", target.url(), target.job());
            lastLoggedError = null;
        } else if (!up && (wasUp || !error.equals(lastLoggedError))) {
            log.warn("target {} (job {}) is down: {}", target.url(), target.job(), error);
            lastLoggedError = error;
        }
        wasUp = up;
    }
}
