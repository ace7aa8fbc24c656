package dev.edgepush.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class XxHash64Test {

    /** The test vectors of github.com/cespare/xxhash (the library vmagent's hashmod calls). */
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "''|ef46db3751d8e999",
                "a|d24ec4f1a98c6e5b",
                "as|1c330fb2d66be179",
                "asd|631c37ce72a97393",
                "asdf|415872f599cea71e",
                "abc|44bc2cf5ad770999",
                // 63 bytes: two 32-byte stripes are not reached, one is, plus 8-, 4- and 1-byte tails
                "Call me Ishmael. Some years ago--never mind how long precisely-|02a2e85470d6fd96",
            })
    void matchesCespareXxhashVectors(String input, String hex) {
        byte[] b = input.getBytes(StandardCharsets.UTF_8);
        assertEquals(Long.parseUnsignedLong(hex, 16), XxHash64.hash(b, b.length), input);
    }
}
