package dev.edgepush.proto;

/**
 * A read position over one array of protobuf wire format; every read is bounded by an explicit
 * limit. A tag or a length is read as protobuf-java reads one: a varint of up to 10 bytes, of which
 * the low 32 bits count. Subclasses say how malformed input is reported and which fields they skip.
 */
abstract class WireCursor {
    byte[] buf;
    int pos;

    /** A tag; field number 0 is malformed. */
    final int readTag(int limit) {
        int tag = (int) readVarint(limit);
        if ((tag >>> 3) == 0) {
            throw malformed("invalid tag " + Integer.toUnsignedString(tag));
        }
        return tag;
    }

    /** Reads a length prefix and returns where the delimited bytes end. */
    final int readLengthEnd(int limit) {
        int len = (int) readVarint(limit); // low 32 bits, as protobuf-java reads a length
        if (len < 0 || len > limit - pos) {
            throw malformed("length " + len + " overruns the enclosing message");
        }
        return pos + len;
    }

    final long readVarint(int limit) {
        if (pos < limit && buf[pos] >= 0) {
            return buf[pos++]; // one byte: most tags and lengths
        }
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= limit) {
                throw malformed("truncated varint");
            }
            byte b = buf[pos++];
            result |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return result;
            }
        }
        throw malformed("varint longer than 10 bytes");
    }

    /** The exception for malformed input, saying {@code why}. */
    abstract IllegalArgumentException malformed(String why);
}
