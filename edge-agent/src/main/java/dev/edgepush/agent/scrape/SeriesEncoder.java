package dev.edgepush.agent.scrape;

import dev.edgepush.proto.WriteRequestEncoder;
import dev.edgepush.proto.text.SeriesKeySink;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;

/**
 * Turns one target's parsed samples into remote-write series: adds the target's labels the
 * way Prometheus does (with {@code honor_labels} off, a scraped label that clashes with a
 * target label is kept as {@code exported_<name>}), applies the job's {@code
 * metric_relabel_configs} to scraped series (not to {@code up} and the other synthetic
 * series; a dropped series is neither encoded nor counted in {@link #samples()}), then the
 * extra labels of {@code -remoteWrite.label} (which override), sorts labels by name and encodes.
 * That work is done once per series and kept in a {@link SeriesCache} under the series' raw key
 * (see {@link SeriesKeySink}); each later sample of the series only copies its encoded labels.
 * The cache also tells which series the previous scrape had, for {@code scrape_series_added} and
 * staleness markers. A series that appears twice in one exposition is written once (the first).
 * One instance per target; not thread-safe.
 */
final class SeriesEncoder {
    /** Prometheus' staleness marker: a NaN with this exact bit pattern. */
    static final double STALE_NAN = Double.longBitsToDouble(0x7ff0000000000002L);

    private final ScrapeTarget target;
    private final SeriesLabels labels;
    /** In streaming mode a piece is appended once it holds this many samples (or {@link #PIECE_BYTES}). */
    static final int PIECE_SAMPLES = 10_000;

    static final int PIECE_BYTES = 1 << 20;
    /**
     * Series the caches of all targets together may hold (~345 B each with the encoded request):
     * a quarter of the heap ceiling. A target whose scrape would pass it is scraped in streaming
     * mode instead (no cache), so no exposition, however large, grows the heap past it.
     */
    static final long CACHED_SERIES_BUDGET =
            Math.max(10_000, Runtime.getRuntime().maxMemory() / 4 / 400);

    private static volatile long budget = CACHED_SERIES_BUDGET;
    private static final java.util.concurrent.atomic.AtomicLong CACHED_SERIES =
            new java.util.concurrent.atomic.AtomicLong();
    private long cachedCounted; // this target's share of CACHED_SERIES
    private WriteRequestEncoder encoder;
    private boolean streaming;
    private int post; // scraped samples kept (after relabeling) in this scrape, in every piece
    private boolean overSampleLimit;
    private final SeriesCache cache = new SeriesCache();
    private final Map<SeriesCache.FinalSeries, SeriesCache.FinalSeries> finals = new HashMap<>();
    private final Map<String, byte[]> syntheticLabels = new HashMap<>();
    private long gen;
    private int samples;
    private int added;
    private String labelLimitError;

    SeriesEncoder(ScrapeTarget target, SortedMap<String, String> externalLabels, Map<String, String> extraLabels) {
        this.target = target;
        this.labels = new SeriesLabels(target, externalLabels, extraLabels);
    }

    void begin() {
        begin(false);
    }

    /** Starts a scrape, in streaming mode or not (see {@link #toStreaming}). */
    void begin(boolean stream) {
        acquire();
        samples = 0;
        post = 0;
        added = 0;
        overSampleLimit = false;
        labelLimitError = null;
        gen++;
        streaming = false;
        if (stream) {
            toStreaming();
        }
    }

    private void acquire() {
        if (encoder == null) {
            encoder = EncoderPool.take();
        }
        encoder.reset();
    }

    /** Gives the encoder back once its request was appended; the next {@link #begin} takes one again. */
    void release() {
        if (encoder != null) {
            EncoderPool.giveBack(encoder);
        }
        encoder = null;
    }

    /**
     * From now on this scrape is streamed: no series cache (what it held is forgotten, so the
     * series of the previous scrape get no staleness markers), each sample's labels resolved on
     * their own, the request appended in pieces ({@link #pieceFull}) as it fills. The samples
     * already encoded stay, to be appended as the first piece.
     */
    void toStreaming() {
        streaming = true;
        finals.clear();
        cache.sweep(e -> true);
        countCached();
    }

    boolean streaming() {
        return streaming;
    }

    /**
     * True when this scrape's new series would take the caches of all targets past {@link
     * #CACHED_SERIES_BUDGET}: the caller then switches to streaming.
     */
    boolean overBudget() {
        return !streaming && CACHED_SERIES.get() - cachedCounted + cache.size() > budget;
    }

