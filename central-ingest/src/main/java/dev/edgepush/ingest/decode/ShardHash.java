package dev.edgepush.ingest.decode;

import dev.edgepush.proto.LabelBytes;

/**
 * Picks the shard of a series: a 64-bit hash of its sorted labels, then Lamping and Veach's jump
 * consistent hash, so adding a shard moves only about 1/n of the series and every sample of a
 * series lands on the same vminsert (which keeps per-series order on the wire).
 */
public final class ShardHash {
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;
    /**
     * A code unit below 0x100 is mixed as its low byte and then a zero byte: (h ^ c) * P, then
     * (x ^ 0) * P, which is (h ^ c) * P * P. One multiply instead of two, the same hash.
     */
    private static final long FNV_PRIME_SQUARED = FNV_PRIME * FNV_PRIME;

    private ShardHash() {}

    /**
     * FNV-1a over name, 0xff, value, 0xfe for each pair (separators no label text holds), each
     * string taken as its UTF-16 code units, low byte first.
     */
    public static long hash(String[] pairs, int n) {
        long h = FNV_OFFSET;
        for (int i = 0; i < n * 2; i++) {
            String s = pairs[i];
            for (int j = 0; j < s.length(); j++) {
                h = mix(h, s.charAt(j));
            }
            h = (h ^ ((i & 1) == 0 ? 0xff : 0xfe)) * FNV_PRIME;
        }
        return finish(h);
    }

    /**
     * The same hash as {@link #hash(String[], int)} of the strings these UTF-8 bytes decode to, so
     * a series lands on the same shard whichever way it was decoded. The bytes must be valid UTF-8
     * (the decoders check it).
     */
    public static long hash(LabelBytes labels) {
        long h = FNV_OFFSET;
        for (int i = 0; i < labels.pairs() * 2; i++) {
            byte[] a = labels.array(i);
            int p = labels.offset(i);
            int end = p + labels.length(i);
            while (p < end) {
                int b = a[p];
                if (b >= 0) {
                    h = (h ^ b) * FNV_PRIME_SQUARED; // mix(h, (char) b) for ASCII
                    p++;
                    continue;
                }
                int cp;
                if ((b & 0xe0) == 0xc0) {
                    cp = ((b & 0x1f) << 6) | (a[p + 1] & 0x3f);
                    p += 2;
                } else if ((b & 0xf0) == 0xe0) {
                    cp = ((b & 0x0f) << 12) | ((a[p + 1] & 0x3f) << 6) | (a[p + 2] & 0x3f);
                    p += 3;
                } else {
                    cp = ((b & 0x07) << 18) | ((a[p + 1] & 0x3f) << 12) | ((a[p + 2] & 0x3f) << 6) | (a[p + 3] & 0x3f);
                    p += 4;
                }
                if (Character.isBmpCodePoint(cp)) {
                    h = mix(h, (char) cp);
                } else {
                    h = mix(h, Character.highSurrogate(cp));
                    h = mix(h, Character.lowSurrogate(cp));
                }
            }
            h = (h ^ ((i & 1) == 0 ? 0xff : 0xfe)) * FNV_PRIME;
        }
        return finish(h);
    }

    private static long mix(long h, char c) {
        if (c < 0x100) {
            return (h ^ c) * FNV_PRIME_SQUARED;
        }
        h = (h ^ (c & 0xff)) * FNV_PRIME;
        return (h ^ (c >>> 8)) * FNV_PRIME;
    }

    private static long finish(long h) {
        // splitmix64 finalizer: FNV's low bits are weak, jump hash consumes all of them.
        h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
        h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
        return h ^ (h >>> 31);
    }

    /**
     * The lane (of {@code lanes} forwarding queues per destination) of a series whose label hash is
     * {@code hash}: jump consistent hash of a remix of it, so the lane does not follow from the
     * shard ({@link #jump(long, int)} of the hash itself), a series always gets the same lane, and
     * changing the number of lanes moves only about 1/n of the series.
     */
    public static int lane(long hash, int lanes) {
        return lanes == 1 ? 0 : jump(finish(hash ^ 0x9e3779b97f4a7c15L), lanes);
    }

    /** Jump consistent hash: a bucket in {@code [0, buckets)}. */
    public static int jump(long key, int buckets) {
        long b = -1;
        long j = 0;
        while (j < buckets) {
            b = j;
            key = key * 2862933555777941757L + 1;
            j = (long) ((b + 1) * ((double) (1L << 31) / (double) ((key >>> 33) + 1)));
        }
        return (int) b;
    }
}
