package dev.edgepush.proto.text;

import static dev.edgepush.proto.text.Recorder.text;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Prometheus text format 0.0.4: what is accepted and what comes out. */
class ExpositionParserTextTest {

    @Test
    void emitsSamplesInOrderWithLabelsInExpositionOrder() throws Exception {
        assertEquals(
                List.of(
                        "up{} 1.0",
                        "http_requests{path=\"/a\",code=\"200\"} 3.0",
                        "http_requests{code=\"500\",path=\"/b\"} 4.0"),
                text("up 1\nhttp_requests{path=\"/a\",code=\"200\"} 3\n"
                        + "http_requests{code=\"500\",path=\"/b\"} 4\n"));
    }

    @Test
    void helpTypeAndOtherCommentLinesProduceNoSamples() throws Exception {
        assertEquals(
                List.of("a{} 1.0"),
                text("# HELP a The a.\n# TYPE a counter\n"
                        + "# just a comment\n#no space comment\n#\n   # indented comment\na 1\n"));
    }

    @Test
    void helpTextMayContainEscapesAndAnyUtf8() throws Exception {
        assertEquals(List.of("a{} 1.0"), text("# HELP a Line one\\nline two \\\\ back \\x odd \"quoted\" ✓\na 1\n"));
    }

    @Test
    void acceptsEveryTextMetricType() throws Exception {
        assertEquals(
                List.of(),
                text("# TYPE a counter\n# TYPE b gauge\n# TYPE c histogram\n"
                        + "# TYPE d summary\n# TYPE e untyped\n# TYPE f\tgauge  \n"));
    }

    @Test
    void blankAndWhitespaceOnlyLinesAreSkipped() throws Exception {
        assertEquals(List.of("a{} 1.0", "b{} 2.0"), text("\n\na 1\n   \n\t\nb 2\n\n"));
    }

    @Test
    void crlfLineEndingsAreAccepted() throws Exception {
        assertEquals(
                List.of("a{x=\"1\"} 1.0 @5", "b{} 2.0"),
                text("# HELP a help\r\n# TYPE a gauge\r\na{x=\"1\"} 1 5\r\nb 2\r\n"));
    }

    @Test
    void lastLineMayLackNewline() throws Exception {
        assertEquals(List.of("a{} 1.0", "b{} 2.0 @7"), text("a 1\nb 2 7"));
    }

    @Test
    void emptyBodyHasNoSamples() throws Exception {
        assertEquals(List.of(), text(""));
    }

    @Test
    void spacesAndTabsMaySeparateAllParts() throws Exception {
        assertEquals(
                List.of("a{x=\"1\",y=\"2\"} 1.5 @99", "b{} 2.0"),
                text("  a { x = \"1\" ,\ty=\"2\" }\t 1.5 \t 99  \nb\t2\n"));
    }

    @Test
    void labelsMayFollowBracesWithoutSpaceBeforeTheValue() throws Exception {
        assertEquals(List.of("a{x=\"1\"} 2.0"), text("a{x=\"1\"}2\n"));
    }

    @Test
    void trailingCommaInsideBracesIsAllowed() throws Exception {
        assertEquals(List.of("a{x=\"1\",y=\"2\"} 1.0"), text("a{x=\"1\",y=\"2\",} 1\n"));
    }

    @Test
    void emptyBracesAreAllowed() throws Exception {
        assertEquals(List.of("a{} 1.0"), text("a{} 1\n"));
    }

    @Test
    void labelValueEscapesAreUnescaped() throws Exception {
        Recorder r =
                Recorder.parse("a{x=\"back\\\\slash \\\"q\\\" new\\nline\"} 1\n", ExpositionFormat.PROMETHEUS_TEXT);
        assertEquals("back\\slash \"q\" new\nline", r.labelCopies.get(0)[1]);
    }

    @Test
    void unknownBackslashSequencesAreKeptVerbatim() throws Exception {
        Recorder r = Recorder.parse("a{x=\"c:\\x\\temp\\u00e9\"} 1\n", ExpositionFormat.PROMETHEUS_TEXT);
        assertEquals("c:\\x\\temp\\u00e9", r.labelCopies.get(0)[1]);
    }

    @Test
    void labelValuesMayContainBracesCommasHashesAndEquals() throws Exception {
        Recorder r = Recorder.parse("a{x=\"{a=b, c} # 1\"} 1\n", ExpositionFormat.PROMETHEUS_TEXT);
        assertEquals("{a=b, c} # 1", r.labelCopies.get(0)[1]);
    }

    @Test
    void emptyLabelValuesArePassedThrough() throws Exception {
        assertEquals(List.of("a{x=\"\"} 1.0"), text("a{x=\"\"} 1\n"));
    }

    @Test
    void utf8LabelValuesDecode() throws Exception {
        Recorder r = Recorder.parse("robot_temp{zone=\"température ✓ 🤖\"} 21.5\n", ExpositionFormat.PROMETHEUS_TEXT);
        assertEquals("température ✓ 🤖", r.labelCopies.get(0)[1]);
    }

