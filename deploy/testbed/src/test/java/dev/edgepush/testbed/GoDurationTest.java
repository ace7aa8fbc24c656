package dev.edgepush.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GoDurationTest {
    @Test
    void parsesGoDurations() {
        assertEquals(Duration.ofSeconds(30), GoDuration.parse("30s"));
        assertEquals(Duration.ofSeconds(90), GoDuration.parse("1m30s"));
        assertEquals(Duration.ofMillis(250), GoDuration.parse("250ms"));
        assertEquals(Duration.ofMinutes(90), GoDuration.parse("1.5h"));
        assertEquals(Duration.ofHours(2).plusMinutes(3), GoDuration.parse("2h3m"));
        assertEquals(Duration.ZERO, GoDuration.parse("0"));
    }

    @Test
    void refusesWhatGoRefusesNamingTheText() {
        for (String bad : new String[] {"", "30", "s", "-5s", "5 s", "5sx", "1d"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GoDuration.parse(bad), bad);
            assertTrue(e.getMessage().contains("\"" + bad + "\""), e.getMessage());
        }
    }

    @Test
    void formatsLikeGoAndRoundTrips() {
        assertEquals("1m30s", GoDuration.format(Duration.ofSeconds(90)));
        assertEquals("250ms", GoDuration.format(Duration.ofMillis(250)));
        assertEquals("2h0m0s", GoDuration.format(Duration.ofHours(2)));
        assertEquals("12.5s", GoDuration.format(Duration.ofMillis(12_500)));
        for (long ms : new long[] {1, 999, 1000, 12_345, 3_600_000, 5_025_500}) {
            assertEquals(Duration.ofMillis(ms), GoDuration.parse(GoDuration.format(Duration.ofMillis(ms))));
        }
    }
}
