package dev.edgepush.proto.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The raw-key path ({@link SeriesKeySink}): which bytes are a line's key, and that a known key
 * skips only the name and labels. (Every test going through {@link Recorder#parse} also checks
 * that this path gives the same samples and errors as the full parse.)
 */
class ExpositionParserSeriesKeyTest {

    private static KeyedRecorder parse(KeyedRecorder sink, String body, ExpositionFormat format)
            throws ExpositionParseException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        new ExpositionParser().parse(b, 0, b.length, format, sink);
        return sink;
    }

    @Test
    void theKeyRunsFromTheNameToTheEndOfTheLabelBlock() throws Exception {
        KeyedRecorder k = parse(
                KeyedRecorder.learning(),
                ""
                        + "a 1\n"
                        + "  b{x=\"1\"} 2 1000\n"
                        + "c {x=\"}\\\"{\" , } 3\n"
                        + "d{}\t4\n"
                        + "\"my.metric\"{\"a.b\"=\"v\"} 5\n"
                        + "{\"other.metric\",x=\"1\"} 6\n"
                        + "\"quoted\" 7\n"
                        + "e{x=\"1\"}8\n",
                ExpositionFormat.PROMETHEUS_TEXT);
        assertEquals(
                List.of(
                        "a",
                        "b{x=\"1\"}",
                        "c {x=\"}\\\"{\" , }",
                        "d{}",
                        "\"my.metric\"{\"a.b\"=\"v\"}",
                        "{\"other.metric\",x=\"1\"}",
                        "\"quoted\"",
                        "e{x=\"1\"}"),
                k.missKeys);
    }

    @Test
    void exemplarsAndTimestampsAreNotPartOfTheKey() throws Exception {
        KeyedRecorder k = KeyedRecorder.learning();
        parse(
                k,
                "r_total{p=\"/\"} 5 1.5 # {trace_id=\"a\"} 1 2\nr_created{p=\"/\"} 1.7e9\n# EOF\n",
                ExpositionFormat.OPENMETRICS);
        assertEquals(List.of("r_total{p=\"/\"}", "r_created{p=\"/\"}"), k.missKeys);
        k.lines.clear();
        parse(
                k,
                "r_total{p=\"/\"} 6 # {trace_id=\"b\"} 1\nr_created{p=\"/\"} 1.7e9 2.5\n# EOF\n",
                ExpositionFormat.OPENMETRICS);
        assertEquals(2, k.missKeys.size(), "no new keys");
        assertEquals(List.of("r_total{p=\"/\"}", "r_created{p=\"/\"}"), k.hitKeys);
        assertEquals(List.of("r_total{p=\"/\"} 6.0", "r_created{p=\"/\"} 1.7E9 @2500"), k.lines);
    }

    @Test
    void aKnownKeyIsFoundWhateverFollowsIt() throws Exception {
        KeyedRecorder k = KeyedRecorder.learning();
        parse(k, "a 1\nb{x=\"1\"} 2\n", ExpositionFormat.PROMETHEUS_TEXT);
        k.lines.clear();
        parse(k, "b{x=\"1\"}   3   4\n  a\t5\n", ExpositionFormat.PROMETHEUS_TEXT);
        assertEquals(List.of("b{x=\"1\"}", "a"), k.hitKeys);
        assertEquals(List.of("b{x=\"1\"} 3.0 @4", "a{} 5.0"), k.lines);
    }

    @Test
    void aKnownKeyWithABadRestFailsAsTheFullParseDoes() throws Exception {
        String[][] cases = {
            {"b{x=\"1\"} 2x\n", "line 1: invalid value '2x' in 'b{x=\"1\"} 2x'"},
            {"b{x=\"1\"}\n", "line 1: missing value in 'b{x=\"1\"}'"},
            {"b{x=\"1\"} 2 3 4\n", "line 1: unexpected text '4' after the timestamp in 'b{x=\"1\"} 2 3 4'"},
            {"b{x=\"1\"} 2 1.5\n", "line 1: invalid timestamp '1.5' in 'b{x=\"1\"} 2 1.5'"},
            {"b{x=\"1\"}} 2\n", "line 1: invalid value '}' in 'b{x=\"1\"}} 2'"},
            {"a=1 1\n", "line 1: invalid metric name 'a=1' in 'a=1 1'"},
            {"a{x=\"1\" 1\n", "line 1: missing ',' or closing '}' after the value of label 'x' in 'a{x=\"1\" 1'"},
        };
        for (String[] c : cases) {
            KeyedRecorder k = KeyedRecorder.learning();
            parse(k, "a 0\nb{x=\"1\"} 1\n", ExpositionFormat.PROMETHEUS_TEXT);
            ExpositionParseException e = assertThrows(
                    ExpositionParseException.class, () -> parse(k, c[0], ExpositionFormat.PROMETHEUS_TEXT), c[0]);
            assertEquals(c[1], e.getMessage(), c[0]);
            assertEquals(
                    c[1],
                    assertThrows(ExpositionParseException.class, () -> Recorder.text(c[0]))
                            .getMessage());
        }
    }

    @Test
    void openMetricsChecksStillApplyToKnownKeys() throws Exception {
        KeyedRecorder k = KeyedRecorder.learning();
        parse(k, "a 1\n# EOF\n", ExpositionFormat.OPENMETRICS);
        assertEquals(
                "line 1: invalid exemplar: missing value in 'a 1 # {x=\"1\"}'",
                assertThrows(
                                ExpositionParseException.class,
                                () -> parse(k, "a 1 # {x=\"1\"}\n# EOF\n", ExpositionFormat.OPENMETRICS))
                        .getMessage());
        assertEquals(
                "line 2: missing # EOF: the exposition is incomplete",
                assertThrows(ExpositionParseException.class, () -> parse(k, "a 1\n\n", ExpositionFormat.OPENMETRICS))
                        .getMessage());
        assertEquals(List.of("a", "a"), k.hitKeys);
    }

    @Test
    void theHashDependsOnEveryByte() {
        // Keys differing in one byte anywhere, or only in length, hash differently here.
        String base = "sensor_synthetic_value{idx=\"123\",unit=\"celsius\"}";
        byte[] b = base.getBytes(StandardCharsets.UTF_8);
        int h = Bytes.hash(b, 0, b.length);
        for (int i = 0; i < b.length; i++) {
            byte[] c = b.clone();
            c[i] ^= 1;
            assertNotEquals(h, Bytes.hash(c, 0, c.length), "byte " + i);
        }
        for (int n = 0; n < b.length; n++) {
            assertNotEquals(h, Bytes.hash(b, 0, n), "length " + n);
        }
        byte[] shifted = ("xyz" + base + "!").getBytes(StandardCharsets.UTF_8);
        assertEquals(h, Bytes.hash(shifted, 3, b.length), "only the range counts");
    }
}
