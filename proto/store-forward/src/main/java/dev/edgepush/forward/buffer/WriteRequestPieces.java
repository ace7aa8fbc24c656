package dev.edgepush.forward.buffer;

/**
 * Where to cut a serialized remote-write 1.0 WriteRequest into pieces of at most {@code limit}
 * bytes, each a valid WriteRequest on its own: cuts fall only between top-level fields (field 1
 * TimeSeries, field 3 MetricMetadata), whose concatenation in order is the original request.
 * Pieces are filled greedily in order; a single field longer than {@code limit} is a piece of
 * its own (the caller decides whether it still fits). Bytes from the first top-level field that
 * cannot be walked (a malformed varint or length, a group, a length past the end) to the end of
 * the request form one piece: a malformed request is cut where it is understood, never rejected.
 *
 * <p>Also counts each piece's samples: the entries of TimeSeries field 2 (samples) and field 4
 * (histograms), as the buffer's callers count them. Used only for requests over the limit, so it
 * allocates (a few small arrays) where {@link DiskBuffer#append}'s one-piece path does not.
 */
public final class WriteRequestPieces {
    private static final int WIRE_VARINT = 0;
    private static final int WIRE_FIXED64 = 1;
    private static final int WIRE_LEN = 2;
    private static final int WIRE_FIXED32 = 5;

    /** Number of pieces. */
    int count;
    /** Piece {@code i} is {@code request[start[i], end[i])} with {@code samples[i]} samples counted in it. */
    int[] start;

    int[] end;
    int[] samples;

    private final byte[] buf;
    private int pos; // read position of the walk
    private long varint; // the last varint read

    private WriteRequestPieces(byte[] buf, int capacity) {
        this.buf = buf;
        this.start = new int[capacity];
        this.end = new int[capacity];
        this.samples = new int[capacity];
    }

    /** The pieces of {@code request[0, length)}, none longer than {@code limit} unless one field is. */
    public static WriteRequestPieces of(byte[] request, int length, int limit) {
        WriteRequestPieces p = new WriteRequestPieces(request, (int) Math.min(1024, length / (long) limit + 2));
        int pieceStart = 0;
        int pieceSamples = 0;
        while (p.pos < length) {
            int fieldStart = p.pos;
            int fieldSamples = p.skipTopLevelField(length);
            if (fieldSamples < 0) { // unparsable from here on: the rest is one piece
                if (fieldStart > pieceStart) {
                    p.add(pieceStart, fieldStart, pieceSamples);
                }
                p.add(fieldStart, length, 0);
                return p;
            }
            if (p.pos - pieceStart > limit && fieldStart > pieceStart) {
                p.add(pieceStart, fieldStart, pieceSamples);
                pieceStart = fieldStart;
                pieceSamples = 0;
            }
            pieceSamples += fieldSamples;
        }
        if (length > pieceStart) {
            p.add(pieceStart, length, pieceSamples);
        }
        return p;
    }

    /** The number of pieces; piece {@code i} is {@code request[start(i), end(i))}. Also used by local push. */
    public int count() {
        return count;
    }

    public int start(int i) {
        return start[i];
    }

    public int end(int i) {
        return end[i];
    }

    private void add(int from, int to, int sampleCount) {
        if (count == start.length) {
            start = java.util.Arrays.copyOf(start, count * 2);
            end = java.util.Arrays.copyOf(end, count * 2);
            samples = java.util.Arrays.copyOf(samples, count * 2);
        }
        start[count] = from;
        end[count] = to;
        samples[count] = sampleCount;
        count++;
    }

    /**
     * Moves past the top-level field at {@link #pos}; returns its samples (0 for anything but a
     * TimeSeries), or -1 (position undefined) when it cannot be walked.
     */
    private int skipTopLevelField(int end) {
        if (!readVarint(end) || varint >>> 3 == 0 || varint < 0 || varint > 0xffff_ffffL) {
            return -1;
        }
        int field = (int) (varint >>> 3);
        int wire = (int) (varint & 7);
        if (wire != WIRE_LEN) {
            return skipScalar(wire, end) ? 0 : -1;
        }
        if (!readVarint(end) || varint < 0 || varint > end - pos) {
            return -1;
        }
        int valueEnd = pos + (int) varint;
        int n = field == 1 ? countSamples(pos, valueEnd) : 0;
        pos = valueEnd;
        return n;
    }

    /** Samples (field 2) and histograms (field 4) in the TimeSeries {@code buf[from, to)}, as far as it can be walked. */
    private int countSamples(int from, int to) {
        int saved = pos;
        pos = from;
        int n = 0;
        while (pos < to) {
            if (!readVarint(to) || varint >>> 3 == 0) {
                break;
            }
            int field = (int) (varint >>> 3);
            int wire = (int) (varint & 7);
            if (wire == WIRE_LEN) {
                if (!readVarint(to) || varint < 0 || varint > to - pos) {
                    break;
                }
                pos += (int) varint;
                if (field == 2 || field == 4) {
                    n++;
                }
            } else if (!skipScalar(wire, to)) {
                break;
            }
        }
        pos = saved;
        return n;
    }

    private boolean skipScalar(int wire, int end) {
        switch (wire) {
            case WIRE_VARINT:
                return readVarint(end);
            case WIRE_FIXED64:
                return skip(8, end);
            case WIRE_FIXED32:
                return skip(4, end);
            default:
                return false; // groups (deprecated, never in a WriteRequest) and invalid wire types
        }
    }

    private boolean skip(int bytes, int end) {
        if (end - pos < bytes) {
            return false;
        }
        pos += bytes;
        return true;
    }

    /** Reads a varint at {@link #pos} into {@link #varint}; false when it is cut off or over 10 bytes. */
    private boolean readVarint(int end) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= end) {
                return false;
            }
            byte b = buf[pos++];
            v |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                varint = v;
                return true;
            }
        }
        return false;
    }
}
