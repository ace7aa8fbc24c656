package dev.edgepush.proto.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link ExpositionParser#stream}: a body fed in pieces cut anywhere parses exactly as the whole
 * body does (same samples, same errors with the same line numbers), and the label limits refuse a
 * series as soon as it passes them.
 */
class ExpositionParserStreamTest {
    private static final String TEXT = "# HELP a some help\n# TYPE a counter\na_total 1\n"
            + "b{x=\"1\",y=\"with \\\"quote\\\"\"} 2 1700000000000\r\n\n  c{ z = \"é\" } +Inf\nd 4";
    private static final String OPENMETRICS = "# TYPE a counter\na_total 1 1.5\nb{x=\"1\"} 2 # {t=\"x\"} 1\n# EOF\n";

    private static List<String> whole(String body, ExpositionFormat f) throws ExpositionParseException {
        KeyedRecorder r = KeyedRecorder.learning();
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        new ExpositionParser().parse(b, 0, b.length, f, r);
        return r.lines;
    }

    private static List<String> inPieces(String body, ExpositionFormat f, int piece) throws ExpositionParseException {
        KeyedRecorder r = KeyedRecorder.learning();
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ExpositionParser.Stream s = new ExpositionParser().stream(f, r);
        for (int off = 0; off < b.length; off += piece) {
            s.feed(b, off, Math.min(piece, b.length - off));
        }
        int n = s.end();
        assertEquals(r.lines.size(), n, "samples counted");
        return r.lines;
    }

    @Test
    void piecesOfEverySizeParseAsTheWholeBody() throws Exception {
        for (int piece = 1; piece <= TEXT.length() + 1; piece++) {
            assertEquals(
                    whole(TEXT, ExpositionFormat.PROMETHEUS_TEXT),
                    inPieces(TEXT, ExpositionFormat.PROMETHEUS_TEXT, piece),
                    "pieces of " + piece);
        }
        for (int piece = 1; piece <= OPENMETRICS.length() + 1; piece++) {
            assertEquals(
                    whole(OPENMETRICS, ExpositionFormat.OPENMETRICS),
                    inPieces(OPENMETRICS, ExpositionFormat.OPENMETRICS, piece),
                    "pieces of " + piece);
        }
    }

    @Test
    void errorsAreTheSameWhereverTheBodyIsCut() {
        String bad = "a 1\nb 2\nc{x=\"1\" 3\nd 4\n";
        String expected = assertThrows(
                        ExpositionParseException.class, () -> whole(bad, ExpositionFormat.PROMETHEUS_TEXT))
                .getMessage();
        assertTrue(expected.startsWith("line 3: "), expected);
        for (int piece = 1; piece <= bad.length(); piece++) {
            int p = piece;
            assertEquals(
                    expected,
                    assertThrows(
                                    ExpositionParseException.class,
                                    () -> inPieces(bad, ExpositionFormat.PROMETHEUS_TEXT, p))
                            .getMessage(),
                    "pieces of " + piece);
        }
        String noEof = "a 1\n";
        assertEquals(
                assertThrows(ExpositionParseException.class, () -> whole(noEof, ExpositionFormat.OPENMETRICS))
                        .getMessage(),
                assertThrows(ExpositionParseException.class, () -> inPieces(noEof, ExpositionFormat.OPENMETRICS, 2))
                        .getMessage());
    }

    private static String wide(int labels, String repeatLast) {
        StringBuilder sb = new StringBuilder("wide{");
        for (int i = 0; i < labels; i++) {
            sb.append(i == 0 ? "" : ",").append("l").append(i).append("=\"v\"");
        }
        if (repeatLast != null) {
            sb.append(",").append(repeatLast).append("=\"again\"");
        }
        return sb.append("} 1\n").toString();
    }

    @Test
    void aSeriesPastMaxLabelsIsRefusedNamingTheSeriesAndTheFlag() throws Exception {
        byte[] b = wide(100_000, null).getBytes(StandardCharsets.UTF_8);
        ExpositionParser p = new ExpositionParser().limits(40, 256, 4096);
        ExpositionParseException e = assertThrows(
                ExpositionParseException.class,
                () -> p.parse(b, 0, b.length, ExpositionFormat.PROMETHEUS_TEXT, KeyedRecorder.learning()));
        assertTrue(e.overLimit(), e.getMessage());
        assertTrue(
                e.getMessage().contains("series wide has more than 40 labels (-maxLabelsPerTimeseries=40)"),
                e.getMessage());
        // 40 labels, the metric name included, pass
        byte[] ok = wide(39, null).getBytes(StandardCharsets.UTF_8);
        KeyedRecorder r = KeyedRecorder.learning();
        p.parse(ok, 0, ok.length, ExpositionFormat.PROMETHEUS_TEXT, r);
        assertEquals(1, r.lines.size());
    }

    @Test
    void labelNameAndValueLengthsAreLimited() {
        ExpositionParser p = new ExpositionParser().limits(0, 8, 5);
        byte[] longName = "m{abcdefghi=\"v\"} 1\n".getBytes(StandardCharsets.UTF_8);
        ExpositionParseException e = assertThrows(
                ExpositionParseException.class,
                () -> p.parse(
                        longName, 0, longName.length, ExpositionFormat.PROMETHEUS_TEXT, KeyedRecorder.learning()));
        assertTrue(e.overLimit() && e.getMessage().contains("-maxLabelNameLen=8"), e.getMessage());
        byte[] longValue = "m{a=\"123456\"} 1\n".getBytes(StandardCharsets.UTF_8);
        e = assertThrows(
                ExpositionParseException.class,
                () -> p.parse(
                        longValue, 0, longValue.length, ExpositionFormat.PROMETHEUS_TEXT, KeyedRecorder.learning()));
        assertTrue(
                e.overLimit()
                        && e.getMessage().contains("-maxLabelValueLen=5")
                        && e.getMessage().contains("series m"),
                e.getMessage());
    }

    /** Without a limit the duplicate check stays linear: a duplicate after 100,000 labels is still found. */
    @Test
    void aDuplicateAmongAHundredThousandLabelsIsFoundWithoutALimit() {
        byte[] b = wide(100_000, "l5").getBytes(StandardCharsets.UTF_8);
        ExpositionParseException e = assertThrows(
                ExpositionParseException.class,
                () -> new ExpositionParser()
                        .parse(b, 0, b.length, ExpositionFormat.PROMETHEUS_TEXT, KeyedRecorder.learning()));
        assertTrue(e.getMessage().contains("duplicate label name 'l5'") && !e.overLimit(), e.getMessage());
        byte[] fine = wide(100_000, null).getBytes(StandardCharsets.UTF_8);
        KeyedRecorder r = KeyedRecorder.learning();
        assertEquals(
                1,
                assertDoesNotThrow(
                        () -> new ExpositionParser().parse(fine, 0, fine.length, ExpositionFormat.PROMETHEUS_TEXT, r)));
    }

    private static int assertDoesNotThrow(org.junit.jupiter.api.function.ThrowingSupplier<Integer> s) {
        return org.junit.jupiter.api.Assertions.assertDoesNotThrow(s);
    }
}
