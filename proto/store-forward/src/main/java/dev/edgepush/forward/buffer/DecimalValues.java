package dev.edgepush.forward.buffer;

/**
 * A reversible rearrangement of a serialized remote-write 1.0 WriteRequest that general-purpose
 * compressors shrink much further: the sample values move out of the request into a column of
 * their own, each written as a short decimal when it is one.
 *
 * <p>{@link #split} copies the request with every sample value's 8 bytes set to zero (the
 * <em>structure</em>: the same length and layout, so series that differ only in their values become
 * identical byte runs), followed by the <em>values</em>: one token per zeroed value, in order. A
 * token is the varint {@code zigzag(m) << 4 | e} for a value that is exactly {@code m / 10^e}
 * ({@code e} at most {@link #MAX_EXPONENT}; 53.127 is m=53127, e=3: 3 bytes instead of 8), or the
 * varint 15 followed by the value's 8 bytes as they were (NaN, a stale marker, -0.0, anything
 * that is no short decimal). {@link #join} puts the values back.
 *
 * <p>Exact by construction: the values are found by walking the request's structure (WriteRequest
 * field 1, TimeSeries; its field 2, Sample; its field 1, the double), and the walk never reads a
 * value byte (it skips fixed64 fields unread), so it finds the same slots in the structure as in
 * the request; a decimal token is written only when decoding it gives the value's exact bits. A
 * request that cannot be walked is walked as far as it can be; the values after that stay where
 * they are. {@link #join} refuses (returns -1) a values column with fewer or more tokens than the
 * structure has slots, or a malformed token.
 */
final class DecimalValues {
    /** The largest decimal exponent tried: values with up to 12 digits after the point. */
    static final int MAX_EXPONENT = 12;

    private static final int ESCAPE = 15;
    private static final double[] POW10 = new double[MAX_EXPONENT + 1];
    /** |m| below this keeps {@code zigzag(m) << 4} within a long, and m exact as a double. */
    private static final long MAX_MANTISSA = 1L << 53;

    static {
        double p = 1;
        for (int e = 0; e <= MAX_EXPONENT; e++) {
            POW10[e] = p; // exact: 10^e for e <= 22 is a double
            p *= 10;
        }
    }

    private DecimalValues() {}

    /** Most bytes {@link #split} writes for a request of {@code length} bytes. */
    static int maxSplitLength(int length) {
        // every value slot takes 9 bytes at least in the request (tag + 8), its token at most 9
        return 2 * length;
    }

    /**
     * Writes the structure of {@code src[from, from + length)} to {@code dst[0, length)} and its
     * values column after it; returns the total length.
     */
    static int split(byte[] src, int from, int length, byte[] dst) {
        System.arraycopy(src, from, dst, 0, length);
        Walk w = new Walk(dst, length);
        int out = length;
        int slot;
        while ((slot = w.nextValue()) >= 0) {
            long bits = readLongLe(dst, slot);
            out = writeToken(bits, dst, out);
            for (int i = 0; i < 8; i++) {
                dst[slot + i] = 0;
            }
        }
        return out;
    }

    /**
     * Rebuilds the request from {@code buf[0, total)} ({@code structureLength} bytes of structure,
     * then values) in place: the values go back into {@code buf[0, structureLength)}. Returns the
     * request's length, or -1 when the values column does not match the structure.
     */
    static int join(byte[] buf, int structureLength, int total) {
        if (structureLength < 0 || structureLength > total) {
            return -1;
        }
        Walk w = new Walk(buf, structureLength);
        int in = structureLength;
        int slot;
        while ((slot = w.nextValue()) >= 0) {
            if (in >= total) {
                return -1;
            }
            // read the token varint
            long token = 0;
            int shift = 0;
            while (true) {
                if (in >= total || shift > 63) {
                    return -1;
                }
                byte b = buf[in++];
                token |= (long) (b & 0x7f) << shift;
                if (b >= 0) {
                    break;
                }
                shift += 7;
            }
            int e = (int) (token & 0xf);
            long bits;
            if (e == ESCAPE) {
                if (token != ESCAPE || total - in < 8) {
                    return -1;
                }
                bits = readLongLe(buf, in);
                in += 8;
            } else if (e > MAX_EXPONENT) {
                return -1;
            } else {
                long z = token >>> 4;
                long m = (z >>> 1) ^ -(z & 1);
                bits = Double.doubleToRawLongBits(m / POW10[e]);
            }
            writeLongLe(buf, slot, bits);
        }
        return in == total ? structureLength : -1;
    }

