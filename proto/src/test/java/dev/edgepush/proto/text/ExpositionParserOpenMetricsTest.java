package dev.edgepush.proto.text;

import static dev.edgepush.proto.text.Recorder.om;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** OpenMetrics 1.0 text: EOF handling, seconds timestamps, exemplars, metadata. */
class ExpositionParserOpenMetricsTest {

    @Test
    void parsesACompleteExpositionEndingWithEof() throws Exception {
        assertEquals(
                List.of("a_total{x=\"1\"} 3.0"), om("# TYPE a counter\n# HELP a The a.\na_total{x=\"1\"} 3\n# EOF\n"));
    }

    @Test
    void eofWithoutFinalNewlineIsAccepted() throws Exception {
        assertEquals(List.of("a{} 1.0"), om("a 1\n# EOF"));
    }

    @Test
    void eofAloneIsAnEmptyExposition() throws Exception {
        assertEquals(List.of(), om("# EOF\n"));
    }

    @Test
    void missingEofFailsAsIncomplete() {
        ExpositionParseException e = assertThrows(ExpositionParseException.class, () -> om("a 1\nb 2\n"));
        assertEquals("line 2: missing # EOF: the exposition is incomplete", e.getMessage());
        assertEquals(2, e.line());
    }

    @Test
    void emptyBodyFailsAsIncomplete() {
        ExpositionParseException e = assertThrows(ExpositionParseException.class, () -> om(""));
        assertTrue(e.getMessage().contains("missing # EOF"), e.getMessage());
    }

    @Test
    void sampleAfterEofIsRejected() {
        ExpositionParseException e = assertThrows(ExpositionParseException.class, () -> om("a 1\n# EOF\nb 2\n"));
        assertEquals("line 3: unexpected content after # EOF in 'b 2'", e.getMessage());
    }

    @Test
    void blankLineAfterEofIsRejected() {
        ExpositionParseException e = assertThrows(ExpositionParseException.class, () -> om("a 1\n# EOF\n\n"));
        assertEquals(3, e.line());
    }

    @Test
    void eofLineMustBeExact() {
        ExpositionParseException e = assertThrows(ExpositionParseException.class, () -> om("a 1\n# EOF trailing\n"));
        assertTrue(e.getMessage().startsWith("line 2: malformed # EOF"), e.getMessage());
    }

    @Test
    void eofIsJustACommentInPrometheusText() throws Exception {
        assertEquals(List.of("a{} 1.0", "b{} 2.0"), Recorder.text("a 1\n# EOF\nb 2\n"));
    }

    @Test
    void integerTimestampsAreSecondsConvertedToMillis() throws Exception {
        assertEquals(List.of("a{} 1.0 @1520879607000"), om("a 1 1520879607\n# EOF\n"));
    }

    @Test
    void fractionalTimestampsConvertExactlyToMillis() throws Exception {
        assertEquals(
                List.of("a{} 1.0 @1520879607789", "b{} 2.0 @1520879607500"),
                om("a 1 1520879607.789\nb 2 1520879607.5\n# EOF\n"));
    }

    @Test
    void subMillisecondTimestampsRoundToNearestMillisecond() throws Exception {
        assertEquals(
                List.of("a{} 1.0 @1000", "b{} 1.0 @1001", "c{} 1.0 @1002", "d{} 1.0 @-1002"),
                om("a 1 1.0004999\nb 1 1.0005\nc 1 1.00199\nd 1 -1.0015\n# EOF\n"));
    }

    @Test
    void exponentTimestampsConvertExactly() throws Exception {
        assertEquals(
                List.of("a{} 1.0 @1520879607789", "b{} 1.0 @1500"), om("a 1 1.520879607789e9\nb 1 15E-1\n# EOF\n"));
    }

    @Test
    void nonNumericTimestampIsRejected() {
        ExpositionParseException e = assertThrows(ExpositionParseException.class, () -> om("a 1 NaN\n# EOF\n"));
        assertEquals("line 1: invalid timestamp 'NaN' in 'a 1 NaN'", e.getMessage());
    }

