package dev.edgepush.ingest.it;

import static dev.edgepush.ingest.it.ReaderDoor.READER;
import static dev.edgepush.ingest.it.ReaderDoor.T0;
import static dev.edgepush.ingest.it.ReaderDoor.enc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every call Grafana's Prometheus data source ("Prometheus type: VictoriaMetrics", HTTP method
 * POST or GET) makes for a dashboard, its variables, Explore and the data source test, sent as
 * Grafana sends them (form bodies for POST, {@code match[]} repeated, seconds for times) to
 * central-ingest's data source URL with a reader token, and the same to VictoriaMetrics: the
 * answers are identical, status, content type and body byte for byte.
 */
class GrafanaCallsThroughIngestIT {
    @TempDir
    static Path dir;

    static ReaderDoor door;
    static final long START = T0 / 1000;
    static final long END = START + 240;

    /** One call: method, path from the data source URL on, query string (GET) or form body (POST). */
    record Call(String what, String method, String path, String params) {}

    static List<Call> calls() {
        String range = "&start=" + START + "&end=" + END;
        List<Call> c = new ArrayList<>();
        for (String method : new String[] {"POST", "GET"}) {
            // Data source "Save & test", and version detection.
            c.add(new Call("health check", method, "/api/v1/query", "query=" + enc("1+1") + "&time=" + END));
            // Dashboard panels: time series (range) and table / stat (instant).
            c.add(new Call(
                    "panel, range",
                    method,
                    "/api/v1/query_range",
                    "query=" + enc("sum by (room) (rate(temp[2m]))") + range + "&step=60"));
            c.add(new Call("panel, instant", method, "/api/v1/query", "query=" + enc("temp") + "&time=" + END));
            // Variables: label_names(), query_result(), label_values(temp, room) (series when filtered).
            c.add(new Call("variable, label names", method, "/api/v1/labels", range.substring(1)));
            c.add(new Call(
                    "variable, label names of a metric", method, "/api/v1/labels", "match[]=" + enc("temp") + range));
            c.add(new Call(
                    "variable, query_result",
                    method,
                    "/api/v1/query",
                    "query=" + enc("count by (room) (temp)") + "&time=" + END));
            c.add(new Call(
                    "variable, series",
                    method,
                    "/api/v1/series",
                    "match[]=" + enc("temp{room=\"lab\"}") + "&match[]=" + enc("up") + range));
            // Explore: exemplars with a range query.
            c.add(new Call("explore, exemplars", method, "/api/v1/query_exemplars", "query=" + enc("temp") + range));
            c.add(new Call(
                    "explore, range", method, "/api/v1/query_range", "query=" + enc("temp") + range + "&step=15"));
        }
        // GET only, as Grafana sends them: label values, metric names, metadata, buildinfo, rules.
        c.add(new Call("variable, label values", "GET", "/api/v1/label/room/values", range.substring(1)));
        c.add(new Call(
                "variable, label values of a metric",
                "GET",
                "/api/v1/label/room/values",
                "match[]=" + enc("temp{room=~\".+\"}") + range));
        c.add(new Call("explore, metric names", "GET", "/api/v1/label/__name__/values", range.substring(1)));
        c.add(new Call(
                "explore, metric browser",
                "GET",
                "/api/v1/label/__name__/values",
                "match[]=" + enc("{room=\"lab\"}") + range));
        c.add(new Call("explore, metadata", "GET", "/api/v1/metadata", null));
        c.add(new Call("explore, metadata of a metric", "GET", "/api/v1/metadata", "metric=temp"));
        c.add(new Call("version detection", "GET", "/api/v1/status/buildinfo", null));
        c.add(new Call("alerting, rules", "GET", "/api/v1/rules", null));
        c.add(new Call("panel error", "POST", "/api/v1/query_range", "query=" + enc("sum(") + range + "&step=60"));
        return c;
    }

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

    static HttpRequest request(String url, Call call, String authorization) {
        boolean post = call.method().equals("POST");
        HttpRequest.Builder b = HttpRequest.newBuilder(
                        URI.create(url + call.path() + (!post && call.params() != null ? "?" + call.params() : "")))
                .timeout(Duration.ofSeconds(30))
                .header("User-Agent", "Grafana/11.3.0")
                .header("X-Grafana-Org-Id", "1")
                .header("Accept", "application/json, text/plain, */*");
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        if (post) {
            b.header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(call.params() == null ? "" : call.params()));
        }
        return b.build();
    }

    @Test
    void everyGrafanaCallAnswersThroughCentralIngestExactlyAsVictoriaMetrics() throws Exception {
        String basic =
                "Basic " + Base64.getEncoder().encodeToString(("grafana:" + READER).getBytes(StandardCharsets.UTF_8));
        // The data source URL: central-ingest's /prometheus (single node) or /select/42/prometheus (vmselect form),
        // custom header "Authorization: Bearer <token>" or basic auth with the token as password.
        String[][] sources = {
            {"/prometheus", "Bearer " + READER}, {"/prometheus", basic}, {"/select/42/prometheus", basic}
        };
        List<String> differences = new ArrayList<>();
        int successes = 0;
        for (String[] source : sources) {
            for (Call call : calls()) {
                HttpResponse<String> direct = ReaderDoor.send(request(door.vmUrl("/prometheus"), call, null));
                HttpResponse<String> proxied = ReaderDoor.send(request(door.ingestUrl(source[0]), call, source[1]));
                String where = source[0] + " " + call.what() + " (" + call.method() + " " + call.path() + ")";
                if (direct.statusCode() != proxied.statusCode()
                        || !direct.body().equals(proxied.body())
                        || !direct.headers()
                                .firstValue("Content-Type")
                                .equals(proxied.headers().firstValue("Content-Type"))) {
                    differences.add(where + ": " + proxied.statusCode() + " " + proxied.body() + "\n  VictoriaMetrics: "
                            + direct.statusCode() + " " + direct.body());
                }
                successes += direct.statusCode() == 200 && direct.body().contains("\"status\":\"success\"") ? 1 : 0;
            }
        }
        assertEquals(List.of(), differences, "Grafana calls answered differently through central-ingest");
        assertEquals(sources.length * (calls().size() - 1), successes, "every call but the deliberate error succeeds");
        // Not a comparison of empty answers: the panels see the pushed data.
        String panel = ReaderDoor.send(request(door.ingestUrl("/prometheus"), calls().get(1), "Bearer " + READER))
                .body();
        assertTrue(panel.contains("\"room\":\"hall\"") && panel.contains("\"room\":\"lab\""), panel);
        String values = ReaderDoor.send(request(
                        door.ingestUrl("/prometheus"),
                        new Call("", "GET", "/api/v1/label/room/values", null),
                        "Bearer " + READER))
                .body();
        assertEquals("{\"status\":\"success\",\"data\":[\"hall\",\"lab\"]}", values.strip());
    }
}