    /** True when the last scrape of this target alone would pass the budget (start the next streamed). */
    boolean lastScrapeTooBigToCache(int lastSeries) {
        return CACHED_SERIES.get() - cachedCounted + lastSeries > budget;
    }

    /** For tests: a smaller budget (restore with {@link #CACHED_SERIES_BUDGET}). */
    static void budgetForTests(long series) {
        budget = series;
    }

    /** Brings this target's share of the shared count up to date; after a scrape and a switch. */
    void countCached() {
        long now = cache.size();
        CACHED_SERIES.addAndGet(now - cachedCounted);
        cachedCounted = now;
    }

    /** Streaming mode: the encoder holds a piece worth appending. */
    boolean pieceFull() {
        return streaming && (samples >= PIECE_SAMPLES || encoder.size() >= PIECE_BYTES);
    }

    /** After the caller appended the encoder's request: starts the next piece. */
    void pieceAppended() {
        encoder.reset();
        samples = 0;
    }

    /** The cached series for the raw key b[off, off+len), or null; see {@link SeriesKeySink#find}. */
    SeriesCache.Entry find(byte[] b, int off, int len, int hash) {
        return streaming ? null : cache.find(b, off, len, hash);
    }

    /** Adds one scraped sample of a series {@link #find} returned: its labels are resolved. */
    void add(SeriesCache.Entry e, double value, long timestampMs) {
        e.seenGen = gen;
        add(e.series, e.metricName, value, timestampMs);
    }

    /**
     * Adds one scraped sample whose raw key b[keyOff, keyOff+keyLen) is not cached: resolves its
     * labels as {@link #add(String, String[], int, double, long)} does and caches the key (unless
     * keyLen is -1). {@code labels} as the parser gives them (name, value pairs).
     */
    void add(
            byte[] b,
            int keyOff,
            int keyLen,
            int keyHash,
            String metricName,
            String[] labels,
            int labelPairs,
            double value,
            long timestampMs) {
        if (streaming) {
            addStreamed(metricName, labels, labelPairs, value, timestampMs);
            return;
        }
        SeriesCache.FinalSeries f = resolve(metricName, labels, labelPairs);
        if (keyLen >= 0) {
            cache.insert(b, keyOff, keyLen, keyHash, f, target.labelLimit() > 0 ? metricName : null).seenGen = gen;
        }
        add(f, metricName, value, timestampMs);
    }

    /**
     * Adds one scraped sample; {@code labels} as the parser gives them (name, value pairs). Resolves
     * the labels every time: a scrape goes through the raw-key methods, which cache them.
     */
    void add(String metricName, String[] labels, int labelPairs, double value, long timestampMs) {
        add(resolve(metricName, labels, labelPairs), metricName, value, timestampMs);
    }

    /**
     * Streaming mode: the labels resolved for this sample alone, nothing kept. {@code sample_limit}
     * keeps the first samples up to the limit (they are appended as they come, as vmagent does);
     * {@code label_limit} drops the series past it and fails the scrape.
     */
    private void addStreamed(String metricName, String[] labels, int labelPairs, double value, long timestampMs) {
        byte[] encoded = this.labels.scraped(metricName, labels, labelPairs);
        if (encoded == null) {
            return;
        }
        int labelCount = this.labels.lastLabelCount();
        if (target.labelLimit() > 0 && labelCount > target.labelLimit()) {
            if (labelLimitError == null) {
                labelLimitError = "label_limit exceeded (metric: " + metricName + ", number of labels: " + labelCount
                        + ", limit: " + target.labelLimit() + ")";
            }
            return;
        }
        post++;
        if (target.sampleLimit() > 0 && post > target.sampleLimit()) {
            overSampleLimit = true;
            return;
        }
        encoder.addSeries(encoded, value, timestampMs);
        samples++;
    }

    /** The final series of scraped labels (null if relabelling drops it); sets its labelCount. */
    private SeriesCache.FinalSeries resolve(String metricName, String[] labels, int labelPairs) {
        byte[] encoded = this.labels.scraped(metricName, labels, labelPairs);
        if (encoded == null) {
            return null;
        }
        SeriesCache.FinalSeries f = finals.computeIfAbsent(new SeriesCache.FinalSeries(encoded), x -> x);
        f.labelCount = this.labels.lastLabelCount();
        return f;
    }

