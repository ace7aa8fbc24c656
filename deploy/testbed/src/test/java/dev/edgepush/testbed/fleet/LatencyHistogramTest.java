package dev.edgepush.testbed.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LatencyHistogramTest {
    @Test
    void percentilesAreTheSmallestLatencyThatEnoughDoNotExceed() {
        LatencyHistogram h = new LatencyHistogram();
        assertEquals(-1, h.percentile(0.5), "empty");
        for (int ms = 1; ms <= 100; ms++) {
            h.record(ms);
        }
        assertEquals(100, h.count());
        assertEquals(50, h.percentile(0.50));
        assertEquals(99, h.percentile(0.99));
        assertEquals(100, h.percentile(1.0));
        h.record(-5);
        h.record(3_600_000);
        assertEquals(0, h.percentile(0.001), "negative counts as 0");
        assertEquals(LatencyHistogram.MAX_MS, h.percentile(1.0), "over a minute counts as a minute");
    }
}