    @Test
    void exemplarsAreSkippedNotEmitted() throws Exception {
        assertEquals(
                List.of(
                        "foo_bucket{le=\"0.01\"} 0.0",
                        "foo_bucket{le=\"0.1\"} 8.0",
                        "foo_bucket{le=\"1\"} 11.0 @1520879607789",
                        "foo_bucket{le=\"+Inf\"} 17.0"),
                om("# TYPE foo histogram\n"
                        + "foo_bucket{le=\"0.01\"} 0\n"
                        + "foo_bucket{le=\"0.1\"} 8 # {} 0.054\n"
                        + "foo_bucket{le=\"1\"} 11 1520879607.789 # {trace_id=\"KOO5S4v\"} 0.67 1520879602.1\n"
                        + "foo_bucket{le=\"+Inf\"} 17 # {trace_id=\"oHg5\",x=\"} # {\"} 9.8e1\n"
                        + "# EOF\n"));
    }

    @Test
    void exemplarWithoutClosingBraceIsRejected() {
        ExpositionParseException e =
                assertThrows(ExpositionParseException.class, () -> om("a_total 1 # {trace_id=\"x\" 1\n# EOF\n"));
        assertTrue(e.getMessage().startsWith("line 1: invalid exemplar: missing closing '}'"), e.getMessage());
    }

    @Test
    void exemplarWithBadValueIsRejected() {
        ExpositionParseException e =
                assertThrows(ExpositionParseException.class, () -> om("a_total 1 # {trace_id=\"x\"} oops\n# EOF\n"));
        assertTrue(e.getMessage().startsWith("line 1: invalid exemplar value 'oops'"), e.getMessage());
    }

    @Test
    void exemplarWithoutLabelBracesIsRejected() {
        ExpositionParseException e =
                assertThrows(ExpositionParseException.class, () -> om("a_total 1 # trace 1\n# EOF\n"));
        assertTrue(e.getMessage().startsWith("line 1: invalid exemplar: expected '{'"), e.getMessage());
    }

    @Test
    void textAfterAnOpenMetricsTimestampThatIsNotAnExemplarIsRejected() {
        ExpositionParseException e = assertThrows(ExpositionParseException.class, () -> om("a 1 2 3\n# EOF\n"));
        assertEquals("line 1: unexpected text '3' after the timestamp in 'a 1 2 3'", e.getMessage());
    }

    @Test
    void untypedIsNotAnOpenMetricsType() {
        ExpositionParseException e =
                assertThrows(ExpositionParseException.class, () -> om("# TYPE a untyped\n# EOF\n"));
        assertTrue(e.getMessage().contains("unknown metric type 'untyped'"), e.getMessage());
    }

    @Test
    void unitLinesAreAccepted() throws Exception {
        assertEquals(
                List.of("temp_celsius{} 21.5"),
                om("# TYPE temp_celsius gauge\n# UNIT temp_celsius celsius\n"
                        + "# HELP temp_celsius Temperature.\ntemp_celsius 21.5\n# EOF\n"));
    }

    @Test
    void createdAndTotalSamplesAreOrdinarySamples() throws Exception {
        assertEquals(
                List.of("req_total{} 5.0", "req_created{} 1.520879607789E9"),
                om("# TYPE req counter\nreq_total 5\nreq_created 1520879607.789\n# EOF\n"));
    }

    @Test
    void acceptsEveryOpenMetricsType() throws Exception {
        assertEquals(
                List.of(),
                om("# TYPE a counter\n# TYPE b gauge\n# TYPE c histogram\n"
                        + "# TYPE d gaugehistogram\n# TYPE e stateset\n# TYPE f info\n# TYPE g summary\n"
                        + "# TYPE h unknown\n# EOF\n"));
    }

    @Test
    void stateSetAndInfoSamplesAreOrdinarySamples() throws Exception {
        assertEquals(
                List.of("door{door=\"open\"} 1.0", "build_info{version=\"1.2\"} 1.0"),
                om("# TYPE door stateset\ndoor{door=\"open\"} 1\n# TYPE build info\n"
                        + "build_info{version=\"1.2\"} 1\n# EOF\n"));
    }

    @Test
    void labelValuesUnescapeLikeText() throws Exception {
        Recorder r = Recorder.parse("a{x=\"q\\\"\\\\\\n\\z\"} 1\n# EOF\n", ExpositionFormat.OPENMETRICS);
        assertEquals("q\"\\\n\\z", r.labelCopies.get(0)[1]);
    }

    @Test
    void crlfIsTolerated() throws Exception {
        assertEquals(List.of("a{} 1.0 @2000"), om("a 1 2\r\n# EOF\r\n"));
    }
}
