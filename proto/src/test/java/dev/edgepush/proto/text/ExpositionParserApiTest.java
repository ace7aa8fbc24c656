package dev.edgepush.proto.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The public contract: format detection, offsets, return value, reuse and caching. */
class ExpositionParserApiTest {

    @Test
    void openMetricsContentTypeSelectsOpenMetrics() {
        assertEquals(
                ExpositionFormat.OPENMETRICS,
                ExpositionFormat.fromContentType("application/openmetrics-text; version=1.0.0; charset=utf-8"));
        assertEquals(ExpositionFormat.OPENMETRICS, ExpositionFormat.fromContentType("Application/OpenMetrics-Text"));
    }

    @Test
    void anyOtherContentTypeSelectsPrometheusText() {
        assertEquals(ExpositionFormat.PROMETHEUS_TEXT, ExpositionFormat.fromContentType(null));
        assertEquals(ExpositionFormat.PROMETHEUS_TEXT, ExpositionFormat.fromContentType(""));
        assertEquals(
                ExpositionFormat.PROMETHEUS_TEXT,
                ExpositionFormat.fromContentType("text/plain; version=0.0.4; charset=utf-8"));
        assertEquals(
                ExpositionFormat.PROMETHEUS_TEXT, ExpositionFormat.fromContentType("application/openmetrics-textual"));
    }

    @Test
    void parsesOnlyTheGivenSliceOfTheArray() throws Exception {
        byte[] body = "XXXa 1\nb 2\nYYY".getBytes(StandardCharsets.UTF_8);
        Recorder r = new Recorder();
        int n = new ExpositionParser().parse(body, 3, 8, ExpositionFormat.PROMETHEUS_TEXT, r);
        assertEquals(2, n);
        assertEquals(List.of("a{} 1.0", "b{} 2.0"), r.lines);
    }

    @Test
    void rejectsASliceOutsideTheArray() {
        byte[] body = new byte[4];
        assertThrows(
                IndexOutOfBoundsException.class,
                () -> new ExpositionParser().parse(body, 2, 3, ExpositionFormat.PROMETHEUS_TEXT, new Recorder()));
    }

    @Test
    void returnsTheNumberOfSamples() throws Exception {
        byte[] body = "# HELP a x\na 1\n\nb{c=\"d\"} 2\nc 3 4\n".getBytes(StandardCharsets.UTF_8);
        assertEquals(
                3,
                new ExpositionParser().parse(body, 0, body.length, ExpositionFormat.PROMETHEUS_TEXT, new Recorder()));
    }

    @Test
    void labelArrayIsReusedSoSinksMustCopy() throws Exception {
        byte[] body = "a{x=\"1\"} 1\nb{y=\"2\"} 2\n".getBytes(StandardCharsets.UTF_8);
        List<String[]> arrays = new ArrayList<>();
        new ExpositionParser()
                .parse(
                        body,
                        0,
                        body.length,
                        ExpositionFormat.PROMETHEUS_TEXT,
                        (name, labels, pairs, value, ts) -> arrays.add(labels));
        assertSame(arrays.get(0), arrays.get(1));
    }

    @Test
    void oneParserCanBeReusedAcrossFormatsAndAfterErrors() throws Exception {
        ExpositionParser parser = new ExpositionParser();
        byte[] bad = "a{x=\"1\" 1\n".getBytes(StandardCharsets.UTF_8);
        byte[] om = "a 1 1.5\n# EOF\n".getBytes(StandardCharsets.UTF_8);
        byte[] text = "a{x=\"1\"} 1 1500\n".getBytes(StandardCharsets.UTF_8);
        assertThrows(
                ExpositionParseException.class,
                () -> parser.parse(bad, 0, bad.length, ExpositionFormat.PROMETHEUS_TEXT, new Recorder()));
        Recorder r = new Recorder();
        parser.parse(om, 0, om.length, ExpositionFormat.OPENMETRICS, r);
        parser.parse(text, 0, text.length, ExpositionFormat.PROMETHEUS_TEXT, r);
        assertEquals(List.of("a{} 1.0 @1500", "a{x=\"1\"} 1.0 @1500"), r.lines);
    }

    @Test
    void repeatedScrapesReuseCachedNameAndValueStrings() throws Exception {
        ExpositionParser parser = new ExpositionParser();
        byte[] body = "cpu_seconds_total{core=\"0\",mode=\"idle\"} 1\n".getBytes(StandardCharsets.UTF_8);
        Recorder first = new Recorder();
        Recorder second = new Recorder();
        parser.parse(body, 0, body.length, ExpositionFormat.PROMETHEUS_TEXT, first);
        parser.parse(body.clone(), 0, body.length, ExpositionFormat.PROMETHEUS_TEXT, second);
        assertSame(first.names.get(0), second.names.get(0));
        for (int i = 0; i < 4; i++) {
            assertSame(first.labelCopies.get(0)[i], second.labelCopies.get(0)[i]);
        }
    }

    @Test
    void stringCacheStaysBoundedUnderHighCardinality() {
        StringCache cache = new StringCache(64, 16);
        for (int i = 0; i < 1000; i++) {
            byte[] key = ("v" + i).getBytes(StandardCharsets.UTF_8);
            assertEquals("v" + i, cache.get(key, 0, key.length));
        }
        assertEquals(true, cache.size() <= 32);
        byte[] big = "x".repeat(17).getBytes(StandardCharsets.UTF_8);
        assertEquals("x".repeat(17), cache.get(big, 0, big.length));
    }

    @Test
    void sinkExceptionsPropagateUnchanged() {
        byte[] body = "a 1\n".getBytes(StandardCharsets.UTF_8);
        IllegalStateException boom = new IllegalStateException("full");
        IllegalStateException thrown = assertThrows(
                IllegalStateException.class,
                () -> new ExpositionParser()
                        .parse(body, 0, body.length, ExpositionFormat.PROMETHEUS_TEXT, (n, l, p, v, t) -> {
                            throw boom;
                        }));
        assertSame(boom, thrown);
    }
}
