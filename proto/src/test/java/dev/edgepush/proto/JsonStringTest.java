package dev.edgepush.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class JsonStringTest {
    @Test
    void escapesQuotesBackslashesAndControlCharactersAndKeepsTheRest() {
        assertEquals("\"a\\\"b\\\\c\\u000a\\u0000é☃\"", JsonString.quote("a\"b\\c\n\u0000é☃"));
        assertEquals("\"\"", JsonString.quote(""));
    }
}
