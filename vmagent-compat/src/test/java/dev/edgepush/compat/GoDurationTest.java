package dev.edgepush.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GoDurationTest {

    @ParameterizedTest
    @CsvSource({
        "0, 0",
        "+0, 0",
        "0s, 0",
        "15s, 15000000000",
        "1m30s, 90000000000",
        "500ms, 500000000",
        "1h, 3600000000000",
        "2d, 172800000000000",
        "1w, 604800000000000",
        "1y, 31536000000000000",
        "1y2w3d4h5m6s7ms, 33019506007000000",
        "1.5s, 1500000000",
        ".5h, 1800000000000",
        "1.s, 1000000000",
        "100us, 100000",
        "100\u00b5s, 100000",
        "100\u03bcs, 100000",
        "42ns, 42",
        "1.5ns, 1",
        "1h30m, 5400000000000",
        "30s1m, 90000000000",
        "+5m, 300000000000",
    })
    void parses(String text, long nanos) {
        assertEquals(Duration.ofNanos(nanos), GoDuration.parse(text));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "5 seconds",
                "15",
                "s",
                "1.5",
                "1S",
                "1sec",
                "1m 30s",
                " 15s",
                "1..5s",
                ".s",
                "abc",
                "1h-5m",
                "+"
            })
    void rejectsMalformed(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GoDuration.parse(text));
        assertTrue(e.getMessage().startsWith("invalid duration \"" + text + "\": "), e.getMessage());
        assertTrue(e.getMessage().contains("use a number and a unit, e.g. 15s, 1m30s, 500ms"), e.getMessage());
    }

    @Test
    void messageMatchesTheDocumentedForm() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("5 seconds"));
        assertTrue(e.getMessage().contains("invalid duration \"5 seconds\""), e.getMessage());
    }

    @Test
    void rejectsNegativeAndNull() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("-1s"))
                .getMessage()
                .contains("negative"));
        assertThrows(IllegalArgumentException.class, () -> GoDuration.parse(null));
    }

    @Test
    void rejectsOverflow() {
        assertEquals(Duration.ofNanos(Long.MAX_VALUE), GoDuration.parse("9223372036854775807ns"));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("9223372036854775808ns"));
        assertTrue(e.getMessage().contains("too large"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("300y"));
    }
}
