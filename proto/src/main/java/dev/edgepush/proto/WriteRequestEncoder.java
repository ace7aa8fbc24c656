package dev.edgepush.proto;

import static dev.edgepush.proto.Rw1Wire.TAG_1_LEN;
import static dev.edgepush.proto.Rw1Wire.TAG_2_LEN;
import static dev.edgepush.proto.Rw1Wire.checkSamples;
import static dev.edgepush.proto.Rw1Wire.fieldSize;
import static dev.edgepush.proto.Rw1Wire.sampleSize;
import static dev.edgepush.proto.Rw1Wire.samplesSize;
import static dev.edgepush.proto.Rw1Wire.varint32Size;
import static dev.edgepush.proto.Rw1Wire.writeSample;
import static dev.edgepush.proto.Rw1Wire.writeSamples;
import static dev.edgepush.proto.Rw1Wire.writeVarint32;

import java.util.Arrays;
import java.util.Objects;

/**
 * Writes a Prometheus remote-write 1.0 {@code WriteRequest} straight into a growable byte array,
 * one {@code TimeSeries} (field 1) per {@code addSeries} call, holding one sample or (the forms
 * taking arrays) any number of them, without building generated message objects. Labels come as
 * strings or as UTF-8 slices ({@link LabelBytes}) copied without decoding. The protobuf
 * primitives (field tags, varints, Sample fields) are in {@link Rw1Wire}.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>The bytes are identical to protobuf-java's serialization of the equivalent
 *       {@code RemoteWrite.WriteRequest}: proto3 defaults are omitted exactly as the generated code
 *       omits them (empty strings, timestamp 0, value whose raw bits are 0, so {@code -0.0} is
 *       written), doubles keep their raw bits (the staleness NaN {@code 0x7ff0000000000002}
 *       survives), and unpaired surrogates become {@code '?'} as in {@code String.getBytes(UTF_8)}.
 *   <li>Series are appended; since repeated fields concatenate, bytes from two encoders joined
 *       together are a valid request holding both sets of series.
 *   <li>Steady state allocates nothing: the buffer and a label-length scratch array only grow,
 *       and {@link #reset()} keeps them.
 *   <li>Not thread-safe.
 * </ul>
 */
public final class WriteRequestEncoder {
    static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    private byte[] buf;
    private int size;
    private int seriesCount;
    private int[] lens = new int[32];
    private final double[] oneValue = new double[1]; // the single-sample addSeries, without allocating
    private final long[] oneTimestamp = new long[1];

    /** Creates an encoder with a 4 KiB initial buffer. */
    public WriteRequestEncoder() {
        this(4096);
    }

    /** Creates an encoder whose buffer starts at {@code initialCapacity} bytes (at least 16). */
    public WriteRequestEncoder(int initialCapacity) {
        if (initialCapacity < 0) {
            throw new IllegalArgumentException("initialCapacity < 0: " + initialCapacity);
        }
        buf = new byte[Math.max(16, initialCapacity)];
    }

    /**
     * Appends one TimeSeries holding the given labels and a single sample.
     *
     * @param labels name, value, name, value... written in this order (the caller sorts)
     * @param labelPairs number of pairs to take from the start of {@code labels}
     * @param value sample value, written by raw bits
     * @param timestampMs sample timestamp in milliseconds since the epoch
     * @throws NullPointerException if one of the used label strings is null
     * @throws IllegalArgumentException if {@code labelPairs} is negative or exceeds the array
     */
    public void addSeries(String[] labels, int labelPairs, double value, long timestampMs) {
        oneValue[0] = value;
        oneTimestamp[0] = timestampMs;
        addSeries(labels, labelPairs, oneValue, oneTimestamp, 1);
    }

    /**
     * The labels of a TimeSeries (its repeated field 1) encoded once, for {@link
     * #addSeries(byte[], double, long)}: a scraper that sees the same series every scrape encodes
     * its labels once instead of every time.
     */
    public static byte[] encodeLabels(String[] labels, int labelPairs) {
        WriteRequestEncoder e = new WriteRequestEncoder(64);
        e.addSeries(labels, labelPairs, 0.0, 0);
        // e holds: 0x0a, varint(bodyLen), labels..., 0x12, 0x00 (an empty sample)
        int p = 1;
        while ((e.buf[p] & 0x80) != 0) {
            p++;
        }
        return Arrays.copyOfRange(e.buf, p + 1, e.size - 2);
    }

