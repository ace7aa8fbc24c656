package dev.edgepush.proto.text;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A bounded map from a UTF-8 byte sequence to its decoded String, so that names and values
 * repeated across scrapes are decoded once. Open addressing with linear probing; when half full
 * the whole table is dropped (cheap, and a steady set of names refills it in one scrape). Byte
 * sequences longer than maxKeyBytes are decoded without caching. Not thread-safe.
 */
final class StringCache {
    private final int maxKeyBytes;
    private final int mask;
    private final int maxSize;
    private final byte[][] keys;
    private final int[] hashes;
    private final String[] values;
    private int size;

    /**
     * @param capacity table slots, a power of two; at most capacity/2 entries are kept
     * @param maxKeyBytes longer byte sequences bypass the cache
     */
    StringCache(int capacity, int maxKeyBytes) {
        if (Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two: " + capacity);
        }
        this.maxKeyBytes = maxKeyBytes;
        this.mask = capacity - 1;
        this.maxSize = capacity / 2;
        this.keys = new byte[capacity][];
        this.hashes = new int[capacity];
        this.values = new String[capacity];
    }

    /** The String for UTF-8 bytes b[off, off+len); malformed input decodes to U+FFFD. */
    String get(byte[] b, int off, int len) {
        if (len > maxKeyBytes) {
            return new String(b, off, len, StandardCharsets.UTF_8);
        }
        int h = hash(b, off, len);
        int idx = h & mask;
        int end = off + len;
        for (byte[] k = keys[idx]; k != null; k = keys[idx]) {
            if (hashes[idx] == h && Arrays.equals(k, 0, k.length, b, off, end)) {
                return values[idx];
            }
            idx = (idx + 1) & mask;
        }
        if (size >= maxSize) {
            clear();
            idx = h & mask;
        }
        String s = new String(b, off, len, StandardCharsets.UTF_8);
        keys[idx] = Arrays.copyOfRange(b, off, end);
        hashes[idx] = h;
        values[idx] = s;
        size++;
        return s;
    }

    int size() {
        return size;
    }

    void clear() {
        Arrays.fill(keys, null);
        Arrays.fill(values, null);
        size = 0;
    }

    private static int hash(byte[] b, int off, int len) {
        int h = len;
        for (int i = off, end = off + len; i < end; i++) {
            h = 31 * h + b[i];
        }
        return h ^ (h >>> 16);
    }
}