    private void add(SeriesCache.FinalSeries f, String metricName, double value, long timestampMs) {
        if (f == null) {
            return; // dropped by metric_relabel_configs
        }
        if (f.seenGen == gen) {
            return; // the same series twice in one exposition: the first one stands
        }
        if (target.labelLimit() > 0 && f.labelCount > target.labelLimit() && labelLimitError == null) {
            labelLimitError = "label_limit exceeded (metric: " + metricName + ", number of labels: " + f.labelCount
                    + ", limit: " + target.labelLimit() + ")";
        }
        f.prevSeenGen = f.seenGen;
        f.seenGen = gen;
        if (f.prevSeenGen != gen - 1) {
            added++;
        }
        encoder.addSeries(f.encodedLabels, value, timestampMs);
        samples++;
        post++;
    }

    /** Adds a synthetic series of the scrape itself ({@code up} and friends); never stale. */
    void addSynthetic(String metricName, double value, long timestampMs) {
        byte[] encoded = syntheticLabels.get(metricName);
        if (encoded == null) {
            encoded = labels.synthetic(metricName);
            syntheticLabels.put(metricName, encoded);
        }
        encoder.addSeries(encoded, value, timestampMs);
        samples++;
    }

    /**
     * Staleness markers for every series of the previous scrape missing from this one; forgets
     * series not seen in the last two scrapes (the cache stays the size of what the target
     * exposes).
     */
    int addStalenessMarkers(long timestampMs) {
        int before = samples;
        for (var it = finals.values().iterator(); it.hasNext(); ) {
            SeriesCache.FinalSeries f = it.next();
            if (f.seenGen == gen - 1) {
                encoder.addSeries(f.encodedLabels, STALE_NAN, timestampMs);
                samples++;
            } else if (f.seenGen < gen - 1) {
                it.remove();
            }
        }
        // An entry whose final series was just forgotten goes too, even if it was seen since (a
        // scrape that failed after adding it undid the final series' mark, not the entry's): kept,
        // it would bring back a final series that staleness no longer tracks, beside a new equal one.
        cache.sweep(e -> e.seenGen < gen - 1 || (e.series != null && e.series.seenGen < gen - 1));
        return samples - before;
    }

    /**
     * For a target that went away (removed from service discovery), as Prometheus does at the end
     * of a scrape loop: starts a new request holding a staleness marker for every series of the
     * last scrape and for every synthetic series ({@code up}, {@code scrape_*}) this target wrote,
     * then forgets them all. Read the request from {@link #encoder()}; returns the number of
     * markers (0 if the target was never scraped). Nothing is written for series a failed scrape
     * already marked stale.
     */
    int removalMarkers(long timestampMs) {
        acquire();
        samples = 0;
        added = 0;
        labelLimitError = null;
        for (SeriesCache.FinalSeries f : finals.values()) {
            if (f.seenGen == gen) {
                encoder.addSeries(f.encodedLabels, STALE_NAN, timestampMs);
                samples++;
            }
        }
        for (byte[] encoded : syntheticLabels.values()) {
            encoder.addSeries(encoded, STALE_NAN, timestampMs);
            samples++;
        }
        finals.clear();
        syntheticLabels.clear();
        cache.sweep(e -> true);
        countCached();
        return samples;
    }

    /**
     * Forgets this scrape's series (a failed scrape: all previous series go stale). In streaming
     * mode what was parsed before the failure stays: earlier pieces are already in the buffer.
     */
    void discardScraped() {
        added = 0;
        if (streaming) {
            return;
        }
        encoder.reset();
        samples = 0;
        post = 0;
        for (SeriesCache.FinalSeries f : finals.values()) {
            if (f.seenGen == gen) {
                f.seenGen = f.prevSeenGen;
            }
        }
    }

    /** The number of raw keys cached; for tests. */
    int cachedKeys() {
        return cache.size();
    }

    /** The first series of this scrape over the job's label_limit, as an error; null if none. */
    String labelLimitError() {
        return labelLimitError;
    }

    /** Samples in the encoder now (in streaming mode: the current piece). */
    int samples() {
        return samples;
    }

    /** Scraped samples kept after relabeling in this scrape, in every piece (for sample_limit). */
    int scrapedPost() {
        return post;
    }

    /** Streaming mode: sample_limit was passed (the samples up to it were kept). */
    boolean overSampleLimit() {
        return overSampleLimit;
    }

    int seriesAdded() {
        return added;
    }

    WriteRequestEncoder encoder() {
        return encoder;
    }
}
