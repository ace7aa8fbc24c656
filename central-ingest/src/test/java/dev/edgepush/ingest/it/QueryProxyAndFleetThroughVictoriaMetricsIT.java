package dev.edgepush.ingest.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.ingest.Bodies;
import dev.edgepush.ingest.CentralIngest;
import dev.edgepush.ingest.IngestFlags;
import dev.edgepush.ingest.auth.TokensFile;
import dev.edgepush.proto.rw1.RemoteWrite;
import dev.edgepush.testsupport.VictoriaMetrics;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The query proxy, VMUI proxy and fleet view against a real VictoriaMetrics single node: robots push
 * through central-ingest with their tokens, a reader queries back through it (bearer and basic
 * auth, the paths Grafana's Prometheus data source calls, POST forms, a large export), and every
 * refusal is checked.
 */
class QueryProxyAndFleetThroughVictoriaMetricsIT {
    static final String ROBOT = "robot-r1-token";
    static final String ROBOT_OTHER_TENANT = "robot-x9-token";
    static final String READER = "reader-ops-token";
    static final long T0 = System.currentTimeMillis() - 60_000;
    static final int EXPORT_SERIES = 3000;

    @TempDir
    static Path dir;

    static VictoriaMetrics vm;
    static CentralIngest ingest;
    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeAll
    static void start() throws Exception {
        vm = new VictoriaMetrics(dir);
        Path tokens = dir.resolve("tokens");
        Files.writeString(
                tokens,
                "robot r1 42 " + TokensFile.hashOf(ROBOT) + "\nrobot x9 7 " + TokensFile.hashOf(ROBOT_OTHER_TENANT)
                        + "\nreader ops 42 " + TokensFile.hashOf(READER) + "\n");
        ingest = new CentralIngest(IngestFlags.parse(new String[] {
                    "-httpListenAddr=127.0.0.1:0",
                    "-remoteWrite.url=" + vm.writeUrl(),
                    "-query.url=http://127.0.0.1:" + vm.port,
                    "-auth.tokensFile=" + tokens,
                    "-wal.path=" + dir.resolve("wal")
                })
                .validate());
        RemoteWrite.TimeSeries[] big = new RemoteWrite.TimeSeries[EXPORT_SERIES + 1];
        big[0] = Bodies.series(21.5, T0, "__name__", "temp", "robot", "spoofed", "room", "lab");
        for (int i = 1; i <= EXPORT_SERIES; i++) {
            big[i] = Bodies.series(i, T0, "__name__", "bigexport", "i", Integer.toString(i));
        }
        HttpResponse<String> pushed = push(ROBOT, Bodies.v1(big), "1500", "12.5");
        assertEquals(204, pushed.statusCode(), pushed.body());
        assertEquals(
                204,
                push(ROBOT_OTHER_TENANT, Bodies.v1(Bodies.series(1, T0, "__name__", "other")), null, null)
                        .statusCode());
        // Poll until VictoriaMetrics serves what was pushed (forwarding is asynchronous).
        await(() -> send(get("/api/v1/query?nocache=1&query=" + enc("count(bigexport)"), bearer(READER)))
                .body()
                .contains("\"" + EXPORT_SERIES + "\""));
    }

    @AfterAll
    static void stop() {
        if (ingest != null) {
            ingest.close();
        }
        if (vm != null) {
            vm.close();
        }
    }

    static HttpResponse<String> push(String token, byte[] body, String pending, String oldestAge) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri("/api/v1/write"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/x-protobuf")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (pending != null) {
            b.header("X-Edgepush-Pending-Samples", pending).header("X-Edgepush-Oldest-Pending-Age-Seconds", oldestAge);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + ingest.port() + pathAndQuery);
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static String bearer(String token) {
        return "Bearer " + token;
    }

    static String basic(String user, String token) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + token).getBytes(StandardCharsets.UTF_8));
    }

    static HttpRequest get(String pathAndQuery, String authorization) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(30));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return b.build();
    }

    static HttpResponse<String> send(HttpRequest req) throws Exception {
        return HTTP.send(req, HttpResponse.BodyHandlers.ofString());
    }

    interface Check {
        boolean ok() throws Exception;
    }

    static void await(Check check) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!check.ok()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 120 s");
            }
            IngestProcess.pause(100);
        }
    }

    private static String ok(HttpResponse<String> r) {
        assertEquals(200, r.statusCode(), r.uri() + " -> " + r.body());
        return r.body();
    }

    @Test
    void readerQueriesWhatTheRobotPushedWithBearerOrBasicAuth() throws Exception {
        String q = "/api/v1/query?query=" + enc("temp");
        for (String auth : new String[] {bearer(READER), basic("ops", READER), basic("anyone", READER)}) {
            String body = ok(send(get(q, auth)));
            assertTrue(body.contains("\"robot\":\"r1\""), "stamped by the ingest, not the sender: " + body);
            assertTrue(body.contains("\"21.5\""), body);
        }
        HttpRequest form = HttpRequest.newBuilder(uri("/api/v1/query"))
                .header("Authorization", bearer(READER))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("query=" + enc("temp{room=\"lab\"}")))
                .build();
        assertTrue(ok(send(form)).contains("\"robot\":\"r1\""), "POST forms are proxied with their body");
    }

    @Test
    void grafanaPrometheusDataSourcePathsWorkUnderSlashPrometheus() throws Exception {
        String auth = basic("grafana", READER);
        long end = System.currentTimeMillis() / 1000;
        assertTrue(ok(send(get("/prometheus/api/v1/query?query=" + enc("temp") + "&time=" + end, auth)))
                .contains("r1"));
        String range = ok(send(get(
                "/prometheus/api/v1/query_range?query=" + enc("temp") + "&start=" + (end - 600) + "&end=" + end
                        + "&step=15",
                bearer(READER))));
        assertTrue(range.contains("\"resultType\":\"matrix\"") && range.contains("r1"), range);
        assertTrue(ok(send(get("/prometheus/api/v1/labels", auth))).contains("\"robot\""));
        String names = ok(send(get("/prometheus/api/v1/label/__name__/values", auth)));
        assertTrue(names.contains("\"temp\"") && names.contains("\"bigexport\""), names);
        assertTrue(ok(send(get("/prometheus/api/v1/series?match[]=temp&start=" + (end - 600), auth)))
                .contains("\"room\":\"lab\""));
        assertTrue(ok(send(get("/prometheus/api/v1/status/buildinfo", auth))).contains("\"status\":\"success\""));
        assertTrue(ok(send(get("/api/v1/status/tsdb", auth))).contains("totalSeries"));
        assertTrue(
                ok(send(get("/select/42/prometheus/api/v1/query?query=" + enc("temp"), auth)))
                        .contains("r1"),
                "the vmselect form of the reader's own tenant works against a single node too");
    }

    @Test
    void refusesMissingWrongKindAndOtherTenantsTokens() throws Exception {
        String q = "/api/v1/query?query=" + enc("temp");
        for (String auth : new String[] {null, bearer("nope"), basic("ops", "nope")}) {
            HttpResponse<String> r = send(get(q, auth));
            assertEquals(401, r.statusCode(), String.valueOf(auth));
            assertEquals(
                    "Basic realm=\"central-ingest\"",
                    r.headers().firstValue("WWW-Authenticate").orElse(""));
        }
        assertEquals(403, send(get(q, bearer(ROBOT))).statusCode(), "a robot token may not read");
        assertEquals(403, send(get("/select/7/prometheus" + q, bearer(READER))).statusCode());
        assertEquals(403, send(get("/select/7/vmui/", basic("ops", READER))).statusCode());
        assertEquals(401, send(get("/vmui/", null)).statusCode());
        assertEquals(401, send(get("/api/v1/fleet", null)).statusCode());
    }

    @Test
    void largeExportStreamsThroughCompletely() throws Exception {
        HttpResponse<java.io.InputStream> r = HTTP.send(
                get("/api/v1/export?match[]=" + enc("bigexport"), bearer(READER)),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        long lines;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            lines = in.lines().filter(Predicate.not(String::isBlank)).count();
        }
        assertEquals(EXPORT_SERIES, lines, "one JSON line per series");
    }

    @Test
    void vmuiPathsPassVictoriaMetricsAnswersThrough() throws Exception {
        HttpResponse<String> redirect = send(get("/vmui", basic("ops", READER)));
        assertEquals(301, redirect.statusCode());
        assertEquals(
                "vmui/?",
                redirect.headers().firstValue("Location").orElse(""),
                "relative, so it stays on central-ingest");
        HttpResponse<String> page = send(get("/vmui/", basic("ops", READER)));
        // Debian's build has no VMUI (404); the official binaries serve the page (200). Either is VictoriaMetrics' own.
        assertTrue(page.statusCode() == 404 || page.statusCode() == 200, page.statusCode() + " " + page.body());
        if (page.statusCode() == 404) {
            assertEquals("404 page not found\n", page.body());
        }
    }

    @Test
    void fleetShowsTheReadersRobotsWithBacklogAndAgreesWithTheMetric() throws Exception {
        String json = ok(send(get("/api/v1/fleet", bearer(READER))));
        assertTrue(json.contains("\"tenant\":\"42\""), json);
        assertTrue(json.contains("{\"robot\":\"r1\",\"online\":true,"), json);
        assertTrue(json.contains("\"pendingSamples\":1500,\"oldestPendingAgeSeconds\":12.500,"), json);
        assertTrue(json.contains("\"robotsOnline\":1"), json);
        assertFalse(json.contains("x9"), "x9 is in tenant 7");
        String html = ok(send(get("/fleet", basic("ops", READER))));
        assertTrue(
                html.contains("<td class=\"robot\" data-label=\"robot\">r1</td>"
                        + "<td class=\"state draining\" data-label=\"state\">draining</td>"),
                "online, its oldest pending sample 12.5 s old: " + html);
        String metrics = ok(send(get("/metrics", null)));
        assertTrue(metrics.contains("\ncentral_ingest_robots_online 2\n"), "r1 and x9, every tenant: " + metrics);
    }
}
