package dev.edgepush.proto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Turns a serialized remote-write 1.0 {@code WriteRequest} (for instance several buffered ones
 * joined back to back) into a remote-write 2.0 {@code io.prometheus.write.v2.Request}, walking
 * the wire format, without building message objects or strings.
 *
 * <p>What the 2.0 request holds:
 * <ul>
 *   <li>{@code symbols}: {@code ""} first, then every label name and value once, in the order of
 *       their first appearance in the input.
 *   <li>One {@code TimeSeries} per distinct label set (the same labels in the same order), in
 *       the order of first appearance; its samples are all that series' samples of the input, in
 *       input order, stably sorted by timestamp (so a series spread over several joined scrapes
 *       becomes one series, in timestamp order). Native histograms are copied as they are (the
 *       two schemas number their fields alike), after the series' samples in input order;
 *       exemplars get their labels as symbol references.
 *   <li>1.0 metadata (WriteRequest field 3) and unknown fields are not carried over: the agent's
 *       buffer holds none that a receiver uses for samples.
 * </ul>
 *
 * <p>Deterministic: the same input always gives byte-identical output (no hash order leaks into
 * it). Proto3 defaults are omitted as protobuf-java omits them (value with raw bits 0, timestamp
 * 0). Steady state allocates nothing: every table only grows and is kept between calls.
 * Malformed input raises {@link IllegalArgumentException}. Not thread-safe.
 */
public final class V2RequestEncoder {
    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private byte[] in;
    /** Symbol i (i >= 1) is {@code in[symStart[i], symStart[i] + symLen[i])}; symbol 0 is "". */
    private int[] symStart = new int[256];

    private int[] symLen = new int[256];
    private int symbols;
    private int[] symTable = new int[512]; // open addressing: symbol id + 1, 0 = free

    /** Label refs of every series, back to back; series s uses refs[refStart[s], refStart[s+1]). */
    private int[] refs = new int[1024];

    private int refCount;
    private int[] refStart = new int[129];
    private int series;
    private int[] seriesTable = new int[256]; // series id + 1, 0 = free

    /** Samples, histograms and exemplars in input order, each with its series. */
    private int items;

    private int[] itemSeries = new int[1024];
    private byte[] itemKind = new byte[1024]; // KIND_*
    private long[] itemA = new long[1024]; // sample: value bits; others: start in the input
    private long[] itemB = new long[1024]; // sample: timestamp; others: length
    private int[] order = new int[1024];
    private int[] seriesFirst = new int[129];
    private int[] perKind = new int[384]; // items per (series, kind)
    private int[] next = new int[384]; // where the next item of a (series, kind) goes in order

    private static final byte KIND_SAMPLE = 0;
    private static final byte KIND_HISTOGRAM = 1;
    private static final byte KIND_EXEMPLAR = 2;

    private byte[] out = new byte[4096];
    private int size;
    private int pos; // read position in the input
    private int[] scratch = new int[64]; // refs of the series being read

