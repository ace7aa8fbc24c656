package dev.edgepush.testbed.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class ClockCheckTest {
    private static final long[][] ANSWERED = {{1, 1_000_000}, {2, 1_001_000}, {3, 1_002_000}};

    @Test
    void aSkewOfTheOffsetAndScrapesStoredWhenAnsweredPass() {
        ClockCheck c = ClockCheck.of(
                "r1",
                Duration.ofHours(1),
                OptionalDouble.of(3599.98),
                ANSWERED,
                Map.of(1L, List.of(999_990L), 2L, List.of(1_000_995L), 3L, List.of(1_002_400L)));
        assertNull(c.problem());
        assertEquals(3, c.stored());
        assertEquals(400, c.maxOffsetMs());
        assertEquals("clock_skew_r1=3600.0 clock_misplaced=0", c.verdict());
    }

    @Test
    void aWrongOrMissingSkewOrAScrapeStoredAnHourAheadFails() {
        Map<Long, List<Long>> onTime = Map.of(1L, List.of(1_000_000L));
        assertTrue(ClockCheck.of("r1", Duration.ofHours(1), OptionalDouble.empty(), ANSWERED, onTime)
                .problem()
                .contains("no clock skew"));
        assertTrue(ClockCheck.of("r1", Duration.ofHours(1), OptionalDouble.of(0.01), ANSWERED, onTime)
                .problem()
                .contains("measured its clock 0.0 s ahead, not 3600 s"));
        ClockCheck ahead = ClockCheck.of(
                "r1",
                Duration.ofHours(1),
                OptionalDouble.of(3600),
                ANSWERED,
                Map.of(1L, List.of(1_000_000L), 2L, List.of(1_001_000L + 3_600_000L)));
        assertEquals(1, ahead.misplaced());
        assertTrue(ahead.problem().contains("1 of its 2 stored scrapes"), ahead.problem());
    }
}
