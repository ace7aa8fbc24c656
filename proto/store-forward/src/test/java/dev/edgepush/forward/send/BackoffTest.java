package dev.edgepush.forward.send;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private static final Duration INITIAL = Duration.ofSeconds(1);
    private static final Duration MAX = Duration.ofSeconds(60);

    private static void assertWithin(Duration base, Duration actual) {
        assertTrue(
                actual.compareTo(base.dividedBy(2)) >= 0 && actual.compareTo(base) <= 0,
                () -> actual + " not within [" + base.dividedBy(2) + ", " + base + "]");
    }

    @Test
    void growsExponentiallyThenCaps() {
        Backoff backoff = new Backoff(INITIAL, MAX, new SplittableRandom(42));
        long[] bases = {1, 2, 4, 8, 16, 32, 60, 60, 60, 60};
        for (long base : bases) {
            assertWithin(Duration.ofSeconds(base), backoff.next());
        }
    }

    @Test
    void staysCappedForAVeryLongOutage() {
        Backoff backoff = new Backoff(Duration.ofNanos(1), MAX, new SplittableRandom(7));
        for (int i = 0; i < 10_000; i++) {
            Duration d = backoff.next();
            assertTrue(!d.isNegative() && d.compareTo(MAX) <= 0, d::toString);
        }
        assertWithin(MAX, backoff.next());
    }

    @Test
    void jitterCoversTheWholeUpperHalf() {
        SplittableRandom random = new SplittableRandom(1);
        Duration min = MAX;
        Duration max = Duration.ZERO;
        for (int i = 0; i < 2_000; i++) {
            Backoff backoff = new Backoff(Duration.ofSeconds(8), Duration.ofSeconds(8), random);
            Duration d = backoff.next();
            assertWithin(Duration.ofSeconds(8), d);
            min = d.compareTo(min) < 0 ? d : min;
            max = d.compareTo(max) > 0 ? d : max;
        }
        // Spread: both ends of [4s, 8s] are approached, so jitter is really applied.
        assertTrue(min.compareTo(Duration.ofMillis(4200)) < 0, min::toString);
        assertTrue(max.compareTo(Duration.ofMillis(7800)) > 0, max::toString);
    }

    @Test
    void sameSeedSameSequence() {
        Backoff a = new Backoff(INITIAL, MAX, new SplittableRandom(99));
        Backoff b = new Backoff(INITIAL, MAX, new SplittableRandom(99));
        for (int i = 0; i < 10; i++) {
            assertEquals(a.next(), b.next());
        }
    }

    @Test
    void resetStartsOverFromInitial() {
        Backoff backoff = new Backoff(INITIAL, MAX, new SplittableRandom(3));
        for (int i = 0; i < 8; i++) {
            backoff.next();
        }
        assertWithin(MAX, backoff.next());
        backoff.reset();
        assertWithin(INITIAL, backoff.next());
        assertWithin(Duration.ofSeconds(2), backoff.next());
    }

    @Test
    void defaults() {
        assertEquals(Duration.ofSeconds(1), Backoff.DEFAULT_INITIAL);
        assertEquals(Duration.ofSeconds(60), Backoff.DEFAULT_MAX);
        assertWithin(
                Backoff.DEFAULT_INITIAL,
                Backoff.withDefaults(new SplittableRandom(5)).next());
    }

    @Test
    void rejectsBadArguments() {
        SplittableRandom random = new SplittableRandom(0);
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, MAX, random));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(MAX, INITIAL, random));
    }
}