    @Test
    void invalidUtf8BecomesReplacementCharsInsteadOfFailing() throws Exception {
        byte[] body = "a{x=\"ab\u0000\"} 1\n".getBytes(StandardCharsets.UTF_8);
        body[7] = (byte) 0xC3; // lone lead byte, followed by '"'
        byte[] withBadHelp = ("# HELP a \u0000\n").getBytes(StandardCharsets.UTF_8);
        withBadHelp[9] = (byte) 0xFF;
        byte[] all = new byte[withBadHelp.length + body.length];
        System.arraycopy(withBadHelp, 0, all, 0, withBadHelp.length);
        System.arraycopy(body, 0, all, withBadHelp.length, body.length);
        Recorder r = new Recorder();
        new ExpositionParser().parse(all, 0, all.length, ExpositionFormat.PROMETHEUS_TEXT, r);
        assertEquals("ab\uFFFD", r.labelCopies.get(0)[1]);
    }

    @Test
    void metricAndLabelNamesMayUseColonsUnderscoresAndDigits() throws Exception {
        assertEquals(
                List.of("job:rate_5m:sum{_l0=\"v\",L_1=\"w\"} 1.0", "_x{} 2.0", ":y{} 3.0"),
                text("job:rate_5m:sum{_l0=\"v\",L_1=\"w\"} 1\n_x 2\n:y 3\n"));
    }

    @Test
    void histogramBucketSumAndCountAreOrdinarySamples() throws Exception {
        assertEquals(
                List.of(
                        "rpc_seconds_bucket{le=\"0.05\"} 24054.0",
                        "rpc_seconds_bucket{le=\"+Inf\"} 144320.0",
                        "rpc_seconds_sum{} 53423.0",
                        "rpc_seconds_count{} 144320.0"),
                text("# HELP rpc_seconds A histogram.\n# TYPE rpc_seconds histogram\n"
                        + "rpc_seconds_bucket{le=\"0.05\"} 24054\n"
                        + "rpc_seconds_bucket{le=\"+Inf\"} 144320\n"
                        + "rpc_seconds_sum 53423\nrpc_seconds_count 144320\n"));
    }

    @Test
    void summaryQuantilesAreOrdinarySamples() throws Exception {
        assertEquals(
                List.of(
                        "rpc_duration{quantile=\"0.5\"} 4773.0",
                        "rpc_duration{quantile=\"0.99\"} NaN",
                        "rpc_duration_sum{} 1.7560473E7",
                        "rpc_duration_count{} 2693.0"),
                text("# TYPE rpc_duration summary\nrpc_duration{quantile=\"0.5\"} 4773\n"
                        + "rpc_duration{quantile=\"0.99\"} NaN\nrpc_duration_sum 1.7560473e+07\n"
                        + "rpc_duration_count 2693\n"));
    }

    @Test
    void quotedMetricNameInsideBracesIsTheMetricName() throws Exception {
        assertEquals(List.of("my.metric{a.b=\"v\"} 1.0"), text("{\"my.metric\",\"a.b\"=\"v\"} 1\n"));
    }

    @Test
    void quotedMetricNameAloneInBracesNeedsNoLabels() throws Exception {
        assertEquals(List.of("my.metric{} 1.0"), text("{\"my.metric\"} 1\n"));
    }

    @Test
    void quotedMetricNameBeforeBracesIsTheMetricName() throws Exception {
        assertEquals(
                List.of("my.metric{a=\"b\"} 1.0", "other.one{} 2.0"),
                text("\"my.metric\"{a=\"b\"} 1\n\"other.one\" 2\n"));
    }

    @Test
    void quotedLabelNamesMayHoldAnyUtf8() throws Exception {
        assertEquals(List.of("m{a.b=\"v\",température=\"w\"} 1.0"), text("m{\"a.b\"=\"v\",\"température\"=\"w\"} 1\n"));
    }

    @Test
    void quotedNamesInHelpAndTypeAreAccepted() throws Exception {
        assertEquals(
                List.of("my.metric{} 1.0"),
                text("# HELP \"my.metric\" Help.\n# TYPE \"my.metric\" gauge\n{\"my.metric\"} 1\n"));
    }

    @Test
    void manyLabelsGrowTheLabelArray() throws Exception {
        StringBuilder sb = new StringBuilder("m{");
        for (int i = 0; i < 40; i++) {
            sb.append("l").append(i).append("=\"").append(i).append("\",");
        }
        Recorder r = Recorder.parse(sb.append("} 1\n").toString(), ExpositionFormat.PROMETHEUS_TEXT);
        assertEquals(80, r.labelCopies.get(0).length);
        assertEquals("l39", r.labelCopies.get(0)[78]);
        assertEquals("39", r.labelCopies.get(0)[79]);
    }

    @Test
    void longEscapedLabelValuesSurvive() throws Exception {
        String longValue = "x".repeat(5000);
        Recorder r = Recorder.parse("m{v=\"" + longValue + "\\n\"} 1\n", ExpositionFormat.PROMETHEUS_TEXT);
        assertEquals(longValue + "\n", r.labelCopies.get(0)[1]);
    }

    @Test
    void hashInsideTextSampleIsNotAnExemplar() {
        ExpositionParseException e = org.junit.jupiter.api.Assertions.assertThrows(
                ExpositionParseException.class, () -> text("a 1 # {x=\"y\"} 1\n"));
        assertEquals(1, e.line());
    }
}
