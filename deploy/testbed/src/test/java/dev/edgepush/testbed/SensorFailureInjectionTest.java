package dev.edgepush.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code POST /inject} and {@code GET /answered} of one simulator on a free port. */
class SensorFailureInjectionTest {
    private final HttpClient client = HttpClient.newHttpClient();
    private SensorServer sensor;

    @BeforeEach
    void start() throws Exception {
        sensor = SensorServer.start("127.0.0.1", 0, 7, 0);
    }

    @AfterEach
    void stop() {
        sensor.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sensor.port() + path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String form) throws Exception {
        return client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sensor.port() + path))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void nodeCrashAnswers503OnMetricsAndHealthButKeepsTheControlPaths() throws Exception {
        assertEquals(200, post("/inject", "mode=node_crash&duration=1m").statusCode());
        assertEquals(503, get("/metrics").statusCode());
        assertEquals(503, get("/health").statusCode());
        assertTrue(get("/inject").body().contains("\"node_crash\""));
        assertEquals(200, get("/stats").statusCode());
        assertEquals(200, post("/inject?mode=node_crash&duration=0", "").statusCode());
        assertEquals(200, get("/metrics").statusCode());
        assertEquals(1, sensor.scrapesAnswered(), "the 503 answer was not counted as answered");
    }

    @Test
    void errorBurstFailsSomeScrapesAndOnlyFullAnswersAreListed() throws Exception {
        post("/inject", "mode=error_burst&duration=30s");
        List<Long> seqsSeen = new ArrayList<>();
        int errors = 0;
        for (int i = 0; i < 40; i++) {
            HttpResponse<String> r = get("/metrics");
            if (r.statusCode() == 500) {
                errors++;
            } else {
                assertEquals(200, r.statusCode());
                seqsSeen.add(
                        Long.parseLong(r.headers().firstValue("X-Scrape-Seq").orElseThrow()));
                assertTrue(r.body().contains("sensor_failure_active{mode=\"error_burst\"} 1"));
            }
        }
        assertTrue(errors > 5 && errors < 35, "about half fail: " + errors);
        String[] lines = get("/answered").body().split("\n");
        assertEquals("# seq unix_ms", lines[0]);
        List<Long> listed = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].split(" ");
            listed.add(Long.parseLong(f[0]));
            assertTrue(Math.abs(Long.parseLong(f[1]) - System.currentTimeMillis()) < 60_000, lines[i]);
        }
        assertEquals(seqsSeen, listed);
        assertEquals(seqsSeen.size(), sensor.answered().length);
        long since = seqsSeen.get(seqsSeen.size() - 3);
        assertEquals(3, get("/answered?since=" + since).body().split("\n").length, "header + the last two");
    }

    @Test
    void latencySpikeDelaysEachScrape() throws Exception {
        post("/inject", "mode=latency_spike&duration=30s");
        for (int i = 0; i < 3; i++) {
            long t = System.nanoTime();
            assertEquals(200, get("/metrics").statusCode());
            long ms = (System.nanoTime() - t) / 1_000_000;
            assertTrue(ms >= 200, ms + " ms");
        }
    }

    @Test
    void memoryLeakHoldsMemoryAndCpuSpikeShowsInTheExposition() throws Exception {
        post("/inject", "mode=memory_leak&duration=30s");
        post("/inject", "mode=cpu_spike&duration=2s");
        String body = get("/metrics").body();
        assertTrue(body.contains("sensor_failure_active{mode=\"cpu_spike\"} 1"), body);
        assertTrue(body.contains("sensor_failure_active{mode=\"memory_leak\"} 1"), body);
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!get("/metrics").body().contains("sensor_memory_leaked_bytes 2097152") && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(get("/metrics").body().matches("(?s).*sensor_memory_leaked_bytes [1-9]\\d{6,}\n.*"));
    }

    @Test
    void badInjectionsAreRefusedNamingTheValue() throws Exception {
        HttpResponse<String> r = post("/inject", "mode=meltdown&duration=30s");
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("\"meltdown\""), r.body());
        r = post("/inject", "mode=cpu_spike&duration=soon");
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("\"soon\""), r.body());
        assertEquals(400, post("/inject", "mode=cpu_spike").statusCode());
        assertEquals(405, post("/metrics", "").statusCode());
    }
}
