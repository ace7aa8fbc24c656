package dev.edgepush.proto;

/**
 * A read position over a serialized remote-write 1.0 {@code WriteRequest}, as {@link
 * V2RequestEncoder} walks it: every read is bounded by an explicit limit, and malformed input
 * raises {@link IllegalArgumentException} ("malformed remote-write 1.0 WriteRequest: ..."). Groups
 * (wire types 3 and 4) are rejected.
 */
final class V1Cursor {
    byte[] in;
    int pos;

    void reset(byte[] in, int pos) {
        this.in = in;
        this.pos = pos;
    }

    int readTag(int limit) {
        int tag = (int) readVarint(limit);
        if ((tag >>> 3) == 0) {
            throw malformed("invalid tag " + Integer.toUnsignedString(tag));
        }
        return tag;
    }

    /** Reads a length prefix and returns where the delimited bytes end. */
    int readLengthEnd(int limit) {
        int len = (int) readVarint(limit);
        if (len < 0 || len > limit - pos) {
            throw malformed("length " + len + " overruns the enclosing message");
        }
        return pos + len;
    }

    long readVarint(int limit) {
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

    void skipField(int tag, int limit) {
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

    static IllegalArgumentException malformed(String why) {
        return new IllegalArgumentException("malformed remote-write 1.0 WriteRequest: " + why);
    }
}
