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

    private final V1Cursor c = new V1Cursor();
    private final SymbolTable symbols = new SymbolTable();
    private final SeriesTable series = new SeriesTable();
    private final V2Items items = new V2Items();

    private byte[] out = new byte[4096];
    private int size;
    private int[] scratch = new int[64]; // refs of the series being read
    /**
     * The symbol of each label string position (name or value, k-th in its series) of the series
     * read last, 0 for none: a series' strings mostly repeat its predecessor's at the same position
     * (names, the metric name, job, instance), and comparing with that symbol's bytes spares hashing
     * them. Only a shortcut: the id found is the one {@link SymbolTable#intern} would return.
     */
    private int[] previous = new int[64];

    /**
     * Encodes the 1.0 request {@code v1[off, off + len)}; the result is {@code array()[0,
     * size())}, valid until the next call.
     *
     * @return the number of samples (and histograms) in it
     */
    public int encode(byte[] v1, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, v1.length);
        c.reset(v1, off);
        symbols.reset(v1);
        series.reset();
        items.reset();
        Arrays.fill(previous, 0);
        size = 0;
        int end = off + len;
        while (c.pos < end) {
            int tag = c.readTag(end);
            if (tag == ((1 << 3) | 2)) {
                int tsEnd = c.readLengthEnd(end);
                readSeries(tsEnd);
                c.pos = tsEnd;
            } else {
                c.skipField(tag, end);
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

    // ---- reading ----

    private void readSeries(int end) {
        int labels = 0;
        int bodyStart = c.pos;
        // Labels first (they may come after samples on the wire): collect the refs.
        while (c.pos < end) {
            int tag = c.readTag(end);
            if (tag == ((1 << 3) | 2)) {
                int labelEnd = c.readLengthEnd(end);
                int name = 0;
                int value = 0;
                while (c.pos < labelEnd) {
                    int t = c.readTag(labelEnd);
                    if (t == ((1 << 3) | 2) || t == ((2 << 3) | 2)) {
                        int sEnd = c.readLengthEnd(labelEnd);
                        int id = internAt(labels + (t >>> 3) - 1, c.pos, sEnd - c.pos);
                        c.pos = sEnd;
                        if (t >>> 3 == 1) {
                            name = id;
                        } else {
                            value = id;
                        }
                    } else {
                        c.skipField(t, labelEnd);
                    }
                }
                if (labels + 2 > scratch.length) {
                    scratch = Arrays.copyOf(scratch, scratch.length * 2);
                }
                scratch[labels++] = name;
                scratch[labels++] = value;
            } else {
                c.skipField(tag, end);
            }
        }
        int s = series.seriesOf(scratch, labels);
        c.pos = bodyStart;
        while (c.pos < end) {
            int tag = c.readTag(end);
            int field = tag >>> 3;
            if ((tag & 7) == 2 && field >= 2 && field <= 4) {
                int vEnd = c.readLengthEnd(end);
                if (field == 2) {
                    readSample(s, vEnd);
                } else {
                    items.add(s, field == 4 ? V2Items.KIND_HISTOGRAM : V2Items.KIND_EXEMPLAR, c.pos, vEnd - c.pos);
                    if (field == 3) {
                        exemplarLength(items.count() - 1, false); // interns its labels before symbols are written
                    }
                }
                c.pos = vEnd;
            } else {
                c.skipField(tag, end);
            }
        }
    }

    /** {@link SymbolTable#intern}, trying first the symbol at string position {@code k} of the previous series. */
    private int internAt(int k, int from, int len) {
        if (k >= previous.length) {
            previous = Arrays.copyOf(previous, Math.max(previous.length * 2, k + 1));
        }
        int last = previous[k];
        if (last != 0 && len > 0 && symbols.length(last) == len) {
            int start = symbols.start(last);
            if (Arrays.equals(c.buf, start, start + len, c.buf, from, from + len)) {
                return last;
            }
        }
        int id = symbols.intern(from, len);
        previous[k] = id;
        return id;
    }

    private void readSample(int s, int end) {
        long valueBits = 0;
        long ts = 0;
        while (c.pos < end) {
            int tag = c.readTag(end);
            if (tag == ((1 << 3) | 1)) {
                if (end - c.pos < 8) {
                    throw c.malformed("truncated sample value");
                }
                valueBits = (long) LONG_LE.get(c.buf, c.pos);
                c.pos += 8;
            } else if (tag == (2 << 3)) {
                ts = c.readVarint(end);
            } else {
                c.skipField(tag, end);
            }
        }
        items.add(s, V2Items.KIND_SAMPLE, valueBits, ts);
    }

    // ---- writing ----

    /** Writes the request; returns the samples and histograms written. */
    private int write() {
        int seriesCount = series.count();
        items.group(seriesCount);
        ensure(16);
        put((byte) ((4 << 3) | 2));
        put((byte) 0); // symbols[0] = ""
        for (int id = 1; id < symbols.count(); id++) {
            int symLen = symbols.length(id);
            ensure(10 + symLen);
            put((byte) ((4 << 3) | 2));
            varint(symLen);
            System.arraycopy(c.buf, symbols.start(id), out, size, symLen);
            size += symLen;
        }
        int count = 0;
        for (int s = 0; s < seriesCount; s++) {
            int from = items.first(s);
            int to = items.first(s + 1);
            int refsBytes = 0;
            for (int r = series.refsFrom(s); r < series.refsTo(s); r++) {
                refsBytes += varintSize(series.ref(r));
            }
            int body = refsBytes == 0 ? 0 : 1 + varintSize(refsBytes) + refsBytes;
            for (int k = from; k < to; k++) {
                int len = itemLength(items.ordered(k));
                body += 1 + varintSize(len) + len;
            }
            ensure(6 + body);
            put((byte) ((5 << 3) | 2));
            varint(body);
            if (refsBytes > 0) {
                put((byte) ((1 << 3) | 2));
                varint(refsBytes);
                for (int r = series.refsFrom(s); r < series.refsTo(s); r++) {
                    varint(series.ref(r));
                }
            }
            for (int k = from; k < to; k++) {
                int item = items.ordered(k);
                if (items.kind(item) != V2Items.KIND_EXEMPLAR) {
                    count++;
                }
                writeItem(item);
            }
        }
        return count;
    }

    private int itemLength(int item) {
        switch (items.kind(item)) {
            case V2Items.KIND_SAMPLE:
                return (items.a(item) == 0 ? 0 : 9) + (items.b(item) == 0 ? 0 : 1 + varintSize(items.b(item)));
            case V2Items.KIND_HISTOGRAM:
                return (int) items.b(item);
            default:
                return exemplarLength(item, false);
        }
    }

    private void writeItem(int item) {
        switch (items.kind(item)) {
            case V2Items.KIND_SAMPLE -> {
                put((byte) ((2 << 3) | 2));
                varint(itemLength(item));
                if (items.a(item) != 0) {
                    put((byte) ((1 << 3) | 1));
                    LONG_LE.set(out, size, items.a(item));
                    size += 8;
                }
                if (items.b(item) != 0) {
                    put((byte) (2 << 3));
                    varint(items.b(item));
                }
            }
            case V2Items.KIND_HISTOGRAM -> {
                int len = (int) items.b(item);
                put((byte) ((3 << 3) | 2));
                varint(len);
                System.arraycopy(c.buf, (int) items.a(item), out, size, len);
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
        int start = (int) items.a(item);
        int end = start + (int) items.b(item);
        int saved = c.pos;
        int refsBytes = 0;
        int rest = 0;
        for (int pass = 0; pass < (emit ? 2 : 1); pass++) {
            if (emit && pass == 1 && refsBytes > 0) {
                put((byte) ((1 << 3) | 2));
                varint(refsBytes);
            }
            c.pos = start;
            while (c.pos < end) {
                int fieldStart = c.pos;
                int tag = c.readTag(end);
                if (tag == ((1 << 3) | 2)) {
                    int labelEnd = c.readLengthEnd(end);
                    while (c.pos < labelEnd) {
                        int t = c.readTag(labelEnd);
                        if (t == ((1 << 3) | 2) || t == ((2 << 3) | 2)) {
                            int sEnd = c.readLengthEnd(labelEnd);
                            int id = symbols.intern(c.pos, sEnd - c.pos);
                            c.pos = sEnd;
                            if (pass == 0) {
                                refsBytes += varintSize(id);
                            } else {
                                varint(id);
                            }
                        } else {
                            c.skipField(t, labelEnd);
                        }
                    }
                } else {
                    c.skipField(tag, end);
                    if (pass == 0) {
                        rest += c.pos - fieldStart;
                    }
                }
            }
        }
        if (emit) {
            c.pos = start;
            while (c.pos < end) {
                int fieldStart = c.pos;
                int tag = c.readTag(end);
                c.skipField(tag, end);
                if (tag != ((1 << 3) | 2)) {
                    System.arraycopy(c.buf, fieldStart, out, size, c.pos - fieldStart);
                    size += c.pos - fieldStart;
                }
            }
        }
        c.pos = saved;
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
}
