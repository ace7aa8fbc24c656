package dev.edgepush.ingest.decode;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A read position over a protobuf-encoded byte array; every read is bounded by an explicit limit
 * (the end of the enclosing message). Reads fields the way protobuf-java's parser does (varints
 * up to 10 bytes, fixed64 little-endian, unknown fields of every wire type skipped, groups
 * included) but is stricter where it is cheap to be: anything it does not accept ends in a {@link
 * Unreadable}, on which the caller hands the whole body to protobuf-java, the authority on what is
 * well-formed and on the error message. Not thread-safe.
 */
final class WireReader {
    /**
     * Groups nested deeper than this are left to protobuf-java: its recursion limit is 100 counting
     * messages too, so stopping earlier never accepts what it refuses.
     */
    private static final int MAX_GROUP_DEPTH = 64;

    /** The reader met something it leaves to protobuf-java. Stackless: it is control flow. */
    static final class Unreadable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unreadable(String why) {
            super(why, null, false, false);
        }
    }

    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    final byte[] buf;
    int pos;

    WireReader(byte[] buf) {
        this.buf = buf;
    }

    int readTag(int limit) {
        int p = pos;
        if (p < limit) {
            byte b = buf[p];
            if (b >= 8) { // a one-byte tag (field 1 to 15): every tag of a remote-write body
                pos = p + 1;
                return b;
            }
        }
        long tag = readVarint(limit);
        if ((tag >>> 3) == 0 || tag > 0xffff_ffffL) {
            throw new Unreadable("invalid tag " + tag + " at byte " + pos);
        }
        return (int) tag;
    }

    /** Reads a length prefix and returns where the delimited bytes end; pos is at their start. */
    int readLengthEnd(int limit) {
        int p = pos;
        if (p < limit && buf[p] >= 0) { // a one-byte length: every sample, most labels
            int len = buf[p++];
            if (len > limit - p) {
                throw new Unreadable("length " + len + " overruns the enclosing message at byte " + p);
            }
            pos = p;
            return p + len;
        }
        long len = readVarint(limit);
        if (len < 0 || len > limit - pos) {
            throw new Unreadable("length " + len + " overruns the enclosing message at byte " + pos);
        }
        return pos + (int) len;
    }

    long readVarint(int limit) {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= limit) {
                throw new Unreadable("truncated varint at byte " + pos);
            }
            byte b = buf[pos++];
            result |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return result;
            }
        }
        throw new Unreadable("varint longer than 10 bytes at byte " + pos);
    }

    long readFixed64(int limit) {
        if (limit - pos < 8) {
            throw new Unreadable("truncated fixed64 at byte " + pos);
        }
        long v = (long) LONG_LE.get(buf, pos);
        pos += 8;
        return v;
    }

    /** Skips the value of a field whose tag was just read. */
    void skipField(int tag, int limit) {
        skipField(tag, limit, 0);
    }

    private void skipField(int tag, int limit, int depth) {
        switch (tag & 7) {
            case 0 -> readVarint(limit);
            case 1 -> skipBytes(8, limit);
            case 2 -> pos = readLengthEnd(limit);
            case 3 -> skipGroup(tag >>> 3, limit, depth + 1);
            case 5 -> skipBytes(4, limit);
            default -> throw new Unreadable("unexpected wire type in tag " + tag + " at byte " + pos);
        }
    }

    private void skipGroup(int field, int limit, int depth) {
        if (depth > MAX_GROUP_DEPTH) {
            throw new Unreadable("groups nested deeper than " + MAX_GROUP_DEPTH);
        }
        while (true) {
            int tag = readTag(limit);
            if ((tag & 7) == 4) {
                if ((tag >>> 3) != field) {
                    throw new Unreadable("end group " + (tag >>> 3) + " inside group " + field);
                }
                return;
            }
            skipField(tag, limit, depth);
        }
    }

    private void skipBytes(int n, int limit) {
        if (limit - pos < n) {
            throw new Unreadable("truncated fixed-width field at byte " + pos);
        }
        pos += n;
    }

    /**
     * Requires {@code buf[off, end)} to be well-formed UTF-8 as protobuf-java requires of a proto3
     * string (no overlong forms, no surrogates, nothing above U+10FFFF).
     */
    void requireUtf8(int off, int end) {
        byte[] b = buf;
        int i = off;
        while (i < end && b[i] >= 0) {
            i++;
        }
        while (i < end) {
            int c = b[i++] & 0xff;
            if (c < 0x80) {
                continue;
            }
            int need;
            int min;
            if (c >= 0xc2 && c <= 0xdf) {
                need = 1;
                min = 0x80;
            } else if (c >= 0xe0 && c <= 0xef) {
                need = 2;
                min = 0x800;
            } else if (c >= 0xf0 && c <= 0xf4) {
                need = 3;
                min = 0x10000;
            } else {
                throw new Unreadable("invalid UTF-8 at byte " + (i - 1));
            }
            if (end - i < need) {
                throw new Unreadable("truncated UTF-8 at byte " + (i - 1));
            }
            int cp = c & (0x3f >>> need);
            for (int k = 0; k < need; k++) {
                int cc = b[i++] & 0xff;
                if ((cc & 0xc0) != 0x80) {
                    throw new Unreadable("invalid UTF-8 at byte " + (i - 1));
                }
                cp = (cp << 6) | (cc & 0x3f);
            }
            if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
                throw new Unreadable("invalid UTF-8 code point " + cp + " before byte " + i);
            }
        }
    }
}