    /**
     * Encodes the 1.0 request {@code v1[off, off + len)}; the result is {@code array()[0,
     * size())}, valid until the next call.
     *
     * @return the number of samples (and histograms) in it
     */
    public int encode(byte[] v1, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, v1.length);
        reset(v1);
        int end = off + len;
        pos = off;
        while (pos < end) {
            int tag = readTag(end);
            if (tag == ((1 << 3) | 2)) {
                int tsEnd = readLengthEnd(end);
                readSeries(tsEnd);
                pos = tsEnd;
            } else {
                skipField(tag, end);
            }
        }
        return write();
    }

    /** The encoded request; {@link #size()} bytes of it are valid. */
    public byte[] array() {
        return out;
    }

    public int size() {
        return size;
    }

    private void reset(byte[] v1) {
        in = v1;
        Arrays.fill(symTable, 0);
        Arrays.fill(seriesTable, 0);
        symbols = 1;
        refCount = 0;
        series = 0;
        items = 0;
        size = 0;
    }

    // ---- reading ----

    private void readSeries(int end) {
        int labels = 0;
        int bodyStart = pos;
        // Labels first (they may come after samples on the wire): collect the refs.
        while (pos < end) {
            int tag = readTag(end);
            if (tag == ((1 << 3) | 2)) {
                int labelEnd = readLengthEnd(end);
                int name = 0;
                int value = 0;
                while (pos < labelEnd) {
                    int t = readTag(labelEnd);
                    if (t == ((1 << 3) | 2) || t == ((2 << 3) | 2)) {
                        int sEnd = readLengthEnd(labelEnd);
                        int id = intern(pos, sEnd - pos);
                        pos = sEnd;
                        if (t >>> 3 == 1) {
                            name = id;
                        } else {
                            value = id;
                        }
                    } else {
                        skipField(t, labelEnd);
                    }
                }
                if (labels + 2 > scratch.length) {
                    scratch = Arrays.copyOf(scratch, scratch.length * 2);
                }
                scratch[labels++] = name;
                scratch[labels++] = value;
            } else {
                skipField(tag, end);
            }
        }
        int s = seriesOf(labels);
        pos = bodyStart;
        while (pos < end) {
            int tag = readTag(end);
            int field = tag >>> 3;
            if ((tag & 7) == 2 && field >= 2 && field <= 4) {
                int vEnd = readLengthEnd(end);
                if (field == 2) {
                    readSample(s, vEnd);
                } else {
                    addItem(s, field == 4 ? KIND_HISTOGRAM : KIND_EXEMPLAR, pos, vEnd - pos);
                    if (field == 3) {
                        exemplarLength(items - 1, false); // interns its labels before symbols are written
                    }
                }
                pos = vEnd;
            } else {
                skipField(tag, end);
            }
        }
    }

    private void readSample(int s, int end) {
        long valueBits = 0;
        long ts = 0;
        while (pos < end) {
            int tag = readTag(end);
            if (tag == ((1 << 3) | 1)) {
                if (end - pos < 8) {
                    throw malformed("truncated sample value");
                }
                valueBits = (long) LONG_LE.get(in, pos);
                pos += 8;
            } else if (tag == (2 << 3)) {
                ts = readVarint(end);
            } else {
                skipField(tag, end);
            }
        }
        addItem(s, KIND_SAMPLE, valueBits, ts);
    }

    private void addItem(int s, byte kind, long a, long b) {
        if (items == itemSeries.length) {
            int n = items * 2;
            itemSeries = Arrays.copyOf(itemSeries, n);
            itemKind = Arrays.copyOf(itemKind, n);
            itemA = Arrays.copyOf(itemA, n);
            itemB = Arrays.copyOf(itemB, n);
            order = new int[n];
        }
        itemSeries[items] = s;
        itemKind[items] = kind;
        itemA[items] = a;
        itemB[items] = b;
        items++;
    }

    /** The symbol id of {@code in[start, start + len)}, added if new. */
    private int intern(int start, int len) {
        if (len == 0) {
            return 0;
        }
        int h = mix(hashBytes(in, start, len));
        int mask = symTable.length - 1;
        for (int i = h & mask; ; i = (i + 1) & mask) {
            int e = symTable[i];
            if (e == 0) {
                int id = symbols++;
                if (id == symStart.length) {
                    symStart = Arrays.copyOf(symStart, id * 2);
                    symLen = Arrays.copyOf(symLen, id * 2);
                }
                symStart[id] = start;
                symLen[id] = len;
                symTable[i] = id + 1;
                if (symbols * 2 > symTable.length) {
                    symTable = rehash(symTable, symbols, id2 -> mix(hashBytes(in, symStart[id2], symLen[id2])));
                }
                return id;
            }
            int id = e - 1;
            if (symLen[id] == len && Arrays.equals(in, symStart[id], symStart[id] + len, in, start, start + len)) {
                return id;
            }
        }
    }

    /** The series id of the label refs {@code scratch[0, n)}, added if new. */
    private int seriesOf(int n) {
        int h = mix(hashInts(scratch, 0, n));
        int mask = seriesTable.length - 1;
        for (int i = h & mask; ; i = (i + 1) & mask) {
            int e = seriesTable[i];
            if (e == 0) {
                int id = series++;
                if (refCount + n > refs.length) {
                    refs = Arrays.copyOf(refs, Math.max(refs.length * 2, refCount + n));
                }
                System.arraycopy(scratch, 0, refs, refCount, n);
                if (id + 2 > refStart.length) {
                    refStart = Arrays.copyOf(refStart, refStart.length * 2);
                }
                refStart[id] = refCount;
                refCount += n;
                refStart[id + 1] = refCount;
                seriesTable[i] = id + 1;
                if (series * 2 > seriesTable.length) {
                    seriesTable = rehash(
                            seriesTable,
                            series,
                            id2 -> mix(hashInts(refs, refStart[id2], refStart[id2 + 1] - refStart[id2])));
                }
                return id;
            }
            int id = e - 1;
            int from = refStart[id];
            int to = refStart[id + 1];
            if (to - from == n && Arrays.equals(refs, from, to, scratch, 0, n)) {
                return id;
            }
        }
    }

    private static int[] rehash(int[] table, int count, java.util.function.IntUnaryOperator hashOfId) {
        int[] t = new int[table.length * 2];
        int mask = t.length - 1;
        for (int id = 0; id < count; id++) {
            int i = hashOfId.applyAsInt(id) & mask;
            while (t[i] != 0) {
                i = (i + 1) & mask;
            }
            t[i] = id + 1;
        }
        return t;
    }

    private static int hashBytes(byte[] b, int from, int len) {
        int h = 1;
        for (int i = from; i < from + len; i++) {
            h = 31 * h + b[i];
        }
        return h;
    }

    private static int hashInts(int[] a, int from, int len) {
        int h = 1;
        for (int i = from; i < from + len; i++) {
            h = 31 * h + a[i];
        }
        return h;
    }

    private static int mix(int h) {
        h *= 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    // ---- writing ----

    /** Writes the request; returns the samples and histograms written. */
    private int write() {
        groupBySeries();
        ensure(16);
        put((byte) ((4 << 3) | 2));
        put((byte) 0); // symbols[0] = ""
        for (int id = 1; id < symbols; id++) {
            ensure(10 + symLen[id]);
            put((byte) ((4 << 3) | 2));
            varint(symLen[id]);
            System.arraycopy(in, symStart[id], out, size, symLen[id]);
            size += symLen[id];
        }
        int count = 0;
        for (int s = 0; s < series; s++) {
            int from = seriesFirst[s];
            int to = seriesFirst[s + 1];
            int refsBytes = 0;
            for (int r = refStart[s]; r < refStart[s + 1]; r++) {
                refsBytes += varintSize(refs[r]);
            }
            int body = refsBytes == 0 ? 0 : 1 + varintSize(refsBytes) + refsBytes;
            for (int k = from; k < to; k++) {
                int len = itemLength(order[k]);
                body += 1 + varintSize(len) + len;
            }
            ensure(6 + body);
            put((byte) ((5 << 3) | 2));
            varint(body);
            if (refsBytes > 0) {
                put((byte) ((1 << 3) | 2));
                varint(refsBytes);
                for (int r = refStart[s]; r < refStart[s + 1]; r++) {
                    varint(refs[r]);
                }
            }
            for (int k = from; k < to; k++) {
                int item = order[k];
                if (itemKind[item] != KIND_EXEMPLAR) {
                    count++;
                }
                writeItem(item);
            }
        }
        return count;
    }

    /**
     * Sorts item indexes by series (first appearance), then samples by timestamp (stable), then
     * histograms, then exemplars, each in input order.
     */
    private void groupBySeries() {
        if (seriesFirst.length < series + 1) {
            seriesFirst = new int[Math.max(series + 1, seriesFirst.length * 2)];
        }
        Arrays.fill(seriesFirst, 0, series + 1, 0);
        for (int i = 0; i < items; i++) {
            seriesFirst[itemSeries[i] + 1]++;
        }
        for (int s = 0; s < series; s++) {
            seriesFirst[s + 1] += seriesFirst[s];
        }
        // A counting sort by (series, kind), stable: kinds are 0, 1, 2 in the wanted order.
        if (perKind.length < series * 3) {
            perKind = new int[Math.max(series * 3, perKind.length * 2)];
            next = new int[perKind.length];
        }
        Arrays.fill(perKind, 0, series * 3, 0);
        for (int i = 0; i < items; i++) {
            perKind[itemSeries[i] * 3 + itemKind[i]]++;
        }
        int acc = 0;
        for (int k = 0; k < series * 3; k++) {
            next[k] = acc;
            acc += perKind[k];
        }
        for (int i = 0; i < items; i++) {
            order[next[itemSeries[i] * 3 + itemKind[i]]++] = i;
        }
        for (int s = 0; s < series; s++) {
            sortSamplesByTimestamp(seriesFirst[s], seriesFirst[s] + perKind[s * 3]);
        }
    }

    /** Insertion sort of order[from, to) by timestamp: stable, and linear for input in order. */
    private void sortSamplesByTimestamp(int from, int to) {
        for (int i = from + 1; i < to; i++) {
            int item = order[i];
            long ts = itemB[item];
            int j = i - 1;
            while (j >= from && itemB[order[j]] > ts) {
                order[j + 1] = order[j];
                j--;
            }
            order[j + 1] = item;
        }
    }

    private int itemLength(int item) {
        switch (itemKind[item]) {
            case KIND_SAMPLE:
                return (itemA[item] == 0 ? 0 : 9) + (itemB[item] == 0 ? 0 : 1 + varintSize(itemB[item]));
            case KIND_HISTOGRAM:
                return (int) itemB[item];
            default:
                return exemplarLength(item, false);
        }
    }

    private void writeItem(int item) {
        switch (itemKind[item]) {
            case KIND_SAMPLE -> {
                put((byte) ((2 << 3) | 2));
                varint(itemLength(item));
                if (itemA[item] != 0) {
                    put((byte) ((1 << 3) | 1));
                    LONG_LE.set(out, size, itemA[item]);
                    size += 8;
                }
                if (itemB[item] != 0) {
                    put((byte) (2 << 3));
                    varint(itemB[item]);
                }
            }
            case KIND_HISTOGRAM -> {
                int len = (int) itemB[item];
                put((byte) ((3 << 3) | 2));
                varint(len);
                System.arraycopy(in, (int) itemA[item], out, size, len);
                size += len;
            }
            default -> {
                put((byte) ((4 << 3) | 2));
                varint(exemplarLength(item, false));
                exemplarLength(item, true);
            }
        }
    }

    /**
     * The 2.0 length of exemplar {@code item}: its labels as packed refs (field 1), every other
     * field copied (value 2 and timestamp 3 are numbered alike in both schemas). With {@code
     * emit}, also writes it.
     */
    private int exemplarLength(int item, boolean emit) {
        int start = (int) itemA[item];
        int end = start + (int) itemB[item];
        int saved = pos;
        int refsBytes = 0;
        int rest = 0;
        for (int pass = 0; pass < (emit ? 2 : 1); pass++) {
            if (emit && pass == 1 && refsBytes > 0) {
                put((byte) ((1 << 3) | 2));
                varint(refsBytes);
            }
            pos = start;
            while (pos < end) {
                int fieldStart = pos;
                int tag = readTag(end);
                if (tag == ((1 << 3) | 2)) {
                    int labelEnd = readLengthEnd(end);
                    while (pos < labelEnd) {
                        int t = readTag(labelEnd);
                        if (t == ((1 << 3) | 2) || t == ((2 << 3) | 2)) {
                            int sEnd = readLengthEnd(labelEnd);
                            int id = intern(pos, sEnd - pos);
                            pos = sEnd;
                            if (pass == 0) {
                                refsBytes += varintSize(id);
                            } else {
                                varint(id);
                            }
                        } else {
                            skipField(t, labelEnd);
                        }
                    }
                } else {
                    skipField(tag, end);
                    if (pass == 0) {
                        rest += pos - fieldStart;
                    }
                }
            }
        }
        if (emit) {
            pos = start;
            while (pos < end) {
                int fieldStart = pos;
                int tag = readTag(end);
                skipField(tag, end);
                if (tag != ((1 << 3) | 2)) {
                    System.arraycopy(in, fieldStart, out, size, pos - fieldStart);
                    size += pos - fieldStart;
                }
            }
        }
        pos = saved;
        return (refsBytes == 0 ? 0 : 1 + varintSize(refsBytes) + refsBytes) + rest;
    }

    private void ensure(int more) {
        if (out.length - size < more) {
            out = Arrays.copyOf(out, Math.max(out.length * 2, size + more));
        }
    }

    private void put(byte b) {
        out[size++] = b;
    }

    private void varint(long v) {
        while ((v & ~0x7FL) != 0) {
            out[size++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out[size++] = (byte) v;
    }

    private static int varintSize(long v) {
        int n = 1;
        while ((v & ~0x7FL) != 0) {
            v >>>= 7;
            n++;
        }
        return n;
    }

    // ---- wire reading ----

    private int readTag(int limit) {
        int tag = (int) readVarint(limit);
        if ((tag >>> 3) == 0) {
            throw malformed("invalid tag " + Integer.toUnsignedString(tag));
        }
        return tag;
    }

    private int readLengthEnd(int limit) {
        int len = (int) readVarint(limit);
        if (len < 0 || len > limit - pos) {
            throw malformed("length " + len + " overruns the enclosing message");
        }
        return pos + len;
    }

    private long readVarint(int limit) {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= limit) {
                throw malformed("truncated varint");
            }
            byte b = in[pos++];
            result |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return result;
            }
        }
        throw malformed("varint longer than 10 bytes");
    }

    private void skipField(int tag, int limit) {
        switch (tag & 7) {
            case 0 -> readVarint(limit);
            case 1 -> skipBytes(8, limit);
            case 2 -> pos = readLengthEnd(limit);
            case 5 -> skipBytes(4, limit);
            default -> throw malformed("unsupported wire type in tag " + tag);
        }
    }

    private void skipBytes(int n, int limit) {
        if (limit - pos < n) {
            throw malformed("truncated field");
        }
        pos += n;
    }

    private static IllegalArgumentException malformed(String why) {
        return new IllegalArgumentException("malformed remote-write 1.0 WriteRequest: " + why);
    }
}
