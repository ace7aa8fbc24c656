package dev.edgepush.ingest.it;

import static dev.edgepush.ingest.it.ReaderDoor.READER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CORS with {@code -http.corsAllowedOrigins=https://grafana.example.com,http://localhost:3000}
 * in front of a real VictoriaMetrics (which itself sends {@code Access-Control-Allow-Origin: *}):
 * preflights answered, the allowed origin and credentials on every answer to a listed origin
 * (401 included), nothing for other origins. CORS off (the default) is in {@link
 * ReaderDoorPathsLikeVictoriaMetricsIT}'s door and checked here too.
 */
class CorsThroughIngestIT {
    static final String GRAFANA = "https://grafana.example.com";

    @TempDir
    static Path dir;

    @TempDir
    static Path offDir;

    static ReaderDoor door;
    static ReaderDoor off;

    @BeforeAll
    static void start() throws Exception {
        door = new ReaderDoor(dir, "-http.corsAllowedOrigins=" + GRAFANA + ",http://localhost:3000");
        off = new ReaderDoor(offDir);
    }

    @AfterAll
    static void stop() {
        for (ReaderDoor d : new ReaderDoor[] {door, off}) {
            if (d != null) {
                d.close();
            }
        }
    }

    static HttpResponse<String> preflight(ReaderDoor d, String origin, String path) throws Exception {
        return ReaderDoor.send(HttpRequest.newBuilder(URI.create(d.ingestUrl(path)))
                .timeout(Duration.ofSeconds(10))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", origin)
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization,content-type")
                .build());
    }

    static HttpResponse<String> fromOrigin(ReaderDoor d, String origin, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(d.ingestUrl(path)))
                .timeout(Duration.ofSeconds(10))
                .header("Origin", origin);
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return ReaderDoor.send(b.build());
    }

    static String header(HttpHeaders h, String name) {
        return h.firstValue(name).orElse(null);
    }

    @Test
    void preflightFromAListedOriginIsAnsweredWithoutAToken() throws Exception {
        for (String path :
                new String[] {"/prometheus/api/v1/query_range", "/api/v1/labels", "/select/42/prometheus/api/v1/query"
                }) {
            HttpResponse<String> r = preflight(door, GRAFANA, path);
            assertEquals(204, r.statusCode(), r.body());
            HttpHeaders h = r.headers();
            assertEquals(GRAFANA, header(h, "Access-Control-Allow-Origin"));
            assertEquals("true", header(h, "Access-Control-Allow-Credentials"));
            assertTrue(
                    header(h, "Access-Control-Allow-Methods").contains("POST"),
                    h.map().toString());
            assertEquals("authorization,content-type", header(h, "Access-Control-Allow-Headers"));
            assertEquals("600", header(h, "Access-Control-Max-Age"));
            assertTrue(h.allValues("Vary").contains("Origin"), h.map().toString());
        }
        assertEquals(
                "http://localhost:3000",
                header(
                        preflight(door, "http://localhost:3000", "/api/v1/query")
                                .headers(),
                        "Access-Control-Allow-Origin"));
    }

    @Test
    void answersToAListedOriginCarryItAndCredentialsInsteadOfVictoriaMetricsStar() throws Exception {
        assertEquals(
                "*",
                header(door.direct("/api/v1/labels").headers(), "Access-Control-Allow-Origin"),
                "VictoriaMetrics' own header, which central-ingest replaces");
        HttpResponse<String> ok = fromOrigin(door, GRAFANA, "/prometheus/api/v1/labels", READER);
        assertEquals(200, ok.statusCode());
        assertEquals(GRAFANA, header(ok.headers(), "Access-Control-Allow-Origin"));
        assertEquals(1, ok.headers().allValues("Access-Control-Allow-Origin").size());
        assertEquals("true", header(ok.headers(), "Access-Control-Allow-Credentials"));
        HttpResponse<String> unauthorized = fromOrigin(door, GRAFANA, "/prometheus/api/v1/labels", null);
        assertEquals(401, unauthorized.statusCode());
        assertEquals(
                GRAFANA,
                header(unauthorized.headers(), "Access-Control-Allow-Origin"),
                "a browser app must be able to read the 401 to ask for the token");
        HttpResponse<String> closed = fromOrigin(door, GRAFANA, "/admin/tenants", READER);
        assertEquals(403, closed.statusCode());
        assertEquals(GRAFANA, header(closed.headers(), "Access-Control-Allow-Origin"));
    }

    @Test
    void otherOriginsGetNoCorsHeadersAndTheirPreflightIsRefused() throws Exception {
        HttpResponse<String> pre = preflight(door, "https://evil.example", "/api/v1/query");
        assertEquals(403, pre.statusCode());
        assertTrue(pre.body().contains("not in -http.corsAllowedOrigins"), pre.body());
        assertFalse(pre.headers().firstValue("Access-Control-Allow-Origin").isPresent());
        HttpResponse<String> r = fromOrigin(door, "https://evil.example", "/api/v1/labels", READER);
        assertEquals(200, r.statusCode(), "the server answers; the browser withholds it from the page");
        assertFalse(
                r.headers().firstValue("Access-Control-Allow-Origin").isPresent(),
                r.headers().map().toString());
        assertFalse(r.headers().firstValue("Access-Control-Allow-Credentials").isPresent());
        // A listed origin's scheme or port must match exactly.
        assertFalse(fromOrigin(door, "http://grafana.example.com", "/api/v1/labels", READER)
                .headers()
                .firstValue("Access-Control-Allow-Origin")
                .isPresent());
    }

    @Test
    void offByDefaultPreflightRefusedSayingHowToEnableAndVictoriaMetricsStarDropped() throws Exception {
        HttpResponse<String> pre = preflight(off, GRAFANA, "/prometheus/api/v1/query");
        assertEquals(403, pre.statusCode());
        assertTrue(
                pre.body().contains("CORS is off") && pre.body().contains("-http.corsAllowedOrigins=" + GRAFANA),
                pre.body());
        HttpResponse<String> r = fromOrigin(off, GRAFANA, "/prometheus/api/v1/labels", READER);
        assertEquals(200, r.statusCode());
        assertFalse(
                r.headers().firstValue("Access-Control-Allow-Origin").isPresent(),
                r.headers().map().toString());
        assertFalse(
                r.headers().firstValue("Vary").isPresent(), r.headers().map().toString());
    }
}
