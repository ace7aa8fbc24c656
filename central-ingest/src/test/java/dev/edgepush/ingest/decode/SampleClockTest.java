package dev.edgepush.ingest.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SampleClockTest {
    static final long NOW = 1_800_000_000_000L;
    static final long DAY = 86_400_000L;

    @Test
    void aPushIsShiftedOnlyWhenItsSkewPassesTheThresholdEitherWay() {
        SampleClock clock = new SampleClock(31 * DAY, 120_000);
        assertEquals(0, clock.forPush(NOW, NOW + 119_000, true).shiftMs(), "under the threshold");
        assertEquals(0, clock.forPush(NOW, NOW + 120_000, true).shiftMs(), "at it");
        assertEquals(3_600_000, clock.forPush(NOW, NOW + 3_600_000, true).shiftMs(), "an hour ahead");
        assertEquals(-600_000, clock.forPush(NOW, NOW - 600_000, true).shiftMs(), "ten minutes behind");
        assertEquals(0, clock.forPush(NOW, 0, true).shiftMs(), "the agent did not send its clock");
        assertEquals(0, clock.forPush(NOW, NOW + 3_600_000, false).shiftMs(), "text imports are never shifted");
        assertEquals(
                0,
                new SampleClock(31 * DAY, 0).forPush(NOW, NOW + 3_600_000, true).shiftMs(),
                "0 = never");
    }

    @Test
    void theStorageRangeIsItsRetentionBackAndTwoDaysAhead() {
        SampleTimes t = SampleClock.DEFAULT.forPush(NOW, NOW, true);
        assertEquals(NOW - 31 * DAY, t.oldestMs());
        assertEquals(NOW + 2 * DAY, t.newestMs());
        assertEquals(
                Long.MIN_VALUE, new SampleClock(0, 0).forPush(NOW, NOW, true).oldestMs(), "0 = no retention check");
    }

    @Test
    void theBuilderShiftsThenCountsAndStillWritesEverySample() throws Exception {
        BatchBuilder b = new BatchBuilder("r1", 1);
        b.times(new SampleTimes(1000, 5_000, 9_000));
        b.beginSeries(0, new String[] {"__name__", "a"}, 1);
        for (long ts : new long[] {5_000, 6_000, 7_000, 10_000, 10_001, 11_000}) {
            b.sample(1, ts);
        }
        StampedBatch batch = b.build();
        assertEquals(6, batch.samples(), "counted samples are forwarded all the same");
        assertEquals(1, batch.tooOld(), "5000 - 1000 = 4000 is before 5000");
        assertEquals(2, batch.tooNew(), "10001 and 11000, shifted, are after 9000");
        assertEquals(
                java.util.List.of(4_000L, 5_000L, 6_000L, 9_000L, 9_001L, 10_000L),
                BatchBuilderTest.shard(batch, 0).getTimeseries(0).getSamplesList().stream()
                        .map(s -> s.getTimestamp())
                        .toList());
    }
}
