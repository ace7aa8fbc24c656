package dev.edgepush.forward.send;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RateLimiterTest {
    @Test
    void aRequestOverTheBucketMakesTheNextWaitUntilTheDebtIsPaid() {
        RateLimiter r = new RateLimiter(1000);
        assertEquals(0, r.waitMs(0));
        r.spent(3000, 0); // 1000 in the bucket, 3000 spent: 2000 in debt = 2 s
        assertEquals(2000, r.waitMs(0));
        assertEquals(1000, r.waitMs(1000));
        assertEquals(0, r.waitMs(2000));
    }

    @Test
    void anIdleRemoteSavesUpAtMostOneSecond() {
        RateLimiter r = new RateLimiter(1000);
        r.spent(1000, 0);
        assertEquals(0, r.waitMs(60_000));
        r.spent(1000, 60_000);
        r.spent(1000, 60_000); // the bucket held 1000, not 60000
        assertEquals(1000, r.waitMs(60_000));
    }

    @Test
    void theLongRunRateIsTheLimit() {
        RateLimiter r = new RateLimiter(500);
        long now = 0;
        long sent = 0;
        for (int i = 0; i < 100; i++) {
            now += r.waitMs(now);
            r.spent(250, now);
            sent += 250;
        }
        // the 100th request starts once the 99 before it (24,750 B) less the 500 B the bucket held
        // at the start are paid for at 500 B/s: 48.5 s
        assertEquals(48_500, now);
        assertEquals(25_000, sent);
    }
}
