package dev.edgepush.proto;

/**
 * A read position over a serialized remote-write 1.0 {@code WriteRequest}, as {@link
 * V2RequestEncoder} walks it: malformed input raises {@link IllegalArgumentException}
 * ("malformed remote-write 1.0 WriteRequest: ..."); groups (wire types 3 and 4) are rejected.
 */
final class V1Cursor extends WireCursor {

    void reset(byte[] in, int pos) {
        this.buf = in;
        this.pos = pos;
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

    @Override
    IllegalArgumentException malformed(String why) {
        return new IllegalArgumentException("malformed remote-write 1.0 WriteRequest: " + why);
    }
}
