package dev.edgepush.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Starts simulators in-process on free ports and checks what a scraper would see. */
class SensorSimulatorTest {
    private static final String LABEL = "[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\.)*\"";
    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{" + LABEL + "(?:," + LABEL
            + ")*\\})? " + "(NaN|[+-]Inf|[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?)");
    private static final Pattern COMMENT = Pattern.compile("# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)");

    private final HttpClient client =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private List<SensorServer> servers = List.of();

    @AfterEach
    void stop() {
        servers.forEach(SensorServer::close);
    }

    private SensorServer startOne(int series) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
        servers = SensorSimulator.start(
                SensorSimulator.parseFlags(new String[] {"-listen=127.0.0.1:0", "-seed=42", "-series=" + series}, 0),
                out);
        SensorServer s = servers.get(0);
        assertEquals(
                "sensor-sim listening on http://127.0.0.1:" + s.port() + "/metrics\n",
                buf.toString(StandardCharsets.UTF_8));
        return s;
    }

    private HttpResponse<String> get(SensorServer s, String path) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path))
                .timeout(Duration.ofSeconds(10))
                .GET()
                .build();
        return client.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** Parses and validates an exposition; returns series (name plus labels) to value. */
    private static Map<String, Double> parse(String body) {
        assertTrue(body.endsWith("\n"), "exposition must end with a newline");
        Map<String, Double> samples = new LinkedHashMap<>();
        Map<String, String> types = new HashMap<>();
        Set<String> helps = new HashSet<>();
        for (String line : body.split("\n")) {
            if (line.startsWith("#")) {
                Matcher c = COMMENT.matcher(line);
                assertTrue(c.matches(), "bad comment line: " + line);
                if (c.group(1).equals("TYPE")) {
                    assertTrue(Set.of("gauge", "counter", "histogram").contains(c.group(3)), line);
                    assertEquals(null, types.put(c.group(2), c.group(3)), "duplicate TYPE: " + line);
                } else {
                    assertTrue(helps.add(c.group(2)), "duplicate HELP: " + line);
                }
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertTrue(m.matches(), "not `name{labels} value`: " + line);
            String name = m.group(1);
            String family = name.replaceFirst("_(bucket|sum|count)$", "");
            String type = types.containsKey(name) ? types.get(name) : types.get(family);
            assertTrue(
                    type != null && helps.contains(types.containsKey(name) ? name : family),
                    "sample without preceding HELP/TYPE: " + line);
            String key = name + (m.group(2) == null ? "" : m.group(2));
            assertEquals(null, samples.put(key, Double.parseDouble(m.group(3))), "duplicate " + key);
        }
        return samples;
    }

    private static void checkHistogram(Map<String, Double> s, String name) {
        double previous = 0;
        int buckets = 0;
        for (Map.Entry<String, Double> e : s.entrySet()) {
            if (e.getKey().startsWith(name + "_bucket{")) {
                assertTrue(e.getValue() >= previous, "bucket not cumulative: " + e.getKey());
                previous = e.getValue();
                buckets++;
            }
        }
        assertTrue(buckets >= 2, name + " has buckets");
        assertEquals(s.get(name + "_count"), s.get(name + "_bucket{le=\"+Inf\"}"), name + " +Inf");
        assertTrue(s.get(name + "_sum") >= 0, name + "_sum");
    }

    @Test
    void metricsAreWellFormedAndMonotonic() throws Exception {
        SensorServer s = startOne(5);
        HttpResponse<String> r1 = get(s, "/metrics");
        HttpResponse<String> r2 = get(s, "/metrics");
        for (HttpResponse<String> r : List.of(r1, r2)) {
            assertEquals(200, r.statusCode());
            assertEquals(
                    SensorServer.CONTENT_TYPE,
                    r.headers().firstValue("Content-Type").orElse(""));
        }
        Map<String, Double> a = parse(r1.body());
        Map<String, Double> b = parse(r2.body());
        assertEquals(a.keySet(), b.keySet(), "same series in both scrapes");
        for (String motor : List.of("motor_left", "motor_right", "battery")) {
            double t = b.get("sensor_temperature_celsius{sensor=\"" + motor + "\"}");
            assertTrue(t >= 20 && t <= 85, motor + " temperature " + t);
        }
        for (String g : List.of("sensor_humidity_ratio", "sensor_battery_charge_ratio")) {
            assertTrue(b.get(g) >= 0 && b.get(g) <= 1, g);
        }
        assertTrue(b.containsKey("sensor_battery_voltage_volts"));
        assertTrue(b.containsKey("sensor_queue_depth"));
        assertTrue(b.containsKey("sensor_uptime_seconds"));
        assertEquals(1.0, b.get("sensor_build_info{version=\"" + SensorModel.VERSION + "\"}"));
        for (int i = 0; i < 5; i++) {
            assertTrue(b.containsKey("sensor_synthetic_value{idx=\"" + i + "\"}"));
        }
        for (String h : List.of("sensor_request_duration_seconds", "sensor_cpu_spike_duration_seconds")) {
            checkHistogram(a, h);
            checkHistogram(b, h);
        }
        assertTrue(b.containsKey("sensor_request_duration_seconds_bucket{le=\"0.005\"}"));
        assertTrue(b.containsKey("sensor_request_duration_seconds_bucket{le=\"10\"}"));
        int counters = 0;
        for (String k : a.keySet()) {
            boolean monotonic = k.startsWith("sensor_requests_total{")
                    || k.endsWith("_count")
                    || k.endsWith("_sum")
                    || k.contains("_bucket{")
                    || k.startsWith("sensor_uptime");
            if (monotonic) {
                assertTrue(b.get(k) >= a.get(k), k + " decreased: " + a.get(k) + " -> " + b.get(k));
                counters++;
            }
        }
        assertTrue(counters > 20);
        for (String status : List.of("200", "500", "503")) {
            assertTrue(a.containsKey("sensor_requests_total{status=\"" + status + "\"}"), status);
        }
        assertTrue(
                b.get("sensor_requests_total{status=\"200\"}") > a.get("sensor_requests_total{status=\"200\"}"),
                "requests keep coming");
    }

    @Test
    void scrapeSequenceIsCountedExactly() throws Exception {
        SensorServer s = startOne(0);
        assertEquals(
                "{\"scrapes_answered\":0,\"started_at_ms\":" + s.startedAtMs() + ",\"series\":0}",
                get(s, "/stats").body());
        for (int n = 1; n <= 3; n++) {
            HttpResponse<String> r = get(s, "/metrics");
            assertEquals(
                    String.valueOf(n), r.headers().firstValue("X-Scrape-Seq").orElse(""));
            assertEquals((double) n, parse(r.body()).get("sensor_scrape_seq"));
            assertFalse(r.body().contains("sensor_synthetic_value"));
        }
        HttpResponse<String> stats = get(s, "/stats");
        assertEquals(200, stats.statusCode());
        assertTrue(stats.body().startsWith("{\"scrapes_answered\":3,"), stats.body());
        assertTrue(stats.body().endsWith(",\"series\":0}"), stats.body());
        HttpResponse<String> health = get(s, "/health");
        assertEquals(200, health.statusCode());
        assertEquals("ok", health.body());
        assertEquals(404, get(s, "/nope").statusCode());
        assertEquals(3, s.scrapesAnswered(), "/stats, /health and 404s are not scrapes");
    }

    @Test
    void instancesGetTheirOwnPortsAndLines() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        servers = SensorSimulator.start(
                SensorSimulator.parseFlags(new String[] {"-listen=127.0.0.1:0", "-instances=3", "-series=2"}, 7),
                new PrintStream(buf, true, StandardCharsets.UTF_8));
        assertEquals(3, servers.size());
        assertEquals(
                3,
                Set.of(
                                servers.get(0).port(),
                                servers.get(1).port(),
                                servers.get(2).port())
                        .size());
        assertEquals(3, buf.toString(StandardCharsets.UTF_8).split("\n").length);
        for (SensorServer s : servers) {
            assertEquals(
                    "1", get(s, "/metrics").headers().firstValue("X-Scrape-Seq").orElse(""));
            assertTrue(get(s, "/stats").body().endsWith(",\"series\":2}"));
        }
    }

    @Test
    void sameSeedGivesSameSamples() {
        SensorModel x = new SensorModel(9, 3, 0);
        SensorModel y = new SensorModel(9, 3, 0);
        SensorModel z = new SensorModel(10, 3, 0);
        for (int i = 0; i < 50; i++) {
            x.tick();
            y.tick();
            z.tick();
        }
        assertEquals(x.render(1, 1000), y.render(1, 1000));
        assertNotEquals(x.render(1, 1000), z.render(1, 1000));
        Map<String, Double> s = parse(x.render(1, 1000));
        checkHistogram(s, "sensor_request_duration_seconds");
    }

    @Test
    void batteryDrainsAndRecharges() {
        SensorModel m = new SensorModel(1, 0, 0);
        double min = 1;
        double max = 0;
        boolean rose = false;
        double last = parse(m.render(0, 0)).get("sensor_battery_charge_ratio");
        for (int i = 0; i < 5000; i++) {
            m.tick();
            double c = parse(m.render(i, 0)).get("sensor_battery_charge_ratio");
            min = Math.min(min, c);
            max = Math.max(max, c);
            rose |= c > last;
            last = c;
        }
        assertTrue(min < 0.2 && max > 0.95 && rose, "charge cycles: " + min + ".." + max);
    }

    @Test
    void flagParsing() {
        SensorSimulator.Options d = SensorSimulator.parseFlags(new String[0], 5);
        assertEquals(new SensorSimulator.Options("127.0.0.1", 9101, 5, 0, 1), d);
        SensorSimulator.Options o = SensorSimulator.parseFlags(
                new String[] {"-listen=[::1]:0", "-seed=-3", "-series=1000", "-instances=4"}, 5);
        assertEquals(new SensorSimulator.Options("::1", 0, -3, 1000, 4), o);
        assertFlagError("-bogus", "-bogus=1");
        assertFlagError("-bogus", "-bogus");
        assertFlagError("--listen", "--listen=127.0.0.1:1");
        assertFlagError("-seed", "-seed=abc");
        assertFlagError("-seed", "-seed");
        assertFlagError("-series", "-series=-1");
        assertFlagError("-instances", "-instances=0");
        assertFlagError("-listen", "-listen=127.0.0.1");
        assertFlagError("-listen", "-listen=127.0.0.1:70000");
        assertFlagError("-instances", "-listen=127.0.0.1:65535", "-instances=2");
        assertFlagError("stray", "stray");
    }

    private static void assertFlagError(String named, String... args) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> SensorSimulator.parseFlags(args, 0));
        assertTrue(e.getMessage().contains(named), e.getMessage());
    }
}
