package dev.edgepush.testbed.fleet;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Request latencies in whole milliseconds, 0 to 60 s (longer ones count as 60 s), recorded from
 * many threads without locks; percentiles read at the end. Millisecond buckets: exact to the
 * millisecond, 480 KB.
 */
final class LatencyHistogram {
    static final int MAX_MS = 60_000;
    private final AtomicLongArray counts = new AtomicLongArray(MAX_MS + 1);

    void record(long millis) {
        counts.incrementAndGet((int) Math.max(0, Math.min(MAX_MS, millis)));
    }

    long count() {
        long n = 0;
        for (int i = 0; i <= MAX_MS; i++) {
            n += counts.get(i);
        }
        return n;
    }

    /** The smallest latency that at least {@code p} (0 < p <= 1) of the recorded ones do not exceed; -1 when empty. */
    long percentile(double p) {
        long n = count();
        if (n == 0) {
            return -1;
        }
        long rank = (long) Math.ceil(p * n);
        long seen = 0;
        for (int i = 0; i <= MAX_MS; i++) {
            seen += counts.get(i);
            if (seen >= rank) {
                return i;
            }
        }
        return MAX_MS;
    }
}