    /**
     * Appends one TimeSeries whose labels came from {@link #encodeLabels}; the bytes are the
     * same as {@link #addSeries(String[], int, double, long)} with those labels would write.
     */
    public void addSeries(byte[] encodedLabels, double value, long timestampMs) {
        long bits = Double.doubleToRawLongBits(value);
        int bodyLen = encodedLabels.length + 2 + sampleSize(bits, timestampMs);
        ensureRoom(1L + varint32Size(bodyLen) + bodyLen);
        byte[] b = buf;
        int p = size;
        b[p++] = TAG_1_LEN;
        p = writeVarint32(b, p, bodyLen);
        System.arraycopy(encodedLabels, 0, b, p, encodedLabels.length);
        size = writeSample(b, p + encodedLabels.length, bits, timestampMs);
        seriesCount++;
    }

    /**
     * Appends one TimeSeries holding the given labels once and {@code sampleCount} samples, in
     * order: the bytes protobuf-java writes for a TimeSeries with those labels and samples. A
     * receiver of remote write groups a series' samples so; writing them as one TimeSeries each
     * would repeat the label set per sample.
     *
     * @param labels name, value, name, value... written in this order (the caller sorts)
     * @param labelPairs number of pairs to take from the start of {@code labels}
     * @param values sample values in {@code [0, sampleCount)}, written by raw bits
     * @param timestampsMs sample timestamps in {@code [0, sampleCount)}, ms since the epoch
     * @param sampleCount number of samples, may be 0 (a TimeSeries with labels only)
     * @throws NullPointerException if one of the used label strings is null
     * @throws IllegalArgumentException if {@code labelPairs} or {@code sampleCount} is out of range
     */
    public void addSeries(String[] labels, int labelPairs, double[] values, long[] timestampsMs, int sampleCount) {
        if (labelPairs < 0 || labelPairs > labels.length / 2) {
            throw new IllegalArgumentException(
                    "labelPairs " + labelPairs + " out of range for " + labels.length + " strings");
        }
        checkSamples(values, timestampsMs, sampleCount);
        int n = labelPairs * 2;
        if (lens.length < n) {
            lens = new int[Math.max(n, lens.length * 2)];
        }
        int[] l = lens;
        long body = samplesSize(values, timestampsMs, sampleCount);
        for (int i = 0; i < n; i += 2) {
            int nameLen = Utf8Encoding.length(Objects.requireNonNull(labels[i], "label name"));
            int valueLen = Utf8Encoding.length(Objects.requireNonNull(labels[i + 1], "label value"));
            l[i] = nameLen;
            l[i + 1] = valueLen;
            int labelLen = fieldSize(nameLen) + fieldSize(valueLen);
            body += 1 + varint32Size(labelLen) + labelLen;
        }
        int p = startSeries(body);
        byte[] b = buf;
        for (int i = 0; i < n; i += 2) {
            int nameLen = l[i];
            int valueLen = l[i + 1];
            b[p++] = TAG_1_LEN;
            p = writeVarint32(b, p, fieldSize(nameLen) + fieldSize(valueLen));
            if (nameLen != 0) {
                b[p++] = TAG_1_LEN;
                p = writeVarint32(b, p, nameLen);
                p = Utf8Encoding.write(labels[i], b, p);
            }
            if (valueLen != 0) {
                b[p++] = TAG_2_LEN;
                p = writeVarint32(b, p, valueLen);
                p = Utf8Encoding.write(labels[i + 1], b, p);
            }
        }
        size = writeSamples(b, p, values, timestampsMs, sampleCount);
        seriesCount++;
    }

    /**
     * Like {@link #addSeries(String[], int, double[], long[], int)} with labels that are already
     * UTF-8 (for example read in place from a request body), copied as they are: the bytes are
     * those protobuf-java writes for the strings they decode to, provided they are valid UTF-8
     * (which the caller checks; this method does not look inside them).
     */
    public void addSeries(LabelBytes labels, double[] values, long[] timestampsMs, int sampleCount) {
        checkSamples(values, timestampsMs, sampleCount);
        int p = startSeries(samplesSize(values, timestampsMs, sampleCount) + labelsSize(labels));
        byte[] b = buf;
        p = writeLabels(b, p, labels);
        size = writeSamples(b, p, values, timestampsMs, sampleCount);
        seriesCount++;
    }

    /**
     * The labels of a TimeSeries (its repeated field 1) as {@link #addSeries(LabelBytes, double[],
     * long[], int)} writes them, for {@link #addSeries(byte[], int, int, double[], long[], int)}: a
     * receiver that sees the same series request after request encodes its labels once.
     */
    public static byte[] encodeLabels(LabelBytes labels) {
        byte[] b = new byte[checkedSeriesSize(labelsSize(labels))];
        writeLabels(b, 0, labels);
        return b;
    }

    /** Encoded size of {@code labels} as TimeSeries field 1 entries. */
    private static long labelsSize(LabelBytes labels) {
        int n = labels.pairs() * 2;
        long total = 0;
        for (int i = 0; i < n; i += 2) {
            int labelLen = fieldSize(labels.length(i)) + fieldSize(labels.length(i + 1));
            total += 1 + varint32Size(labelLen) + labelLen;
        }
        return total;
    }

