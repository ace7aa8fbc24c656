package dev.edgepush.proto;

import java.util.Arrays;

/**
 * The symbols of a remote-write 2.0 request, as ranges of the input: symbol 0 is {@code ""}, then
 * every distinct byte string once, numbered in the order of first appearance. An open-addressing
 * table finds a string's number; every array only grows and is kept between requests.
 */
final class SymbolTable {
    private byte[] in;
    /** Symbol i (i >= 1) is {@code in[start[i], start[i] + length[i])}. */
    private int[] start = new int[256];

    private int[] length = new int[256];
    private int count;
    private int[] table = new int[512]; // open addressing: symbol id + 1, 0 = free

    /** Forgets every symbol but {@code ""}; the symbols to come are ranges of {@code in}. */
    void reset(byte[] in) {
        this.in = in;
        Arrays.fill(table, 0);
        count = 1;
    }

    /** The symbol id of {@code in[from, from + len)}, added if new. */
    int intern(int from, int len) {
        if (len == 0) {
            return 0;
        }
        int h = mix(hashBytes(in, from, len));
        int mask = table.length - 1;
        for (int i = h & mask; ; i = (i + 1) & mask) {
            int e = table[i];
            if (e == 0) {
                int id = count++;
                if (id == start.length) {
                    start = Arrays.copyOf(start, id * 2);
                    length = Arrays.copyOf(length, id * 2);
                }
                start[id] = from;
                length[id] = len;
                table[i] = id + 1;
                if (count * 2 > table.length) {
                    table = rehash(table, count, id2 -> mix(hashBytes(in, start[id2], length[id2])));
                }
                return id;
            }
            int id = e - 1;
            if (length[id] == len && Arrays.equals(in, start[id], start[id] + len, in, from, from + len)) {
                return id;
            }
        }
    }

    /** How many symbols there are, {@code ""} included. */
    int count() {
        return count;
    }

    /** Where symbol {@code id} (at least 1) starts in the input. */
    int start(int id) {
        return start[id];
    }

    /** Symbol {@code id}'s length in bytes (at least 1). */
    int length(int id) {
        return length[id];
    }

    /** {@code table} twice as large, with ids {@code [0, count)} placed again by {@code hashOfId}. */
    static int[] rehash(int[] table, int count, java.util.function.IntUnaryOperator hashOfId) {
        int[] t = new int[table.length * 2];
        int mask = t.length - 1;
        for (int id = 0; id < count; id++) {
            int i = hashOfId.applyAsInt(id) & mask;
            while (t[i] != 0) {
                i = (i + 1) & mask;
            }
            t[i] = id + 1;
        }
        return t;
    }

    private static int hashBytes(byte[] b, int from, int len) {
        int h = 1;
        for (int i = from; i < from + len; i++) {
            h = 31 * h + b[i];
        }
        return h;
    }

    /** Spreads a hash over the low bits that index the table. */
    static int mix(int h) {
        h *= 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
