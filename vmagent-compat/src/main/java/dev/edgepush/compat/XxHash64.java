package dev.edgepush.compat;

/**
 * XXH64 (seed 0), the hash vmagent's {@code hashmod} uses ({@code github.com/cespare/xxhash/v2.Sum64}).
 * Prometheus' {@code hashmod} uses the first 8 bytes of MD5 instead, so the two disagree on which shard a
 * series falls into; edgepush follows vmagent because it replaces vmagent.
 */
final class XxHash64 {

    private static final long P1 = 0x9E3779B185EBCA87L;
    private static final long P2 = 0xC2B2AE3D27D4EB4FL;
    private static final long P3 = 0x165667B19E3779F9L;
    private static final long P4 = 0x85EBCA77C2B2AE63L;
    private static final long P5 = 0x27D4EB2F165667C5L;

    private XxHash64() {}

    /** XXH64 of {@code data[0..length)} with seed 0. */
    static long hash(byte[] data, int length) {
        int i = 0;
        long h;
        if (length >= 32) {
            long v1 = P1 + P2;
            long v2 = P2;
            long v3 = 0;
            long v4 = -P1;
            int limit = length - 32;
            do {
                v1 = round(v1, lane64(data, i));
                v2 = round(v2, lane64(data, i + 8));
                v3 = round(v3, lane64(data, i + 16));
                v4 = round(v4, lane64(data, i + 24));
                i += 32;
            } while (i <= limit);
            h = Long.rotateLeft(v1, 1) + Long.rotateLeft(v2, 7) + Long.rotateLeft(v3, 12) + Long.rotateLeft(v4, 18);
            h = mergeRound(h, v1);
            h = mergeRound(h, v2);
            h = mergeRound(h, v3);
            h = mergeRound(h, v4);
        } else {
            h = P5;
        }
        h += length;
        for (; i + 8 <= length; i += 8) {
            h ^= round(0, lane64(data, i));
            h = Long.rotateLeft(h, 27) * P1 + P4;
        }
        if (i + 4 <= length) {
            h ^= (lane32(data, i) & 0xFFFFFFFFL) * P1;
            h = Long.rotateLeft(h, 23) * P2 + P3;
            i += 4;
        }
        for (; i < length; i++) {
            h ^= (data[i] & 0xFFL) * P5;
            h = Long.rotateLeft(h, 11) * P1;
        }
        h ^= h >>> 33;
        h *= P2;
        h ^= h >>> 29;
        h *= P3;
        h ^= h >>> 32;
        return h;
    }

    private static long round(long acc, long lane) {
        acc += lane * P2;
        acc = Long.rotateLeft(acc, 31);
        return acc * P1;
    }

    private static long mergeRound(long acc, long v) {
        acc ^= round(0, v);
        return acc * P1 + P4;
    }

    private static long lane64(byte[] b, int i) {
        return (b[i] & 0xFFL)
                | (b[i + 1] & 0xFFL) << 8
                | (b[i + 2] & 0xFFL) << 16
                | (b[i + 3] & 0xFFL) << 24
                | (b[i + 4] & 0xFFL) << 32
                | (b[i + 5] & 0xFFL) << 40
                | (b[i + 6] & 0xFFL) << 48
                | (b[i + 7] & 0xFFL) << 56;
    }

    private static int lane32(byte[] b, int i) {
        return (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8 | (b[i + 2] & 0xFF) << 16 | (b[i + 3] & 0xFF) << 24;
    }
}
