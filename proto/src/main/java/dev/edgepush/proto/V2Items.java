package dev.edgepush.proto;

import java.util.Arrays;

/**
 * The samples, native histograms and exemplars of a remote-write 2.0 request, each with its
 * series, in input order; {@link #group} then orders them as the request holds them. Every array
 * only grows and is kept between requests.
 */
final class V2Items {
    static final byte KIND_SAMPLE = 0;
    static final byte KIND_HISTOGRAM = 1;
    static final byte KIND_EXEMPLAR = 2;

    private int count;
    private int[] series = new int[1024];
    private byte[] kind = new byte[1024]; // KIND_*
    private long[] a = new long[1024]; // sample: value bits; others: start in the input
    private long[] b = new long[1024]; // sample: timestamp; others: length
    private int[] order = new int[1024];
    private int[] seriesFirst = new int[129];
    private int[] perKind = new int[384]; // items per (series, kind)
    private int[] next = new int[384]; // where the next item of a (series, kind) goes in order

    void reset() {
        count = 0;
    }

    void add(int s, byte itemKind, long itemA, long itemB) {
        if (count == series.length) {
            int n = count * 2;
            series = Arrays.copyOf(series, n);
            kind = Arrays.copyOf(kind, n);
            a = Arrays.copyOf(a, n);
            b = Arrays.copyOf(b, n);
            order = new int[n];
        }
        series[count] = s;
        kind[count] = itemKind;
        a[count] = itemA;
        b[count] = itemB;
        count++;
    }

    /** How many items were added; the last is {@code count() - 1}. */
    int count() {
        return count;
    }

    byte kind(int item) {
        return kind[item];
    }

    /** A sample's value bits; a histogram's or exemplar's start in the input. */
    long a(int item) {
        return a[item];
    }

    /** A sample's timestamp; a histogram's or exemplar's length in the input. */
    long b(int item) {
        return b[item];
    }

    /** After {@link #group}: the item at position {@code k} of the request. */
    int ordered(int k) {
        return order[k];
    }

    /** After {@link #group}: the first position of series {@code s}; {@code first(s + 1)} ends it. */
    int first(int s) {
        return seriesFirst[s];
    }

    /**
     * Sorts item indexes by series (first appearance), then samples by timestamp (stable), then
     * histograms, then exemplars, each in input order.
     */
    void group(int seriesCount) {
        if (seriesFirst.length < seriesCount + 1) {
            seriesFirst = new int[Math.max(seriesCount + 1, seriesFirst.length * 2)];
        }
        Arrays.fill(seriesFirst, 0, seriesCount + 1, 0);
        for (int i = 0; i < count; i++) {
            seriesFirst[series[i] + 1]++;
        }
        for (int s = 0; s < seriesCount; s++) {
            seriesFirst[s + 1] += seriesFirst[s];
        }
        // A counting sort by (series, kind), stable: kinds are 0, 1, 2 in the wanted order.
        if (perKind.length < seriesCount * 3) {
            perKind = new int[Math.max(seriesCount * 3, perKind.length * 2)];
            next = new int[perKind.length];
        }
        Arrays.fill(perKind, 0, seriesCount * 3, 0);
        for (int i = 0; i < count; i++) {
            perKind[series[i] * 3 + kind[i]]++;
        }
        int acc = 0;
        for (int k = 0; k < seriesCount * 3; k++) {
            next[k] = acc;
            acc += perKind[k];
        }
        for (int i = 0; i < count; i++) {
            order[next[series[i] * 3 + kind[i]]++] = i;
        }
        for (int s = 0; s < seriesCount; s++) {
            sortSamplesByTimestamp(seriesFirst[s], seriesFirst[s] + perKind[s * 3]);
        }
    }

    /** Insertion sort of order[from, to) by timestamp: stable, and linear for input in order. */
    private void sortSamplesByTimestamp(int from, int to) {
        for (int i = from + 1; i < to; i++) {
            int item = order[i];
            long ts = b[item];
            int j = i - 1;
            while (j >= from && b[order[j]] > ts) {
                order[j + 1] = order[j];
                j--;
            }
            order[j + 1] = item;
        }
    }
}
