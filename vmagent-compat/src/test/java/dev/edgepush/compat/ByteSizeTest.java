package dev.edgepush.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ByteSizeTest {

    @ParameterizedTest
    @CsvSource({
        "'', 0",
        "0, 0",
        "1048576, 1048576",
        "1.9, 1",
        "1e3, 1000",
        "+5, 5",
        "1KB, 1000",
        "1MB, 1000000",
        "1GB, 1000000000",
        "1TB, 1000000000000",
        "1KiB, 1024",
        "1MiB, 1048576",
        "1GiB, 1073741824",
        "1TiB, 1099511627776",
        "1.5GB, 1500000000",
        "1.5GiB, 1610612736",
        "0.5KiB, 512",
        ".5MB, 500000",
        "500mb, 500000000",
        "2gib, 2147483648",
        "2GIB, 2147483648",
        "9223372036854775807, 9223372036854775807",
    })
    void parses(String text, long bytes) {
        assertEquals(bytes, ByteSize.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "10 GB", "GB", "1.2.3MB", "1PB", "1K", "1B", "0x10", "Inf", "NaN", " 1", "1e"})
    void rejectsMalformed(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ByteSize.parse(text));
        assertTrue(e.getMessage().contains("\"" + text + "\""), e.getMessage());
        assertTrue(e.getMessage().contains("e.g. 500MB or 1GiB"), e.getMessage());
    }

    @Test
    void rejectsNegative() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("-1GB"));
        assertTrue(e.getMessage().contains("\"-1GB\""), e.getMessage());
        assertTrue(e.getMessage().contains("negative"), e.getMessage());
    }

    @Test
    void rejectsTooLargeAndNull() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("9223372036854775808"))
                .getMessage()
                .contains("too large"));
        assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("10000000TiB"));
        assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("1e999999999999"));
        assertThrows(IllegalArgumentException.class, () -> ByteSize.parse(null));
    }
}
