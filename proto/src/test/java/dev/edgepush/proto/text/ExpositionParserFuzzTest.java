package dev.edgepush.proto.text;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Any bytes as a scrape body: the parser either parses them or throws {@link
 * ExpositionParseException}; nothing else escapes (no IndexOutOfBounds, NPE, StackOverflow, OOM).
 * {@code ./mvnw test} runs the seeds in {@code ExpositionParserFuzzTestInputs/} (regression mode);
 * {@code JAZZER_FUZZ=1} fuzzes for {@code maxDuration}.
 */
class ExpositionParserFuzzTest {
    private final ExpositionParser parser = new ExpositionParser();

    @FuzzTest(maxDuration = "10s")
    void onlyParseErrorsEscape(byte[] body) {
        for (ExpositionFormat format : ExpositionFormat.values()) {
            try {
                parser.parse(body, 0, body.length, format, new Recorder());
            } catch (ExpositionParseException expected) {
                // the documented failure: the scrape fails, nothing else
            }
        }
    }
}
