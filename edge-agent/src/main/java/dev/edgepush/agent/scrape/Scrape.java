package dev.edgepush.agent.scrape;

import dev.edgepush.proto.text.ExpositionFormat;
import dev.edgepush.proto.text.ExpositionParseException;
import dev.edgepush.proto.text.ExpositionParser;
import dev.edgepush.proto.text.SeriesKeySink;

/**
 * One scrape of a {@link ScrapeLoop} as its response arrives: each piece of the body is parsed at
 * once into the loop's {@link SeriesEncoder} (so no body is ever held whole, and the event loop
 * serves the other targets between pieces). A scrape starts in the usual mode (series cached, the
 * whole scrape appended as one excerpt at the end, all or nothing) and switches to streaming mode
 * once its body passes {@code -promscrape.minResponseSizeForStreamParse} or its series would take
 * the series caches past their budget ({@link SeriesEncoder#CACHED_SERIES_BUDGET}); a target is
 * streamed from the start with {@code -promscrape.streamParse} or when its last scrape was that
 * large. In streaming mode the samples are appended in pieces as they are parsed (see {@link
 * SeriesEncoder#toStreaming} for what that gives up). As the parser's sink it gives a sample
 * without a timestamp, or every sample without {@code honor_timestamps}, the scrape's.
 */
final class Scrape implements HttpScraper.BodyConsumer, SeriesKeySink<SeriesCache.Entry> {
    private final ScrapeLoop loop;
    private final ScrapeTarget target;
    private final SeriesEncoder series;
    private final long ts;
    private final long startNanos;
    private final double fixedSeconds; // tests: the duration to report; -1: measure
    private ExpositionParser.Stream stream;
    private int code;
    private String error;
    private boolean overLimit;
    private long bytes;
    private boolean begun;

    Scrape(ScrapeLoop loop, long ts, long startNanos, double fixedSeconds) {
        this.loop = loop;
        this.target = loop.target();
        this.series = loop.seriesEncoder();
        this.ts = ts;
        this.startNanos = startNanos;
        this.fixedSeconds = fixedSeconds;
    }

    @Override
    public void head(int status, String contentType) {
        code = status;
        if (status != 200) {
            return;
        }
        begin();
        stream = loop.parser().stream(ExpositionFormat.fromContentType(contentType), this);
    }

    private void begin() {
        if (!begun) {
            begun = true;
            series.begin(loop.startStreamed());
        }
    }

    @Override
    public void content(byte[] b, int off, int len) {
        if (stream == null || error != null) {
            return; // not a 200, or already failed: the rest is read and dropped
        }
        bytes += len;
        if (bytes > loop.minStreamBytes()) {
            toStreaming();
        }
        try {
            stream.feed(b, off, len);
        } catch (ExpositionParseException e) {
            fail(e);
        }
    }

    /** Switches this scrape to streaming mode, if it is not yet: what was parsed so far is the first piece. */
    void toStreaming() {
        if (!series.streaming()) {
            appendPiece();
            series.toStreaming();
        }
    }

    /** After each sample: appends a full piece, or switches to streaming when the caches are over budget. */
    void afterSample() {
        if (series.pieceFull()) {
            appendPiece();
        } else if (series.overBudget()) {
            toStreaming();
        }
    }

    private void fail(ExpositionParseException e) {
        overLimit = e.overLimit();
        error = overLimit
                ? "the response from " + target.url() + " was refused: " + e.getMessage()
                : "malformed exposition from " + target.url() + ": " + e.getMessage();
    }

    @Override
    public void done(String fetchError) {
        try {
            end(fetchError);
        } finally {
            loop.scrapeEnded();
        }
    }

    void end(String fetchError) {
        begin();
        int scraped = 0;
        if (fetchError != null) {
            error = fetchError;
        } else if (code != 200) {
            error = "HTTP " + code + " from " + target.url();
        } else if (error == null) {
            try {
                stream.end();
            } catch (ExpositionParseException e) {
                fail(e);
            }
        }
        if (stream != null) {
            scraped = stream.samples();
        }
        double seconds = fixedSeconds >= 0 ? fixedSeconds : (System.nanoTime() - startNanos) / 1e9;
        loop.scrapeFinished(ts, seconds, scraped, error, overLimit, bytes);
    }

    /** Appends what the encoder holds as one excerpt (a piece of a streamed scrape). */
    void appendPiece() {
        int n = series.samples();
        if (n > 0) {
            loop.appendEncoded(n, ts, ScrapeLoop.SCRAPE_NOT_WRITTEN);
        }
        series.pieceAppended();
    }

    private long ts(long tsMs) {
        return tsMs == Long.MIN_VALUE || !target.honorTimestamps() ? ts : tsMs;
    }

    @Override
    public SeriesCache.Entry find(byte[] b, int off, int len, int hash) {
        return series.find(b, off, len, hash);
    }

    @Override
    public void sample(SeriesCache.Entry e, double value, long timestampMs) {
        series.add(e, value, ts(timestampMs));
        afterSample();
    }

    @Override
    public void sample(
            byte[] b,
            int keyOff,
            int keyLen,
            int keyHash,
            String metricName,
            String[] labels,
            int labelPairs,
            double value,
            long timestampMs) {
        series.add(b, keyOff, keyLen, keyHash, metricName, labels, labelPairs, value, ts(timestampMs));
        afterSample();
    }
}
