package dev.edgepush.agent.scrape;

import java.util.Arrays;
import java.util.function.Predicate;

/**
 * One target's scraped series, keyed by their raw key as the parser delimits it (the bytes of
 * the metric name and label block exactly as exposed, see {@link
 * dev.edgepush.proto.text.SeriesKeySink}), each pointing at its finished form, a {@link
 * FinalSeries}: the remote-write bytes of its final labels (after target labels, relabelling and
 * sorting), or {@code null} when relabelling drops it. A target exposes the same series scrape
 * after scrape, so the expensive part (parsing the labels, decoding them, relabelling, sorting,
 * encoding) is done once per series, not once per sample; a hit allocates nothing. Several keys
 * can end as one final series (two spellings of a series, or relabelling dropped what told them
 * apart); staleness and {@code scrape_series_added} are decided on final series. Not
 * thread-safe.
 */
final class SeriesCache {
    /** A cached series. */
    static final class Entry {
        final byte[] key; // the raw key bytes
        final int hash; // the parser's hash of key
        final FinalSeries series; // null: dropped by relabelling
        final String metricName; // for label_limit's message; null when the target has no label_limit
        long seenGen; // the last scrape that had it, for eviction
        Entry next;

        Entry(byte[] key, int hash, FinalSeries series, String metricName) {
            this.key = key;
            this.hash = hash;
            this.series = series;
            this.metricName = metricName;
        }
    }

    /** A series as it is written: its encoded labels and the scrapes (generations) that had it. */
    static final class FinalSeries {
        final byte[] encodedLabels;
        final int hash;
        long seenGen = -2; // the last scrape that had it
        long prevSeenGen = -2; // the one before, to undo a failed scrape's marks
        int labelCount; // for label_limit: labels after relabelling, without external and extra labels

        FinalSeries(byte[] encodedLabels) {
            this.encodedLabels = encodedLabels;
            this.hash = java.util.Arrays.hashCode(encodedLabels);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof FinalSeries f
                    && f.hash == hash
                    && java.util.Arrays.equals(f.encodedLabels, encodedLabels);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private Entry[] table = new Entry[64];
    private int size;

    /** The entry for the key b[off, off+len) with that hash, or null. */
    Entry find(byte[] b, int off, int len, int hash) {
        for (Entry e = table[hash & (table.length - 1)]; e != null; e = e.next) {
            if (e.hash == hash && e.key.length == len && Arrays.equals(e.key, 0, len, b, off, off + len)) {
                return e;
            }
        }
        return null;
    }

    /** Adds an entry for a key {@link #find} did not find; copies the key bytes. */
    Entry insert(byte[] b, int off, int len, int hash, FinalSeries series, String metricName) {
        Entry e = new Entry(Arrays.copyOfRange(b, off, off + len), hash, series, metricName);
        int i = hash & (table.length - 1);
        e.next = table[i];
        table[i] = e;
        if (++size > table.length * 3 / 4) {
            resize(table.length * 2);
        }
        return e;
    }

    /** Removes the entries for which {@code evict} is true. */
    void sweep(Predicate<Entry> evict) {
        for (int i = 0; i < table.length; i++) {
            Entry keep = null;
            for (Entry e = table[i]; e != null; ) {
                Entry next = e.next;
                if (evict.test(e)) {
                    size--;
                } else {
                    e.next = keep;
                    keep = e;
                }
                e = next;
            }
            table[i] = keep;
        }
    }

    int size() {
        return size;
    }

    private void resize(int capacity) {
        Entry[] old = table;
        table = new Entry[capacity];
        for (Entry head : old) {
            for (Entry e = head; e != null; ) {
                Entry next = e.next;
                int i = e.hash & (capacity - 1);
                e.next = table[i];
                table[i] = e;
                e = next;
            }
        }
    }
}
