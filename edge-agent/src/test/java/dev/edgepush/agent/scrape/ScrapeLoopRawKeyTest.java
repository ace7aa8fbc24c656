package dev.edgepush.agent.scrape;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.agent.AgentMetrics;
import dev.edgepush.compat.RelabelConfigReader;
import dev.edgepush.compat.Relabeler;
import dev.edgepush.compat.ScrapeAuth;
import dev.edgepush.compat.TlsConfig;
import dev.edgepush.forward.buffer.SampleAppender;
import dev.edgepush.proto.rw1.RemoteWrite;
import dev.edgepush.proto.text.ExpositionFormat;
import dev.edgepush.proto.text.ExpositionParseException;
import dev.edgepush.proto.text.ExpositionParser;
import dev.edgepush.proto.text.SeriesKeySink;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The raw-key series cache against the full path, through {@link ScrapeLoop#finish} (no network):
 * two loops of the same target scrape the same expositions, written as templates. The hit loop
 * gets each template with {@code $} and {@code @} removed, so from its second scrape on a series
 * it saw is found by its raw key. The miss loop gets the series spelled differently every scrape
 * ({@code $} becomes {@code {} + n spaces + {@code }}, {@code @} n spaces, n the scrape number),
 * so it never finds a key and parses, decodes and relabels every line. Every scrape must append
 * byte-identical WriteRequests and end with the same status.
 */
class ScrapeLoopRawKeyTest {
    static final String TEXT = "text/plain; version=0.0.4";
    static final String OM = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    /** Appends into a list, one WriteRequest per scrape. */
    static final class Captured implements SampleAppender {
        final List<byte[]> requests = new ArrayList<>();

        @Override
        public long append(byte[] writeRequest, int length, int sampleCount, long timestampMs) {
            requests.add(java.util.Arrays.copyOf(writeRequest, length));
            return 0;
        }
    }

    static ScrapeTarget target(
            boolean honorLabels, boolean honorTimestamps, Relabeler relabeler, int sampleLimit, int labelLimit) {
        return new ScrapeTarget(
                "j",
                "h:1",
                URI.create("http://h:1/metrics"),
                Duration.ofSeconds(1),
                Duration.ofSeconds(1),
                honorLabels,
                honorTimestamps,
                new TreeMap<>(Map.of("job", "j", "instance", "h:1")),
                relabeler,
                ScrapeAuth.NONE,
                TlsConfig.DEFAULT,
                sampleLimit,
                labelLimit);
    }

    static ScrapeTarget target() {
        return target(false, true, Relabeler.EMPTY, 0, 0);
    }

    static ScrapeLoop loop(ScrapeTarget t, Captured out) {
        // Nothing is connected before a fetch, and finish is called directly.
        return new ScrapeLoop(
                t,
                new HttpScraper(null, 1 << 20, "test"),
                out,
                new AgentMetrics(() -> 0L),
                () -> 0L,
                null,
                new TreeMap<>(Map.of("site", "lab")),
                Map.of("fleet", "f1"));
    }

    static String spelled(String template, int n) {
        return template.replace("$", n == 0 ? "" : "{" + " ".repeat(n) + "}").replace("@", " ".repeat(n));
    }

    /** The keys a scrape of body leaves marked as seen: those of the lines before an error. */
    static Set<String> keys(String body, String contentType) {
        Set<String> keys = new HashSet<>();
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        try {
            new ExpositionParser()
                    .parse(b, 0, b.length, ExpositionFormat.fromContentType(contentType), new SeriesKeySink<Object>() {
                        @Override
                        public Object find(byte[] bytes, int off, int len, int hash) {
                            return null;
                        }

                        @Override
                        public void sample(Object series, double value, long timestampMs) {
                            throw new AssertionError();
                        }

                        @Override
                        public void sample(
                                byte[] bytes,
                                int keyOff,
                                int keyLen,
                                int keyHash,
                                String metricName,
                                String[] labels,
                                int labelPairs,
                                double value,
                                long timestampMs) {
                            keys.add(new String(bytes, keyOff, keyLen, StandardCharsets.ISO_8859_1));
                        }
                    });
        } catch (ExpositionParseException e) {
            // the lines before it count
        }
        return keys;
    }

    /** What each scrape wrote and its error, for the hit loop. */
    record Result(List<byte[]> requests, List<String> errors) {}

    /**
     * Scrapes the templates in order (a null template is an HTTP 500) with both loops, checks that
     * both append the same bytes and end with the same status, and that after two good scrapes
     * each loop's cache holds exactly the keys of both (a miss for a key the hit loop has would add
     * a second entry; a key the miss loop found would be one entry short).
     */
    static Result assertSameWrites(ScrapeTarget t, String contentType, String... templates) {
        Captured hitOut = new Captured();
        Captured missOut = new Captured();
        ScrapeLoop hits = loop(t, hitOut);
        ScrapeLoop misses = loop(t, missOut);
        List<String> errors = new ArrayList<>();
        Set<String> previousKeys = Set.of();
        Set<String> previousMissKeys = Set.of();
        boolean previousUp = true;
        for (int i = 0; i < templates.length; i++) {
            String what = "scrape " + (i + 1) + " of " + java.util.Arrays.asList(templates);
            long ts = 10_000L * (i + 1);
            if (templates[i] == null) {
                hits.finish(ts, 0.25, 500, contentType, new byte[0], 0, null);
                misses.finish(ts, 0.25, 500, contentType, new byte[0], 0, null);
                previousKeys = Set.of();
                previousMissKeys = Set.of();
            } else {
                String body = spelled(templates[i], 0);
                String missBody = spelled(templates[i], i + 1);
                byte[] b = body.getBytes(StandardCharsets.UTF_8);
                byte[] mb = missBody.getBytes(StandardCharsets.UTF_8);
                hits.finish(ts, 0.25, 200, contentType, b, b.length, null);
                misses.finish(ts, 0.25, 200, contentType, mb, mb.length, null);
                Set<String> keys = keys(body, contentType);
                Set<String> missKeys = keys(missBody, contentType);
                Set<String> expected = new HashSet<>(keys);
                expected.addAll(previousKeys);
                Set<String> expectedMisses = new HashSet<>(missKeys);
                expectedMisses.addAll(previousMissKeys);
                if (hits.status().up() && previousUp) {
                    assertEquals(
                            expected.size(), hits.seriesEncoder().cachedKeys(), what + ": cached keys " + expected);
                    assertEquals(expectedMisses.size(), misses.seriesEncoder().cachedKeys(), what + ": miss loop keys");
                } else {
                    // a failed scrape can make the sweep forget more (the keys of series it forgets)
                    assertTrue(
                            hits.seriesEncoder().cachedKeys() <= expected.size(), what + ": cached keys " + expected);
                }
                previousKeys = keys;
                previousMissKeys = missKeys;
            }
            previousUp = hits.status().up();
            assertArrayEquals(
                    missOut.requests.get(i),
                    hitOut.requests.get(i),
                    what + ": " + decode(hitOut.requests.get(i)) + "\ninstead of " + decode(missOut.requests.get(i)));
            assertEquals(misses.status().up(), hits.status().up(), what);
            String hitError = hits.status().lastError();
            errors.add(hits.status().up() ? null : hitError);
            if (hitError.contains("malformed exposition")) {
                // the miss loop's message quotes its own spelling of the line
                assertTrue(misses.status().lastError().contains("malformed exposition"), what);
            } else {
                assertEquals(misses.status().lastError(), hitError, what);
            }
        }
        return new Result(hitOut.requests, errors);
    }

    static List<String> decode(byte[] request) {
        try {
            List<String> out = new ArrayList<>();
            for (RemoteWrite.TimeSeries ts :
                    RemoteWrite.WriteRequest.parseFrom(request).getTimeseriesList()) {
                StringBuilder sb = new StringBuilder();
                ts.getLabelsList()
                        .forEach(l -> sb.append(l.getName())
                                .append('=')
                                .append(l.getValue())
                                .append(','));
                RemoteWrite.Sample s = ts.getSamples(0);
                long bits = Double.doubleToRawLongBits(s.getValue());
                sb.append(' ')
                        .append(bits == 0x7ff0000000000002L ? "STALE" : Double.toString(s.getValue()))
                        .append(" @")
                        .append(s.getTimestamp());
                out.add(sb.toString());
            }
            return out;
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    /** The decoded series of request whose name is name. */
    static List<String> named(byte[] request, String name) {
        return decode(request).stream()
                .filter(s -> s.startsWith("__name__=" + name + ","))
                .toList();
    }

    @Test
    void seriesAppearingAndDisappearingWithAndWithoutTimestamps() {
        String[] scrapes = {
            "a$ 1\nb{@x=\"1\"} 2 1000\nc{@x=\"2\",y=\"3\"} 3\n",
            "a$ 1\nb{@x=\"1\"} 2 2000\nd$ 4\n", // c goes stale, d is new
            "a$ 1\nc{@x=\"2\",y=\"3\"} 3\nd$ 4 3000\n", // b goes stale, c is back
            "",
            "\n# HELP a x\n",
            "a$ 1\nb{@x=\"1\"} 2 1000\nc{@x=\"2\",y=\"3\"} 3\n", // all back after being forgotten
            null, // HTTP 500: all stale
            "a$ 1\nb{@x=\"1\"} 2 1000\nc{@x=\"2\",y=\"3\"} 3\n",
        };
        Result r = assertSameWrites(target(false, true, Relabeler.EMPTY, 0, 0), TEXT, scrapes);
        assertSameWrites(target(false, false, Relabeler.EMPTY, 0, 0), TEXT, scrapes);
        assertEquals(
                List.of("__name__=b,fleet=f1,instance=h:1,job=j,site=lab,x=1, 2.0 @2000"),
                named(r.requests().get(1), "b"),
                "honor_timestamps: the exposed timestamp, on a hit too");
        assertEquals(
                List.of("__name__=c,fleet=f1,instance=h:1,job=j,site=lab,x=2,y=3, STALE @20000"),
                named(r.requests().get(1), "c"));
        assertEquals(
                List.of("__name__=scrape_series_added,fleet=f1,instance=h:1,job=j,site=lab, 1.0 @20000"),
                named(r.requests().get(1), "scrape_series_added"));
    }

    @Test
    void duplicateSeriesInOneScrapeAreWrittenOnceFirstWins() {
        assertSameWrites(
                target(),
                TEXT,
                "a$ 1\na$ 2\nb{@x=\"1\"} 3\nb{@x=\"1\"} 4\n",
                "a$ 5\na$ 6\nb{@x=\"1\"} 7\n",
                "b{@x=\"1\"} 8\na$ 9\nb{@x=\"1\"} 10\n");
    }

    @Test
    void twoSpellingsOfOneSeriesAreOneSeriesAndNeitherMakesItStale() {
        // \\z and \z are the same value; so are a trailing comma, a space and another label order.
        Result r = assertSameWrites(
                target(),
                TEXT,
                "m{@a=\"\\\\z\"} 1\nm{@a=\"\\z\"} 2\nn{@a=\"1\",b=\"2\"} 3\n",
                "m{@a=\"\\z\"} 4\nn {@b=\"2\",a=\"1\",} 5\n",
                "m{@a=\"\\\\z\"} 6\nn{@a=\"1\",b=\"2\"} 7\n",
                "m{@a=\"\\z\"} 8\nn{@b=\"2\",a=\"1\"} 9\nm{@a=\"\\\\z\"} 10\n",
                "");
        List<String> first = named(r.requests().get(0), "m");
        assertEquals(
                List.of("__name__=m,a=\\z,fleet=f1,instance=h:1,job=j,site=lab, 1.0 @10000"),
                first,
                "the first spelling wins");
        for (int i = 1; i <= 3; i++) {
            byte[] req = r.requests().get(i);
            assertEquals(1, named(req, "m").size(), "scrape " + (i + 1));
            assertFalse(named(req, "m").get(0).contains("STALE"), "scrape " + (i + 1));
            assertEquals(1, named(req, "n").size(), "scrape " + (i + 1));
            assertFalse(named(req, "n").get(0).contains("STALE"), "scrape " + (i + 1));
            assertTrue(named(req, "scrape_series_added").get(0).contains(" 0.0 @"), "scrape " + (i + 1));
        }
        assertTrue(named(r.requests().get(4), "m").get(0).contains("STALE"));
    }

    @Test
    void relabelDropsAndMergesStayAsTheyWere() throws Exception {
        Relabeler r = RelabelConfigReader.parse("""
        - action: drop
          source_labels: [__name__]
          regex: 'go_.*'
        - action: labeldrop
          regex: x
        - source_labels: [__name__]
          regex: 'old'
          target_label: __name__
          replacement: new
        """, "test.yml");
        Result res = assertSameWrites(
                target(false, true, r, 0, 0),
                TEXT,
                "go_a$ 1\nm{@x=\"1\"} 1\nm{@x=\"2\"} 2\nkeep$ 3\nold{@y=\"1\"} 4\n",
                "go_a$ 1\nm{@x=\"2\"} 2\nkeep$ 3\nnew{@y=\"1\"} 5\nold{@y=\"1\"} 6\n",
                "m{@x=\"1\"} 5\ngo_b$ 6\n",
                "go_a$ 1\n",
                "m{@x=\"3\"} 5\nold{@y=\"1\"} 7\n");
        assertTrue(named(res.requests().get(0), "go_a").isEmpty());
        assertEquals(1, named(res.requests().get(0), "m").size());
    }

    @Test
    void exportedLabelsAndHonorLabels() {
        String[] scrapes = {
            "m{@job=\"inner\",instance=\"i\"} 1\nm{@exported_job=\"e\",job=\"x\"} 2\n",
            "m{@job=\"inner\",instance=\"i\"} 3\nm{@exported_job=\"e\",job=\"x\"} 4\n",
        };
        assertSameWrites(target(false, true, Relabeler.EMPTY, 0, 0), TEXT, scrapes);
        assertSameWrites(target(true, true, Relabeler.EMPTY, 0, 0), TEXT, scrapes);
    }

    @Test
    void labelLimitFailsTheScrapeOnEveryScrapeOfTheSeries() {
        // __name__, job, instance and x are 4 labels (site and fleet do not count)
        Result r = assertSameWrites(
                target(false, true, Relabeler.EMPTY, 0, 3),
                TEXT,
                "ok$ 1\n",
                "ok$ 1\nwide{@x=\"1\"} 2\n",
                "ok$ 1\nwide{@x=\"1\"} 2\n",
                "ok$ 1\nalso_ok{} 1\n",
                "ok$ 1\nwide{@x=\"1\"} 2\n");
        String error = "label_limit exceeded (metric: wide, number of labels: 4, limit: 3) in the response"
                + " from http://h:1/metrics";
        assertEquals(java.util.Arrays.asList(null, error, error, null, error), r.errors());
    }

    @Test
    void sampleLimit() {
        assertSameWrites(
                target(false, true, Relabeler.EMPTY, 2, 0), TEXT, "a$ 1\nb$ 2\n", "a$ 1\nb$ 2\nc$ 3\n", "a$ 1\nb$ 2\n");
    }

    @Test
    void aMalformedLineOfAKnownSeriesFailsTheScrapeAsBefore() {
        Result r = assertSameWrites(
                target(),
                TEXT,
                "a$ 1\nb{@x=\"1\"} 2\nc$ 3\n",
                "a$ 1\nb{@x=\"1\"} 2x\nc$ 3\n",
                "a$ 1\nb{@x=\"1\"} 2\nc$ 3\n",
                "a$ 1\nb{@x=\"1\"} 2 3 4\n",
                "a$ 1\nb{@x=\"1\"}\n",
                "a$ 1\nb{@x=\"1\"} 2 1.5\n",
                "a$ 1\nb{@x=\"1\"} 2\nc$ 3\n");
        String url = "malformed exposition from http://h:1/metrics: ";
        assertEquals(
                url + "line 2: invalid value '2x' in 'b{x=\"1\"} 2x'",
                r.errors().get(1));
        assertNull(r.errors().get(2));
        assertEquals(
                url + "line 2: unexpected text '4' after the timestamp in 'b{x=\"1\"} 2 3 4'",
                r.errors().get(3));
        assertEquals(url + "line 2: missing value in 'b{x=\"1\"}'", r.errors().get(4));
        assertEquals(
                url + "line 2: invalid timestamp '1.5' in 'b{x=\"1\"} 2 1.5'",
                r.errors().get(5));
    }

    @Test
    void aKnownNameFollowedByJunkIsStillAnInvalidName() {
        Result r = assertSameWrites(target(), TEXT, "a$ 1\n", "a=1 1\n", "a$ 1\n", "a{@x=\"1\"}y 2\n");
        assertEquals(
                "malformed exposition from http://h:1/metrics: line 1: invalid metric name 'a=1' in 'a=1 1'",
                r.errors().get(1));
        assertEquals(
                "malformed exposition from http://h:1/metrics: line 1: invalid value 'y' in 'a{x=\"1\"}y 2'",
                r.errors().get(3));
    }

    @Test
    void openMetricsExemplarsCreatedAndTimestampsInSeconds() {
        Result r = assertSameWrites(
                target(),
                OM,
                "# TYPE req counter\nreq_total{@path=\"/\"} 5 # {trace_id=\"abc\"} 1 1.5\n"
                        + "req_created{@path=\"/\"} 1.7e9\n# EOF\n",
                "# TYPE req counter\nreq_total{@path=\"/\"} 6 1700000001.5 # {trace_id=\"def\"} 1\n"
                        + "req_created{@path=\"/\"} 1.7e9\n# EOF\n",
                "req_total{@path=\"/\"} 7 # {trace_id=\"x\" 1\n# EOF\n", // bad exemplar
                "req_total{@path=\"/\"} 8 # {trace_id=\"x\"} 1\n", // no # EOF
                "req_total{@path=\"/\"} 9 # {trace_id=\"x\"} 1\n# EOF\n",
                "req_total{@path=\"/\"} 10\n# EOF\nreq_total{@path=\"/\"} 11\n"); // after # EOF
        assertEquals(
                List.of("__name__=req_total,fleet=f1,instance=h:1,job=j,path=/,site=lab, 6.0 @1700000001500"),
                named(r.requests().get(1), "req_total"));
        assertTrue(
                r.errors()
                        .get(2)
                        .endsWith("line 1: invalid exemplar: missing closing '}' in "
                                + "'req_total{path=\"/\"} 7 # {trace_id=\"x\" 1'"),
                r.errors().get(2));
        assertTrue(r.errors().get(3).contains("missing # EOF"), r.errors().get(3));
        assertNull(r.errors().get(4));
        assertTrue(
                r.errors().get(5).contains("unexpected content after # EOF"),
                r.errors().get(5));
    }

    @Test
    void quotedNamesAndPrometheus3Style() {
        assertSameWrites(
                target(),
                TEXT,
                "\"my.metric\"$ 1\n{\"other.metric\",@\"a.b\"=\"v\"} 2\n\"third\"{@x=\"1\"} 3\n",
                "\"my.metric\"$ 1\n{\"other.metric\",@\"a.b\"=\"v\"} 2\n\"third\"{@x=\"1\"} 3\n",
                "\"my.metric\"x 1\n");
    }
}
