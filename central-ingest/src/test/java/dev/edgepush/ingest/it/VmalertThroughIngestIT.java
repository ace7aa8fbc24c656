package dev.edgepush.ingest.it;

import static dev.edgepush.ingest.it.ReaderDoor.READER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.testsupport.ChildProcess;
import dev.edgepush.testsupport.Loopback;
import dev.edgepush.testsupport.Vmalert;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With {@code -vmalert.proxyURL} a real vmalert (Debian's victoria-metrics package ships it)
 * serves {@code /vmalert/...} and the rules and alerts API through central-ingest, to readers
 * only, as VictoriaMetrics with the same flag does; a POST (vmalert's UI has none) stays 405.
 */
class VmalertThroughIngestIT {
    @TempDir
    static Path dir;

    static ReaderDoor door;
    static ChildProcess vmalert;
    static int vmalertPort;

    @BeforeAll
    static void start() throws Exception {
        vmalertPort = Loopback.freePort();
        door = new ReaderDoor(dir, "-vmalert.proxyURL=http://127.0.0.1:" + vmalertPort);
        Path rules = dir.resolve("rules.yml");
        Files.writeString(
                rules, "groups:\n  - name: fleet\n    rules:\n      - alert: TempHigh\n        expr: temp > 100\n");
        vmalert = Vmalert.builder(
                        vmalertPort,
                        List.of(
                                "-rule=" + rules,
                                "-datasource.url=" + door.vmUrl(""),
                                "-notifier.url=http://127.0.0.1:9",
                                "-loggerLevel=WARN"))
                .log(dir.resolve("vmalert.log"))
                .probe(() -> vmalert.status("/vmalert/api/v1/rules") == 200)
                .build();
        vmalert.restart();
    }

    @AfterAll
    static void stop() throws Exception {
        if (vmalert != null) {
            vmalert.close();
        }
        if (door != null) {
            door.close();
        }
    }

    static HttpResponse<String> direct(String path) throws Exception {
        return ReaderDoor.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + vmalertPort + path))
                .timeout(Duration.ofSeconds(10))
                .build());
    }

    @Test
    void vmalertPagesAndApiAnswerThroughCentralIngestAsFromVmalert() throws Exception {
        for (String prefix : new String[] {"", "/prometheus", "/select/42/prometheus"}) {
            for (String path : new String[] {
                "/vmalert/api/v1/rules",
                "/vmalert/api/v1/alerts",
                "/vmalert/groups",
                "/vmalert/alerts",
                "/api/v1/rules",
                "/api/v1/alerts"
            }) {
                HttpResponse<String> d = direct(path);
                HttpResponse<String> r = door.viaIngest(prefix + path, READER);
                assertEquals(d.statusCode(), r.statusCode(), prefix + path + " " + r.body());
                assertEquals(
                        d.headers().firstValue("Content-Type"), r.headers().firstValue("Content-Type"), prefix + path);
                if (path.contains("/api/")) {
                    assertEquals(d.body(), r.body(), prefix + path);
                }
            }
        }
        assertTrue(
                door.viaIngest("/prometheus/api/v1/rules", READER).body().contains("\"name\":\"TempHigh\""),
                "Grafana's alerting view sees vmalert's rules");
        assertEquals(401, door.viaIngest("/vmalert/groups", null).statusCode());
        assertEquals(
                405,
                ReaderDoor.send(HttpRequest.newBuilder(URI.create(door.ingestUrl("/vmalert/api/v1/rules")))
                                .header("Authorization", "Bearer " + READER)
                                .POST(HttpRequest.BodyPublishers.noBody())
                                .build())
                        .statusCode());
    }
}
