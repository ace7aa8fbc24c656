package dev.edgepush.proto.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Malformed input: every error names the 1-based line, the problem and the offending text. */
class ExpositionParserErrorTest {

    private static String error(String body) {
        return assertThrows(ExpositionParseException.class, () -> Recorder.text(body))
                .getMessage();
    }

    @Test
    void missingValueIsRejected() {
        assertEquals("line 2: missing value in 'b{x=\"1\"}'", error("a 1\nb{x=\"1\"}\n"));
        assertEquals("line 1: missing value in 'a'", error("a\n"));
    }

    @Test
    void badFloatIsRejected() {
        assertEquals("line 1: invalid value '1.2.3' in 'a 1.2.3'", error("a 1.2.3\n"));
    }

    @Test
    void javaOnlyFloatSyntaxIsRejected() {
        assertTrue(error("a 1d\n").contains("invalid value '1d'"));
        assertTrue(error("a 0x1.8\n").contains("invalid value '0x1.8'"));
        assertTrue(error("a Infinit\n").contains("invalid value 'Infinit'"));
        assertTrue(error("a +NaN\n").contains("invalid value '+NaN'"));
    }

    @Test
    void outOfRangeValueIsRejected() {
        assertEquals("line 1: invalid value '1e400' in 'a 1e400'", error("a 1e400\n"));
    }

    @Test
    void badTimestampIsRejected() {
        assertEquals("line 1: invalid timestamp '12.5' in 'a 1 12.5'", error("a 1 12.5\n"));
        assertTrue(error("a 1 x\n").contains("invalid timestamp 'x'"));
    }

    @Test
    void timestampBeyondInt64IsRejected() {
        assertTrue(error("a 1 9223372036854775808\n").contains("invalid timestamp"));
    }

    @Test
    void textAfterTimestampIsRejected() {
        assertEquals("line 1: unexpected text 'extra' after the timestamp in 'a 1 2 extra'", error("a 1 2 extra\n"));
    }

    @Test
    void unterminatedLabelValueIsRejected() {
        assertEquals("line 1: unterminated label value in 'a{x=\"1} 2'", error("a{x=\"1} 2\n"));
    }

    @Test
    void labelValueEndingInBackslashIsUnterminated() {
        assertTrue(error("a{x=\"1\\\"} 2\n").startsWith("line 1: unterminated label value"));
    }

    @Test
    void invalidMetricNameIsRejected() {
        assertEquals("line 1: invalid metric name 'foo-bar' in 'foo-bar 1'", error("foo-bar 1\n"));
        assertEquals("line 1: invalid metric name '1foo' in '1foo{a=\"b\"} 1'", error("1foo{a=\"b\"} 1\n"));
    }

    @Test
    void missingMetricNameIsRejected() {
        assertEquals("line 1: missing metric name in '{a=\"b\"} 1'", error("{a=\"b\"} 1\n"));
    }

    @Test
    void metricNameGivenTwiceIsRejected() {
        assertTrue(error("a{\"b\"} 1\n").contains("metric name given twice"));
    }

    @Test
    void invalidLabelNameIsRejected() {
        assertEquals(
                "line 12: invalid label name 'ro bot' in 'foo{ro bot=\"1\"} 3'",
                error("a 1\n".repeat(11) + "foo{ro bot=\"1\"} 3\n"));
        assertTrue(error("foo{1a=\"1\"} 3\n").contains("invalid label name '1a'"));
        assertTrue(error("foo{a.b=\"1\"} 3\n").contains("invalid label name 'a.b'"));
    }

    @Test
    void missingEqualsIsRejected() {
        assertEquals("line 1: missing '=' after label name 'a' in 'foo{a\"1\"} 3'", error("foo{a\"1\"} 3\n"));
        assertTrue(error("foo{\"a.b\" : \"1\"} 3\n").contains("missing '=' after label name 'a.b'"));
    }

    @Test
    void unquotedLabelValueIsRejected() {
        assertTrue(error("foo{a=1} 3\n").contains("missing opening '\"' for the value of label 'a'"));
    }

    @Test
    void missingClosingBraceIsRejected() {
        assertEquals("line 1: missing closing '}' in 'foo{a=\"1\"'", error("foo{a=\"1\"\n"));
        assertEquals("line 1: missing closing '}' in 'foo{a=\"1\",'", error("foo{a=\"1\",\n"));
        assertTrue(error("foo{a=\"1\" 3\n").contains("missing ',' or closing '}'"));
    }

    @Test
    void duplicateLabelIsRejected() {
        assertEquals(
                "line 1: duplicate label name 'a' in 'foo{a=\"1\",b=\"2\",a=\"3\"} 3'",
                error("foo{a=\"1\",b=\"2\",a=\"3\"} 3\n"));
    }

    @Test
    void duplicateQuotedAndBareLabelIsRejected() {
        assertTrue(error("foo{a=\"1\",\"a\"=\"2\"} 3\n").contains("duplicate label name 'a'"));
    }

    @Test
    void unknownTypeIsRejected() {
        assertEquals("line 1: unknown metric type 'countr' in '# TYPE a countr'", error("# TYPE a countr\n"));
        assertTrue(error("# TYPE a unknown\n").contains("unknown metric type 'unknown'"));
    }

    @Test
    void typeOrHelpWithoutValidNameIsRejected() {
        assertTrue(error("# TYPE\n").contains("missing metric name in # TYPE"));
        assertTrue(error("# HELP a-b help\n").contains("invalid metric name 'a-b' in # HELP"));
        assertTrue(error("# TYPE a\n").contains("missing metric type"));
    }

    @Test
    void longLinesAreTruncatedInMessages() {
        String longName = "m".repeat(200);
        String msg = error(longName + "{a=b} 1\n");
        assertTrue(msg.length() < 200, msg);
        assertTrue(msg.endsWith("...'"), msg);
    }

    @Test
    void errorReportsTheLineItWasFoundOnCountingCrlfLines() {
        ExpositionParseException e = assertThrows(
                ExpositionParseException.class, () -> Recorder.text("# HELP a x\r\na 1\r\n\r\na{b} 2\r\n"));
        assertEquals(4, e.line());
        assertEquals("line 4: missing '=' after label name 'b' in 'a{b} 2'", e.getMessage());
    }

    @Test
    void samplesBeforeTheErrorWereDeliveredButTheParseStillFails() {
        Recorder r = new Recorder();
        byte[] body = "a 1\nb 2\nc oops\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThrows(
                ExpositionParseException.class,
                () -> new ExpositionParser().parse(body, 0, body.length, ExpositionFormat.PROMETHEUS_TEXT, r));
        assertEquals(2, r.lines.size());
    }
}
