package dev.edgepush.ingest.decode;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * What a robot's previous remote-write 1.0 requests made of their series' labels, by the series'
 * position in the request: a robot sends the same series in the same order push after push, so
 * series {@code i} of this request usually has the same label bytes as series {@code i} of the
 * last one. For such a series {@link BatchBuilder} skips the work its labels cost (UTF-8 check,
 * validation, stamping, sorting, shard hash, label encoding) and takes the result it got for the
 * same bytes before.
 *
 * <p>An entry is the raw label fields of a series as the request held them (its leading
 * TimeSeries.labels fields, byte for byte) and what they became: the stamped, sorted labels
 * encoded as TimeSeries.labels fields, the series' (shard, lane) part and how many samples one
 * TimeSeries of it may hold. All of that is a function of those bytes, the robot's name and the
 * numbers of shards and lanes, which is what a cache is kept per ({@link Shelf#get}); a series
 * whose bytes differ from its position's entry is decoded the full way and replaces it. Only
 * series that passed every check are stored: a hit is a series that was accepted before.
 *
 * <p>Caches live on a {@link Shelf} per event loop thread ({@link #threadShelf}), so they need no
 * lock whichever connection a robot's request comes on (a proxy may mix robots on one). A shelf
 * holds at most {@link #MAX_BYTES_PER_THREAD} bytes of raw and encoded labels: once full, series
 * it has no room for are decoded the full way every time (as without a cache; nothing is evicted,
 * so a fleet larger than the budget does not churn it). Not thread-safe.
 */
public final class SeriesCache {
    /** Raw and encoded label bytes one thread's caches hold at most. */
    static final long MAX_BYTES_PER_THREAD = 32L << 20;

    private static final ThreadLocal<Shelf> SHELF = ThreadLocal.withInitial(() -> new Shelf(MAX_BYTES_PER_THREAD));

    /** The caches of the calling thread's robots. */
    public static Shelf threadShelf() {
        return SHELF.get();
    }

    /** The caches of one thread, one per (robot, shards, lanes), within a byte budget. */
    public static final class Shelf {
        private final long maxBytes;
        private final Map<String, SeriesCache> byRobot = new HashMap<>();
        private long bytes;

        Shelf(long maxBytes) {
            this.maxBytes = maxBytes;
        }

        /** The cache of {@code robot} with {@code shardCount} shards and {@code lanes} lanes. */
        SeriesCache get(String robot, int shardCount, int lanes) {
            SeriesCache c = byRobot.get(robot);
            if (c == null) {
                c = new SeriesCache(this, shardCount, lanes);
                byRobot.put(robot, c);
            } else if (c.shardCount != shardCount || c.lanes != lanes) {
                bytes -= c.bytes;
                c = new SeriesCache(this, shardCount, lanes);
                byRobot.put(robot, c);
            }
            return c;
        }

        long bytes() {
            return bytes;
        }
    }

    private final Shelf shelf;
    private final int shardCount;
    private final int lanes;
    private byte[][] raw = new byte[0][];
    private byte[][] encoded = new byte[0][];
    private int[] part = new int[0];
    private int[] maxSamples = new int[0];
    private long bytes;

    private SeriesCache(Shelf shelf, int shardCount, int lanes) {
        this.shelf = shelf;
        this.shardCount = shardCount;
        this.lanes = lanes;
    }

    /** Whether the entry of series {@code index} holds exactly {@code buf[from, to)}. */
    boolean matches(int index, byte[] buf, int from, int to) {
        if (index >= raw.length) {
            return false;
        }
        byte[] r = raw[index];
        return r != null && Arrays.equals(r, 0, r.length, buf, from, to);
    }

    byte[] encoded(int index) {
        return encoded[index];
    }

    int part(int index) {
        return part[index];
    }

    int maxSamples(int index) {
        return maxSamples[index];
    }

    /** Stores what series {@code index}'s label fields {@code buf[from, to)} became, if the budget allows. */
    void put(int index, byte[] buf, int from, int to, byte[] encodedLabels, int seriesPart, int seriesMaxSamples) {
        long old = index < raw.length && raw[index] != null ? raw[index].length + encoded[index].length : 0;
        long added = (long) (to - from) + encodedLabels.length + (index >= raw.length ? 8L * (index + 1) : 0);
        if (shelf.bytes - old + added > shelf.maxBytes) {
            return;
        }
        if (index >= raw.length) {
            int n = Math.max(index + 1, raw.length * 2);
            raw = Arrays.copyOf(raw, n);
            encoded = Arrays.copyOf(encoded, n);
            part = Arrays.copyOf(part, n);
            maxSamples = Arrays.copyOf(maxSamples, n);
        }
        raw[index] = Arrays.copyOfRange(buf, from, to);
        encoded[index] = encodedLabels;
        part[index] = seriesPart;
        maxSamples[index] = seriesMaxSamples;
        bytes += added - old;
        shelf.bytes += added - old;
    }
}
