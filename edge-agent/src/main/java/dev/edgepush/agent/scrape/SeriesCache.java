package dev.edgepush.agent.scrape;

import java.util.function.Predicate;

/**
 * One target's scraped series, keyed by what the parser gives (metric name and labels as
 * exposed), each pointing at its finished form, a {@link FinalSeries}: the remote-write bytes
 * of its final labels (after target labels, relabelling and sorting), or {@code null} when
 * relabelling drops it. A target exposes the same series scrape after scrape, so the expensive
 * part is done once per series, not once per sample; a hit allocates nothing. Several exposed
 * series can end as one final series (relabelling dropped what told them apart); staleness and
 * {@code scrape_series_added} are decided on final series. Not thread-safe.
 */
final class SeriesCache {
  /** A cached series. */
  static final class Entry {
    final String name;
    final String[] labels; // name, value pairs as scraped
    final int hash;
    FinalSeries series; // null: dropped by relabelling
    long seenGen; // the last scrape that had it, for eviction
    Entry next;

    Entry(String name, String[] labels, int hash) {
      this.name = name;
      this.labels = labels;
      this.hash = hash;
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
      return o instanceof FinalSeries f && f.hash == hash && java.util.Arrays.equals(f.encodedLabels, encodedLabels);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  private Entry[] table = new Entry[64];
  private int size;

  static int hash(String name, String[] labels, int pairs) {
    int h = name.hashCode();
    for (int i = 0; i < 2 * pairs; i++) {
      h = 31 * h + labels[i].hashCode();
    }
    return h ^ (h >>> 16);
  }

  /** The entry for this series, or null. */
  Entry find(String name, String[] labels, int pairs, int hash) {
    for (Entry e = table[hash & (table.length - 1)]; e != null; e = e.next) {
      if (e.hash == hash && e.labels.length == 2 * pairs && e.name.equals(name) && sameLabels(e.labels, labels)) {
        return e;
      }
    }
    return null;
  }

  private static boolean sameLabels(String[] cached, String[] labels) {
    for (int i = 0; i < cached.length; i++) {
      if (!cached[i].equals(labels[i])) {
        return false;
      }
    }
    return true;
  }

  /** Adds an entry for a series {@link #find} did not find; copies the labels. */
  Entry insert(String name, String[] labels, int pairs, int hash) {
    String[] copy = new String[2 * pairs];
    System.arraycopy(labels, 0, copy, 0, copy.length);
    Entry e = new Entry(name, copy, hash);
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
