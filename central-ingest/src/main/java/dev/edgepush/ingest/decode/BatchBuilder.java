package dev.edgepush.ingest.decode;

import dev.edgepush.forward.buffer.DiskBuffer;
import dev.edgepush.proto.LabelBytes;
import dev.edgepush.proto.WriteRequestEncoder;
import dev.edgepush.proto.rw1.RemoteWrite;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns decoded series into a {@link StampedBatch}: validates each series' labels, replaces any
 * {@code robot} label with the one the token decides, sorts the labels, picks the series' shard
 * and lane ({@link ShardHash}) and encodes it as remote write 1.0. The batch has one part per
 * (shard, lane), at index {@code shard * lanes + lane}.
 *
 * <p>Rules, with the error each breaks (400, naming the 0-based series index in the request):
 * label names match {@code [a-zA-Z_][a-zA-Z0-9_]*}; {@code __name__} is present and not empty;
 * no label name twice. A label with an empty value is dropped (Prometheus: empty means absent).
 *
 * <p>Labels come as strings ({@link #beginSeries(int, String[], int)}) or as UTF-8 slices of the
 * request body ({@link #beginSeries(int, LabelBytes)}, remote write 1.0's hot path), which are
 * validated, stamped, sorted, hashed and copied as bytes without becoming strings. Both forms
 * give the same bytes, shard and errors for the same labels. {@link StampedLabels} holds the
 * current series' labels in either form and does the validating, stamping and sorting.
 *
 * <p>Float samples are encoded with {@link WriteRequestEncoder}: a series' samples are kept until
 * the next series begins (or {@link #build}) and written as one TimeSeries, its labels once. A
 * series that a request splits into several TimeSeries stays split (repeated fields
 * concatenate, so this is an equivalent request). Native histograms and exemplars, which that
 * encoder does not write, are serialized with the generated classes and appended to the same
 * shard's bytes. Metadata is not forwarded. Not thread-safe: one per request.
 */
public final class BatchBuilder {
    private final String robot;
    private final WriteRequestEncoder[] encoders;
    private final ByteArrayOutputStream[] extras;
    private final int[] points;
    private final int shardCount;
    private final int lanes;
    /** The current series' labels, validated and stamped (unless it began from the cache). */
    private final StampedLabels labels;

    /**
     * The current series' labels as encoded TimeSeries.labels fields when it began from the
     * {@link SeriesCache} ({@link #beginCachedSeries}); null otherwise.
     */
    private byte[] cachedLabels;
    /**
     * The current series' samples as the request encoded them, {@code rawSamples[rawFrom,
     * rawTo)}, when that is byte for byte what the encoder would write ({@link #rawSamples});
     * null otherwise.
     */
    private byte[] rawSamples;

    private int rawFrom;
    private int rawTo;
    /** The robot's series cache, or null. */
    private SeriesCache cache;
    /** The current series' part: {@code shard * lanes + lane}. */
    private int shard;
    /** Float samples of the current series, not yet encoded. */
    private double[] values = new double[16];

    private long[] timestamps = new long[16];
    private int pending;
    private long samples;
    private SampleTimes times = SampleTimes.ANY;
    private long tooOld;
    private long tooNew;
    private long histograms;
    private long exemplars;
    /** The largest TimeSeries field the WAL stores whole; see {@link DiskBuffer#MAX_STORED_FIELD_BYTES}. */
    private final int maxFieldBytes;
    /** Samples of the current series per TimeSeries, so that each fits in {@link #maxFieldBytes}. */
    private int maxSamplesPerField = Integer.MAX_VALUE;

    public BatchBuilder(String robot, int shardCount) {
        this(robot, shardCount, 0);
    }

    /**
     * A builder for a request whose decompressed body has {@code bodyBytes} bytes: each shard's
     * buffer starts at its expected share (the stamped request is about as large as the body), so
     * it is not grown by copying while the request is decoded.
     */
    public BatchBuilder(String robot, int shardCount, int bodyBytes) {
        this(robot, shardCount, 1, bodyBytes);
    }

    /**
     * As {@link #BatchBuilder(String, int, int)} with {@code lanes} forwarding lanes per shard: the
     * batch has {@code shardCount * lanes} parts.
     */
    public BatchBuilder(String robot, int shardCount, int lanes, int bodyBytes) {
        if (shardCount < 1 || lanes < 1) {
            throw new IllegalArgumentException("shardCount and lanes must be at least 1");
        }
        this.robot = robot;
        this.maxFieldBytes = DiskBuffer.MAX_STORED_FIELD_BYTES;
        this.labels = new StampedLabels(robot);
        this.shardCount = shardCount;
        this.lanes = lanes;
        int parts = Math.multiplyExact(shardCount, lanes);
        this.encoders = new WriteRequestEncoder[parts];
        this.extras = new ByteArrayOutputStream[parts];
        this.points = new int[parts];
        // An eighth more for labels the stamp adds; 4 KiB at least, as WriteRequestEncoder's default.
        int perShard = (int) Math.min(1 << 30, Math.max(4096, Math.max(0, bodyBytes) / parts * 9L / 8 + 64));
        for (int i = 0; i < parts; i++) {
            encoders[i] = new WriteRequestEncoder(perShard);
        }
    }

    /**
     * Uses this robot's cache on {@code shelf} (the decoding thread's, {@link
     * SeriesCache#threadShelf}) for {@link #beginCachedSeries} and {@link #remember}.
     */
    public void cache(SeriesCache.Shelf shelf) {
        this.cache = shelf.get(robot, shardCount, lanes);
    }

    /**
     * Starts series number {@code index} from the cache when its label fields, {@code buf[from,
     * to)} as the request holds them, are those series {@code index} had when it was last {@link
     * #remember remembered}: the same labels, shard and lane as {@link #beginSeries(int,
     * LabelBytes)} would give them, without that work. Returns false (and changes nothing) when
     * there is no such entry; the caller then begins the series the full way.
     */
    public boolean beginCachedSeries(int index, byte[] buf, int from, int to) {
        if (cache == null || !cache.matches(index, buf, from, to)) {
            return false;
        }
        flushSeries();
        rawSamples = null;
        cachedLabels = cache.encoded(index);
        shard = cache.part(index);
        maxSamplesPerField = cache.maxSamples(index);
        return true;
    }

    /**
     * Stores in the cache what the current series, just begun by {@link #beginSeries(int,
     * LabelBytes)}, became, under its label fields {@code buf[from, to)} as the request holds them
     * (all its labels, nothing else).
     */
    public void remember(int index, byte[] buf, int from, int to) {
        if (cache != null && labels.bytesForm() && cachedLabels == null) {
            byte[] encoded = WriteRequestEncoder.encodeLabels(labels.bytes());
            cache.put(index, buf, from, to, encoded, shard, maxSamplesPerField);
            cachedLabels = encoded; // the same bytes the LabelBytes form writes
        }
    }

    /**
     * Says that the current series' {@code count} samples, all added since it began, are {@code
     * buf[from, to)} in the request: its TimeSeries.samples fields, each in the encoder's own form
     * (the caller checks). When the series' labels are encoded ({@link #beginCachedSeries}, {@link
     * #remember}), its timestamps are not shifted and it was not split, those bytes are copied
     * instead of the samples being encoded again; otherwise this changes nothing.
     */
    public void rawSamples(byte[] buf, int from, int to, int count) {
        if (cachedLabels != null && pending == count && times.shiftMs() == 0) {
            rawSamples = buf;
            rawFrom = from;
            rawTo = to;
        }
    }

    /**
     * Starts series number {@code index} with {@code pairs[0, 2n)} as name, value, ... (any order,
     * may hold a {@code robot} label, which is replaced). Validates it; samples that follow belong
     * to it.
     */
    public void beginSeries(int index, String[] pairs, int n) throws PayloadException {
        flushSeries();
        cachedLabels = null;
        rawSamples = null;
        long labelBytes = labels.stamp(index, pairs, n);
        checkFits(index, labelBytes); // before sorting: a series of 100,000 labels must cost no sort
        labels.sortAndCheck(index);
        shard = encoders.length == 1 ? 0 : part(labels.hash());
    }

    /**
     * Like {@link #beginSeries(int, String[], int)} with labels held as valid UTF-8 (the caller
     * checks it); they are referenced, not copied, until the next series begins or {@link #build}.
     */
    public void beginSeries(int index, LabelBytes labels) throws PayloadException {
        flushSeries();
        cachedLabels = null;
        rawSamples = null;
        long labelBytes = this.labels.stamp(index, labels);
        checkFits(index, labelBytes); // before sorting: a series of 100,000 labels must cost no sort
        this.labels.sortAndCheck(index);
        shard = encoders.length == 1 ? 0 : part(this.labels.hash());
    }

    /**
     * The largest a float sample adds to a TimeSeries: tag and length, value (tag + 8 bytes),
     * timestamp (tag + a varint of up to 10 bytes).
     */
    static final int MAX_SAMPLE_FIELD_BYTES = 2 + 9 + 11;

    /**
     * Refuses a series whose labels alone (with one sample) make a TimeSeries larger than the WAL
     * stores whole (it would be acknowledged, then dropped as too_large); otherwise sets how many
     * samples go in one TimeSeries, so a series with many samples is written as several that each
     * fit (an equivalent request).
     */
    private void checkFits(int index, long labelBytes) throws PayloadException {
        long oneSample = 1 + 5 + labelBytes + MAX_SAMPLE_FIELD_BYTES; // TimeSeries tag, its length, labels, a sample
        if (oneSample > maxFieldBytes) {
            throw PayloadException.badRequest(
                    "series " + index + " " + labels.describe() + " is too large for one WAL record: "
                            + oneSample + " bytes with one sample, limit " + maxFieldBytes + " ("
                            + labels.pairs()
                            + " labels); drop labels or shorten their values; nothing of this request was stored");
        }
        maxSamplesPerField = (int) Math.max(1, (maxFieldBytes - oneSample) / MAX_SAMPLE_FIELD_BYTES + 1);
    }

    /** The part of a series with label hash {@code h}: its shard's lanes, then its lane among them. */
    private int part(long h) {
        return ShardHash.jump(h, shardCount) * lanes + ShardHash.lane(h, lanes);
    }

    /** How the timestamps of the samples that follow are shifted and checked ({@link SampleTimes#ANY} until set). */
    public void times(SampleTimes times) {
        this.times = times;
    }

    /** One float sample of the current series. */
    public void sample(double value, long timestampMs) {
        timestampMs -= times.shiftMs();
        if (timestampMs < times.oldestMs()) {
            tooOld++;
        } else if (timestampMs > times.newestMs()) {
            tooNew++;
        }
        if (pending == maxSamplesPerField) {
            flushSeries(); // the rest of this series goes in a further TimeSeries, so each fits the WAL
        }
        if (pending == values.length) {
            values = Arrays.copyOf(values, 2 * pending);
            timestamps = Arrays.copyOf(timestamps, 2 * pending);
        }
        values[pending] = value;
        timestamps[pending] = timestampMs;
        pending++;
        points[shard]++;
        samples++;
    }

    /** Encodes the current series' samples, labels once. */
    private void flushSeries() {
        if (pending > 0) {
            if (cachedLabels != null && rawSamples != null) {
                encoders[shard].addSeries(cachedLabels, 0, cachedLabels.length, rawSamples, rawFrom, rawTo - rawFrom);
            } else if (cachedLabels != null) {
                encoders[shard].addSeries(cachedLabels, 0, cachedLabels.length, values, timestamps, pending);
            } else {
                labels.addSeries(encoders[shard], values, timestamps, pending);
            }
            pending = 0;
            rawSamples = null;
        }
    }

    /** Native histograms and exemplars of the current series (either list may be empty). */
    public void histogramsAndExemplars(List<RemoteWrite.Histogram> hs, List<RemoteWrite.Exemplar> ex, int index)
            throws PayloadException {
        if (hs.isEmpty() && ex.isEmpty()) {
            return;
        }
        if (cachedLabels != null) {
            throw new IllegalStateException("a series begun from the cache has no native histograms or exemplars");
        }
        RemoteWrite.TimeSeries.Builder ts = RemoteWrite.TimeSeries.newBuilder();
        for (int i = 0; i < labels.pairs(); i++) {
            ts.addLabels(RemoteWrite.Label.newBuilder().setName(labels.name(i)).setValue(labels.value(i)));
        }
        ts.addAllHistograms(hs).addAllExemplars(ex);
        int size = ts.build().getSerializedSize();
        if (1L + LabelRules.varintSize(size) + size > maxFieldBytes) {
            throw PayloadException.badRequest("series " + index + " " + labels.describe()
                    + " is too large for one WAL record: "
                    + (1 + LabelRules.varintSize(size) + size) + " bytes of native histograms and exemplars, limit "
                    + maxFieldBytes
                    + "; send fewer per request; nothing of this request was stored");
        }
        if (extras[shard] == null) {
            extras[shard] = new ByteArrayOutputStream();
        }
        try {
            RemoteWrite.WriteRequest.newBuilder().addTimeseries(ts).build().writeTo(extras[shard]);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        points[shard] += hs.size();
        histograms += hs.size();
        exemplars += ex.size();
    }

    public StampedBatch build() {
        flushSeries();
        List<StampedBatch.ShardPart> parts = new ArrayList<>(encoders.length);
        for (int i = 0; i < encoders.length; i++) {
            byte[] bytes = encoders[i].array();
            int length = encoders[i].size();
            if (extras[i] != null) {
                byte[] joined = new byte[length + extras[i].size()];
                System.arraycopy(bytes, 0, joined, 0, length);
                byte[] extra = extras[i].toByteArray();
                System.arraycopy(extra, 0, joined, length, extra.length);
                bytes = joined;
                length = joined.length;
            }
            parts.add(new StampedBatch.ShardPart(bytes, length, points[i]));
        }
        return new StampedBatch(parts, samples, histograms, exemplars, tooOld, tooNew);
    }

    /**
     * Forgets everything added so far, as if just constructed: for a decoder that starts a request
     * over another way.
     */
    void reset() {
        for (int i = 0; i < encoders.length; i++) {
            encoders[i].reset();
            extras[i] = null;
            points[i] = 0;
        }
        pending = 0;
        cachedLabels = null;
        rawSamples = null;
        samples = 0;
        tooOld = 0;
        tooNew = 0;
        histograms = 0;
        exemplars = 0;
    }
}