    /** Writes {@code labels} as TimeSeries field 1 entries at {@code b[p]}; returns the end. */
    private static int writeLabels(byte[] b, int p, LabelBytes labels) {
        int n = labels.pairs() * 2;
        for (int i = 0; i < n; i += 2) {
            int nameLen = labels.length(i);
            int valueLen = labels.length(i + 1);
            b[p++] = TAG_1_LEN;
            p = writeVarint32(b, p, fieldSize(nameLen) + fieldSize(valueLen));
            if (nameLen != 0) {
                b[p++] = TAG_1_LEN;
                p = writeVarint32(b, p, nameLen);
                System.arraycopy(labels.array(i), labels.offset(i), b, p, nameLen);
                p += nameLen;
            }
            if (valueLen != 0) {
                b[p++] = TAG_2_LEN;
                p = writeVarint32(b, p, valueLen);
                System.arraycopy(labels.array(i + 1), labels.offset(i + 1), b, p, valueLen);
                p += valueLen;
            }
        }
        return p;
    }

    /**
     * Appends one TimeSeries whose labels are {@code encodedLabels[offset, offset + length)} as
     * {@link #encodeLabels(LabelBytes)} or {@link #encodeLabels(String[], int)} wrote them, and
     * {@code sampleCount} samples: the same bytes as the other {@code addSeries} forms with those
     * labels.
     */
    public void addSeries(
            byte[] encodedLabels, int offset, int length, double[] values, long[] timestampsMs, int sampleCount) {
        checkSamples(values, timestampsMs, sampleCount);
        int p = startSeries(length + samplesSize(values, timestampsMs, sampleCount));
        System.arraycopy(encodedLabels, offset, buf, p, length);
        size = writeSamples(buf, p + length, values, timestampsMs, sampleCount);
        seriesCount++;
    }

    /**
     * Appends one TimeSeries of encoded labels (as {@link #encodeLabels(LabelBytes)} writes them)
     * and encoded TimeSeries.samples fields, {@code encodedSamples[samplesOffset, samplesOffset +
     * samplesLength)}, both copied as they are: for samples already in the form this encoder
     * writes (a receiver that checked so forwards them without encoding them again).
     */
    public void addSeries(
            byte[] encodedLabels,
            int labelsOffset,
            int labelsLength,
            byte[] encodedSamples,
            int samplesOffset,
            int samplesLength) {
        int p = startSeries((long) labelsLength + samplesLength);
        System.arraycopy(encodedLabels, labelsOffset, buf, p, labelsLength);
        System.arraycopy(encodedSamples, samplesOffset, buf, p + labelsLength, samplesLength);
        size = p + labelsLength + samplesLength;
        seriesCount++;
    }

    /**
     * The bytes {@link #addSeries} writes for a Sample's contents (without its tag and length):
     * value and timestamp, each left out when it is the proto3 default.
     */
    public static int sampleContentSize(long valueBits, long timestampMs) {
        return sampleSize(valueBits, timestampMs);
    }

    /**
     * Makes room for a TimeSeries whose body is {@code body} bytes and writes its tag and length;
     * returns where the body goes.
     */
    private int startSeries(long body) {
        int bodyLen = checkedSeriesSize(body);
        ensureRoom(1L + varint32Size(bodyLen) + bodyLen);
        buf[size] = TAG_1_LEN;
        return writeVarint32(buf, size + 1, bodyLen);
    }

    private static int checkedSeriesSize(long body) {
        if (body > MAX_ARRAY) {
            throw new IllegalArgumentException("series too large: " + body + " bytes");
        }
        return (int) body;
    }

    /** Number of series appended since construction or the last {@link #reset()}. */
    public int seriesCount() {
        return seriesCount;
    }

    /** Number of valid bytes in {@link #array()}. */
    public int size() {
        return size;
    }

    /** The backing array, valid from 0 up to {@link #size()}; replaced when the buffer grows. */
    public byte[] array() {
        return buf;
    }

    /** A copy of the serialized WriteRequest. */
    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    /** Forgets all series, keeping the buffer for reuse. */
    public void reset() {
        size = 0;
        seriesCount = 0;
    }

    private void ensureRoom(long extra) {
        long needed = size + extra;
        if (needed <= buf.length) {
            return;
        }
        if (needed > MAX_ARRAY) {
            throw new IllegalStateException("WriteRequest would exceed " + MAX_ARRAY + " bytes");
        }
        buf = Arrays.copyOf(buf, (int) Math.min(MAX_ARRAY, Math.max(needed, 2L * buf.length)));
    }
}
