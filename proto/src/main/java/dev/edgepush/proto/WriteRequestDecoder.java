package dev.edgepush.proto;

import java.util.Objects;

/**
 * Reads facts out of a serialized Prometheus remote-write 1.0 {@code WriteRequest} by walking the
 * protobuf wire format, without building message objects.
 *
 * <p>Guarantees: unknown fields of every wire type (including groups) are skipped as protobuf-java
 * would skip them; a field with a known number but an unexpected wire type is treated as unknown,
 * as the generated parser does; truncated or malformed input raises
 * {@link IllegalArgumentException} rather than a wrong answer. Stateless and thread-safe.
 * Unlike the generated parser it does not validate UTF-8 or look inside samples.
 */
public final class WriteRequestDecoder {

    /** WriteRequest.timeseries: field 1, length-delimited. */
    private static final int TAG_TIMESERIES = (1 << 3) | 2;
    /** TimeSeries.samples: field 2, length-delimited. */
    private static final int TAG_SAMPLES = (2 << 3) | 2;
    /** Same nesting limit as protobuf-java's default recursion limit. */
    private static final int MAX_GROUP_DEPTH = 100;

    private WriteRequestDecoder() {}

    /**
     * Counts the samples across all series of the WriteRequest in {@code buf[off, off+len)}.
     *
     * @throws IllegalArgumentException if the bytes are not a well-formed protobuf message
     * @throws IndexOutOfBoundsException if the range lies outside {@code buf}
     */
    public static int countSamples(byte[] buf, int off, int len) {
        Objects.checkFromIndexSize(off, len, buf.length);
        Cursor c = new Cursor(buf, off);
        int end = off + len;
        int count = 0;
        while (c.pos < end) {
            int tag = c.readTag(end);
            if (tag == TAG_TIMESERIES) {
                int seriesEnd = c.readLengthEnd(end);
                while (c.pos < seriesEnd) {
                    int t = c.readTag(seriesEnd);
                    if (t == TAG_SAMPLES) {
                        c.pos = c.readLengthEnd(seriesEnd);
                        count++;
                    } else {
                        c.skipField(t, seriesEnd, 0);
                    }
                }
            } else {
                c.skipField(tag, end, 0);
            }
        }
        return count;
    }

    /** Read position over one array; skips groups as protobuf-java does. */
    private static final class Cursor extends WireCursor {

        Cursor(byte[] buf, int pos) {
            this.buf = buf;
            this.pos = pos;
        }

        void skipField(int tag, int limit, int depth) {
            switch (tag & 7) {
                case 0 -> readVarint(limit);
                case 1 -> skipBytes(8, limit);
                case 2 -> pos = readLengthEnd(limit);
                case 3 -> skipGroup(tag >>> 3, limit, depth + 1);
                case 5 -> skipBytes(4, limit);
                default -> throw malformed("unexpected wire type in tag " + tag);
            }
        }

        private void skipGroup(int field, int limit, int depth) {
            if (depth > MAX_GROUP_DEPTH) {
                throw malformed("groups nested deeper than " + MAX_GROUP_DEPTH);
            }
            while (true) {
                if (pos >= limit) {
                    throw malformed("unterminated group " + field);
                }
                int tag = readTag(limit);
                if ((tag & 7) == 4) {
                    if ((tag >>> 3) != field) {
                        throw malformed("end group " + (tag >>> 3) + " inside group " + field);
                    }
                    return;
                }
                skipField(tag, limit, depth);
            }
        }

        private void skipBytes(int n, int limit) {
            if (limit - pos < n) {
                throw malformed("truncated fixed-width field");
            }
            pos += n;
        }

        @Override
        IllegalArgumentException malformed(String why) {
            return new IllegalArgumentException("malformed WriteRequest at byte " + pos + ": " + why);
        }
    }
}
