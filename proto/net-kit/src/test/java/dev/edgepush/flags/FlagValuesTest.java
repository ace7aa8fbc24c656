package dev.edgepush.flags;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlagValuesTest {
    @Test
    void sizesAndDurationsParseAndABadValueIsOneLineNamingTheFlag() {
        assertEquals(32L * 1000 * 1000, FlagValues.bytes("-x", "32MB"));
        assertEquals(Duration.ofSeconds(90), FlagValues.duration("-x", "1m30s"));
        String bad = assertThrows(IllegalArgumentException.class, () -> FlagValues.bytes("-max", "lots"))
                .getMessage();
        assertEquals(0, bad.indexOf("-max=lots: "), bad);
        assertEquals(-1, bad.indexOf('\n'), bad);
        bad = assertThrows(IllegalArgumentException.class, () -> FlagValues.duration("-every", "soon"))
                .getMessage();
        assertEquals(0, bad.indexOf("-every=soon: "), bad);
    }

    @Test
    void boundsAreChecked() {
        assertEquals(8 * 1000 * 1000, FlagValues.sizeUpTo1GB("-b", "8MB"));
        assertEquals(
                "-b=0: must be between 1 and 1GB",
                assertThrows(IllegalArgumentException.class, () -> FlagValues.sizeUpTo1GB("-b", "0"))
                        .getMessage());
        assertEquals(
                "-b=2GB: must be between 1 and 1GB",
                assertThrows(IllegalArgumentException.class, () -> FlagValues.sizeUpTo1GB("-b", "2GB"))
                        .getMessage());
        assertEquals(
                "-d=0s: must be more than 0",
                assertThrows(IllegalArgumentException.class, () -> FlagValues.nonZeroDuration("-d", "0s"))
                        .getMessage());
    }

    @Test
    void anHttpUrlNeedsItsSchemeAndHostAndTheMessageShowsWhatItIsGiven() {
        assertEquals("https://h:1/w", FlagValues.httpUrl("-u", "https://h:1/w", "shown"));
        for (String url : new String[] {"ftp://h/w", "http:///w", "h:1/w", "http://a b/"}) {
            assertEquals(
                    "-u=shown: not an http(s) URL, e.g. http://127.0.0.1:8428/api/v1/write",
                    assertThrows(IllegalArgumentException.class, () -> FlagValues.httpUrl("-u", url, "shown"))
                            .getMessage());
        }
    }

    @Test
    void recordedGoesOnPastABadValueAndKeepsItsLine() {
        List<String> problems = new ArrayList<>();
        assertEquals(-1L, FlagValues.recorded(problems, () -> FlagValues.bytes("-a", "x"), -1L));
        assertEquals(2L, FlagValues.recorded(problems, () -> FlagValues.bytes("-b", "2"), -1L));
        assertEquals(1, problems.size());
        assertEquals(0, problems.get(0).indexOf("-a=x: "), problems.get(0));
    }
}
