package dev.edgepush.ingest.it;

import static dev.edgepush.ingest.it.ReaderDoor.READER;
import static dev.edgepush.ingest.it.ReaderDoor.T0;
import static dev.edgepush.ingest.it.ReaderDoor.enc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reader door's path table (central-ingest/README.md, "Querying: the reader door") against a real
 * VictoriaMetrics: every open path, under {@code /}, {@code /prometheus/} and {@code
 * /select/42/prometheus/}, asked through central-ingest with a reader token and directly:
 * same status, same content type, same JSON shape where VictoriaMetrics answers JSON. Every
 * closed path answers what the list says (403 or, for vmalert, 400 as VictoriaMetrics), in
 * the Prometheus JSON error shape, and never reaches VictoriaMetrics.
 */
class ReaderDoorPathsLikeVictoriaMetricsIT {
    @TempDir
    static Path dir;

    static ReaderDoor door;
    static final long START = T0 / 1000;
    static final long END = START + 240;

    /** The open paths, as VictoriaMetrics names them under its root. The README's list. */
    static final List<String> OPEN = List.of(
            "/api/v1/query?query=" + enc("temp") + "&time=" + END,
            "/api/v1/query_range?query=" + enc("rate(temp[2m])") + "&start=" + START + "&end=" + END + "&step=60",
            "/api/v1/query_exemplars?query=temp&start=" + START + "&end=" + END,
            "/api/v1/series?match[]=temp&start=" + START + "&end=" + END,
            "/api/v1/series/count",
            "/api/v1/labels?start=" + START + "&end=" + END,
            "/api/v1/label/__name__/values?start=" + START + "&end=" + END,
            "/api/v1/label/room/values?match[]=temp",
            "/api/v1/export?match[]=temp",
            "/api/v1/export/csv?format=" + enc("__name__,room,__value__,__timestamp__:unix_s") + "&match[]=temp",
            "/api/v1/export/native?match[]=temp",
            "/api/v1/metadata",
            "/api/v1/status/tsdb",
            "/api/v1/status/buildinfo",
            "/api/v1/status/top_queries",
            "/api/v1/status/active_queries",
            "/api/v1/status/metric_names_stats",
            "/expand-with-exprs?query=" + enc("WITH (x = temp) x"),
            "/prettify-query?query=" + enc("sum(temp)by(room)"),
            "/metric-relabel-debug",
            "/api/v1/rules",
            "/api/v1/alerts",
            "/vmui",
            "/vmui/",
            "/vmui/config.json",
            "/vmui/timezone",
            "/vmui/custom-dashboards",
            "/api/v1/query", // VictoriaMetrics' own 422 error passes through as it is
            "/api/v1/query_range?query=" + enc("sum(") + "&start=" + START + "&end=" + END + "&step=60");

    /** Closed paths (README): 403 whatever the token, never forwarded. */
    static final List<String> CLOSED = List.of(
            "/admin/tenants",
            "/api/v1/admin/tsdb/delete_series?match[]=temp",
            "/api/v1/admin/tsdb/snapshot",
            "/snapshot/list",
            "/snapshot/create",
            "/internal/force_flush",
            "/internal/resetRollupResultCache",
            "/api/v1/import",
            "/api/v1/import/csv",
            "/api/v1/import/native",
            "/write",
            "/influx/write",
            "/api/v1/import/prometheus/metrics/job/x",
            "/federate?match[]=temp",
            "/flags",
            "/config",
            "/targets",
            "/api/v1/targets",
            "/api/v1/status/config",
            "/api/v1/status/flags",
            "/-/reload");

    static final List<String> PREFIXES = List.of("", "/prometheus", "/select/42/prometheus");

    @BeforeAll
    static void start() throws Exception {
        door = new ReaderDoor(dir).withData();
    }

    @AfterAll
    static void stop() {
        if (door != null) {
            door.close();
        }
    }

    @Test
    void everyOpenPathAnswersThroughCentralIngestAsVictoriaMetricsDoes() throws Exception {
        List<String> differences = new ArrayList<>();
        int compared = 0;
        for (String prefix : PREFIXES) {
            for (String path : OPEN) {
                HttpResponse<String> direct = door.direct(path);
                HttpResponse<String> proxied = door.viaIngest(prefix + path, READER);
                compared++;
                String diff = difference(direct, proxied);
                if (diff != null) {
                    differences.add(prefix + path + ": " + diff);
                }
            }
        }
        assertEquals(List.of(), differences, "answers that differ (of " + compared + ")");
        // And the data is really there: the comparison is not between two empty answers.
        assertTrue(door.viaIngest("/prometheus/api/v1/query?query=temp&time=" + END, READER)
                .body()
                .contains("\"hall\""));
        assertTrue(door.viaIngest("/api/v1/export/csv?format=__name__,room,__value__&match[]=temp", READER)
                .body()
                .contains("temp,lab,25.5"));
    }

