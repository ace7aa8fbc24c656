package dev.edgepush.testbed.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LossCheckTest {
    /** Scrapes 1..10 answered at 1000, 2000, ... 10000 ms. */
    private static long[][] answered() {
        long[][] a = new long[10][];
        for (int i = 0; i < 10; i++) {
            a[i] = new long[] {i + 1, (i + 1) * 1000L};
        }
        return a;
    }

    @Test
    void everyAnsweredScrapeStoredMeansNothingLost() {
        LossCheck c = LossCheck.of("r1", answered(), Set.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L), List.of());
        assertEquals(10, c.answered());
        assertEquals(10, c.stored());
        assertEquals(List.of(), c.lost());
        assertEquals(List.of(), c.inFlightAtKill());
    }

    @Test
    void onlyTheLastScrapeAnsweredBeforeAKillIsExcusedAndOnlyWhenMissing() {
        long[] kill = {5500, 5800}; // killed after scrape 5, restarted before scrape 6
        LossCheck c = LossCheck.of("r1", answered(), Set.of(1L, 2L, 3L, 7L, 8L, 9L, 10L), List.of(kill));
        assertEquals(List.of(4L, 6L), c.lost());
        assertEquals(List.of(5L), c.inFlightAtKill());
        assertEquals(7, c.stored());

        LossCheck stored =
                LossCheck.of("r1", answered(), Set.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L), List.of(kill));
        assertEquals(List.of(), stored.inFlightAtKill(), "a stored scrape is not counted as in flight");
    }

    @Test
    void aScrapeWrittenToTheDeadAgentBeforeItsRestartIsExcusedToo() {
        long[] kill = {5500, 6500}; // scrape 6 finished writing at 6000, after the kill, to a dead socket
        LossCheck c = LossCheck.of("r1", answered(), Set.of(1L, 2L, 3L, 4L, 7L, 8L, 9L, 10L), List.of(kill));
        assertEquals(List.of(), c.lost());
        assertEquals(List.of(5L, 6L), c.inFlightAtKill());
    }

    @Test
    void atMostOneScrapeWrittenToTheDeadAgentIsExcused() {
        long[] kill = {5500, 8500}; // a long way down: scrapes 6 to 8 cannot all have been in flight
        LossCheck c = LossCheck.of("r1", answered(), Set.of(1L, 2L, 3L, 4L, 9L, 10L), List.of(kill));
        assertEquals(List.of(7L, 8L), c.lost());
        assertEquals(List.of(5L, 6L), c.inFlightAtKill());
    }

    @Test
    void aScrapeMissingAfterTheRestartIsLost() {
        LossCheck c = LossCheck.of(
                "r1", answered(), Set.of(1L, 2L, 3L, 4L, 5L, 6L, 8L, 9L, 10L), List.of(new long[] {5500, 6500}));
        assertEquals(List.of(7L), c.lost());
    }

    @Test
    void theAgentsDiskFullCountExcusesThatManyWholeScrapesAndNoMore() {
        // 3 scrapes of 50 samples dropped for the disk cap; 4 missing: the oldest 3 are excused.
        LossCheck c = LossCheck.of("r5", answered(), Set.of(1L, 2L, 7L, 8L, 9L, 10L), List.of(), List.of(), 150, 50);
        assertEquals(List.of(3L, 4L, 5L), c.droppedDiskFull());
        assertEquals(List.of(6L), c.lost());
        assertEquals(150, c.diskFullSamples());
        assertEquals(50, c.samplesPerScrape());

        LossCheck none = LossCheck.of("r5", answered(), Set.of(1L, 2L, 7L, 8L, 9L, 10L), List.of(), List.of(), 0, 0);
        assertEquals(List.of(), none.droppedDiskFull());
        assertEquals(List.of(3L, 4L, 5L, 6L), none.lost());
    }

    @Test
    void eachScrapeTheAgentTimedOutOnExcusesOnlyTheNearestMissingAnswer() {
        // The agent gave up on the scrape it started at 3100 (answered at 4000: scrape 4); 6 and 7
        // are missing too, with one timed-out scrape near them only.
        LossCheck c = LossCheck.of(
                "r1", answered(), Set.of(1L, 2L, 3L, 5L, 8L, 9L, 10L), List.of(), List.of(3100L, 6900L), 0, 0);
        assertEquals(List.of(4L, 7L), c.timedOut());
        assertEquals(List.of(6L), c.lost());
        LossCheck far = LossCheck.of(
                "r1", answered(), Set.of(1L, 2L, 3L, 5L, 6L, 7L, 8L, 9L, 10L), List.of(), List.of(60_000L), 0, 0);
        assertEquals(List.of(4L), far.lost(), "a timed-out scrape far from the missing answer excuses nothing");
    }
}