    /** Appends the token of the value {@code bits} at {@code dst[out]}; returns the new end. */
    private static int writeToken(long bits, byte[] dst, int out) {
        double v = Double.longBitsToDouble(bits);
        if (!Double.isNaN(v) && !Double.isInfinite(v) && Math.abs(v) < MAX_MANTISSA) {
            for (int e = 0; e <= MAX_EXPONENT; e++) {
                double scaled = Math.rint(v * POW10[e]);
                if (Math.abs(scaled) >= MAX_MANTISSA) {
                    break;
                }
                long m = (long) scaled;
                if (Double.doubleToRawLongBits(m / POW10[e]) == bits) {
                    long z = (m << 1) ^ (m >> 63);
                    return writeVarint(z << 4 | e, dst, out);
                }
            }
        }
        out = writeVarint(ESCAPE, dst, out);
        writeLongLe(dst, out, bits);
        return out + 8;
    }

    private static int writeVarint(long v, byte[] dst, int out) {
        while ((v & ~0x7fL) != 0) {
            dst[out++] = (byte) (v | 0x80);
            v >>>= 7;
        }
        dst[out++] = (byte) v;
        return out;
    }

    private static long readLongLe(byte[] b, int at) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = v << 8 | (b[at + i] & 0xff);
        }
        return v;
    }

    private static void writeLongLe(byte[] b, int at, long v) {
        for (int i = 0; i < 8; i++) {
            b[at + i] = (byte) (v >>> (8 * i));
        }
    }

    /**
     * Finds the value slots of a WriteRequest in order, reading only tags and lengths. Stops for
     * good at the first field it cannot walk.
     */
    private static final class Walk {
        private final byte[] buf;
        private final int end;
        private int pos;
        private int seriesEnd = -1; // end of the TimeSeries being walked, -1 outside one
        private int sampleEnd = -1; // end of the Sample being walked, -1 outside one
        private boolean stuck;
        private long varint;

        Walk(byte[] buf, int end) {
            this.buf = buf;
            this.end = end;
        }

        /** The offset of the next value's 8 bytes, or -1 when there is none (or the walk is stuck). */
        int nextValue() {
            while (!stuck) {
                if (sampleEnd >= 0) {
                    if (pos == sampleEnd) {
                        sampleEnd = -1;
                        continue;
                    }
                    if (!readVarint(sampleEnd)) {
                        return stop();
                    }
                    int field = (int) (varint >>> 3);
                    int wire = (int) (varint & 7);
                    if (field == 1 && wire == 1) {
                        if (sampleEnd - pos < 8) {
                            return stop();
                        }
                        int slot = pos;
                        pos += 8;
                        return slot;
                    }
                    if (!skip(wire, sampleEnd)) {
                        return stop();
                    }
                } else if (seriesEnd >= 0) {
                    if (pos == seriesEnd) {
                        seriesEnd = -1;
                        continue;
                    }
                    if (!readVarint(seriesEnd)) {
                        return stop();
                    }
                    int field = (int) (varint >>> 3);
                    int wire = (int) (varint & 7);
                    if (field == 2 && wire == 2) {
                        if (!readLength(seriesEnd)) {
                            return stop();
                        }
                        sampleEnd = pos + (int) varint;
                    } else if (!skip(wire, seriesEnd)) {
                        return stop();
                    }
                } else {
                    if (pos == end) {
                        return -1;
                    }
                    if (!readVarint(end)) {
                        return stop();
                    }
                    int field = (int) (varint >>> 3);
                    int wire = (int) (varint & 7);
                    if (field == 1 && wire == 2) {
                        if (!readLength(end)) {
                            return stop();
                        }
                        seriesEnd = pos + (int) varint;
                    } else if (!skip(wire, end)) {
                        return stop();
                    }
                }
            }
            return -1;
        }

        private int stop() {
            stuck = true;
            return -1;
        }

        /** Skips a field's value of wire type {@code wire} (not a value slot: never read). */
        private boolean skip(int wire, int limit) {
            switch (wire) {
                case 0:
                    return readVarint(limit);
                case 1:
                    return advance(8, limit);
                case 2:
                    if (!readLength(limit)) {
                        return false;
                    }
                    pos += (int) varint;
                    return true;
                case 5:
                    return advance(4, limit);
                default:
                    return false;
            }
        }

        private boolean advance(int n, int limit) {
            if (limit - pos < n) {
                return false;
            }
            pos += n;
            return true;
        }

        /** A length varint that fits in what is left before {@code limit}. */
        private boolean readLength(int limit) {
            return readVarint(limit) && varint >= 0 && varint <= limit - pos;
        }

        private boolean readVarint(int limit) {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= limit) {
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
}