    /** Null when the two answers match: status, content type, and JSON shape (or non-empty body alike). */
    static String difference(HttpResponse<String> direct, HttpResponse<String> proxied) {
        if (direct.statusCode() != proxied.statusCode()) {
            return "status " + proxied.statusCode() + ", VictoriaMetrics " + direct.statusCode() + " (" + proxied.body()
                    + ")";
        }
        String ct = direct.headers().firstValue("Content-Type").orElse("");
        String pct = proxied.headers().firstValue("Content-Type").orElse("");
        if (!ct.equals(pct)) {
            return "Content-Type '" + pct + "', VictoriaMetrics '" + ct + "'";
        }
        if (Json.is(direct.body())) {
            if (!Json.is(proxied.body())) {
                return "not JSON: " + proxied.body();
            }
            String shape = Json.shape(Json.parse(direct.body()));
            String pshape = Json.shape(Json.parse(proxied.body()));
            return shape.equals(pshape) ? null : "JSON shape " + pshape + ", VictoriaMetrics " + shape;
        }
        if (direct.body().isEmpty() != proxied.body().isEmpty()) {
            return "body of " + proxied.body().length() + " chars, VictoriaMetrics "
                    + direct.body().length();
        }
        if (direct.statusCode() == 301) {
            String loc = direct.headers().firstValue("Location").orElse("");
            String ploc = proxied.headers().firstValue("Location").orElse("");
            return loc.equals(ploc) ? null : "Location '" + ploc + "', VictoriaMetrics '" + loc + "'";
        }
        return null;
    }

    @Test
    void closedPathsAnswer403InPrometheusJsonWhateverTheTokenAndNeverReachVictoriaMetrics() throws Exception {
        for (String prefix : PREFIXES) {
            for (String path : CLOSED) {
                for (String token : new String[] {READER, null, ReaderDoor.ROBOT}) {
                    HttpResponse<String> r = door.viaIngest(prefix + path, token);
                    assertEquals(403, r.statusCode(), prefix + path + " " + r.body());
                    assertPrometheusError(r, "forbidden");
                    assertTrue(r.body().contains("closed in central-ingest's reader door"), r.body());
                }
            }
        }
        // A POST too (delete_series and snapshot are POST or GET in VictoriaMetrics): nothing deleted.
        HttpResponse<String> delete = ReaderDoor.send(HttpRequest.newBuilder(
                        URI.create(door.ingestUrl("/prometheus/api/v1/admin/tsdb/delete_series?match[]=temp")))
                .header("Authorization", "Bearer " + READER)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());
        assertEquals(403, delete.statusCode());
        assertTrue(
                door.direct("/api/v1/series?match[]=temp&start=" + START).body().contains("\"lab\""),
                "the series are still there");
        assertEquals(
                "{\"status\":\"ok\",\"snapshots\":[]}",
                door.direct("/snapshot/list").body().replace(" ", "").replace("\n", ""),
                "no snapshot was made through central-ingest");
    }

    @Test
    void vmalertIsClosedWithoutVmalertProxyUrlAsVictoriaMetricsClosesIt() throws Exception {
        for (String prefix : PREFIXES) {
            for (String path : new String[] {"/vmalert/", "/vmalert/api/v1/rules", "/vmalert/groups"}) {
                HttpResponse<String> direct = door.direct(path);
                HttpResponse<String> r = door.viaIngest(prefix + path, READER);
                assertEquals(400, direct.statusCode(), "VictoriaMetrics without -vmalert.proxyURL: " + direct.body());
                assertEquals(400, r.statusCode(), r.body());
                assertPrometheusError(r, "bad_data");
                assertTrue(r.body().contains("-vmalert.proxyURL"), r.body());
            }
        }
    }

    @Test
    void ownErrorsOnApiPathsAreJsonAndPlainTextOnlyWhenAPageIsAskedFor() throws Exception {
        HttpResponse<String> noToken = door.viaIngest("/prometheus/api/v1/status/top_queries", null);
        assertEquals(401, noToken.statusCode());
        assertPrometheusError(noToken, "unauthorized");
        assertEquals(
                "Basic realm=\"central-ingest\"",
                noToken.headers().firstValue("WWW-Authenticate").orElse(""));
        HttpResponse<String> otherTenant = door.viaIngest("/select/7/prometheus/api/v1/labels", READER);
        assertEquals(403, otherTenant.statusCode());
        assertPrometheusError(otherTenant, "forbidden");
        HttpResponse<String> robot = door.viaIngest("/api/v1/labels", ReaderDoor.ROBOT);
        assertEquals(403, robot.statusCode());
        assertPrometheusError(robot, "forbidden");
        HttpResponse<String> unknown = door.viaIngest("/prometheus/api/v1/nope", READER);
        assertEquals(404, unknown.statusCode());
        assertPrometheusError(unknown, "not_found");
        HttpResponse<String> wrongMethod = ReaderDoor.send(HttpRequest.newBuilder(URI.create(door.ingestUrl("/vmui/")))
                .header("Authorization", "Bearer " + READER)
                .DELETE()
                .build());
        assertEquals(405, wrongMethod.statusCode());
        assertPrometheusError(wrongMethod, "method_not_allowed");
        // A browser navigating to a page gets text, not JSON.
        HttpResponse<String> page = ReaderDoor.send(HttpRequest.newBuilder(URI.create(door.ingestUrl("/vmui/")))
                .header("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
                .timeout(Duration.ofSeconds(10))
                .build());
        assertEquals(401, page.statusCode());
        assertTrue(
                page.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"),
                page.headers().map().toString());
        assertFalse(Json.is(page.body()), page.body());
    }

    static void assertPrometheusError(HttpResponse<String> r, String errorType) {
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""), r.body());
        @SuppressWarnings("unchecked")
        Map<String, Object> body = (Map<String, Object>) Json.parse(r.body());
        assertEquals("error", body.get("status"), r.body());
        assertEquals(errorType, body.get("errorType"), r.body());
        assertTrue(body.get("error") instanceof String && !((String) body.get("error")).isEmpty(), r.body());
    }
}
