package dev.edgepush.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher against the real VictoriaMetrics: what it stored survives a stop and a start. */
class VictoriaMetricsIT {
    @TempDir
    Path dir;

    @Test
    void keepsPortAndStorageAcrossARestartAndExportsWhatWasImported() throws Exception {
        try (VictoriaMetrics vm = new VictoriaMetrics(dir)) {
            long t = System.currentTimeMillis() / 1000 * 1000 - 60_000;
            assertEquals(
                    204, importText(vm, "ts_probe{k=\"a\"} 7 " + t + "\nts_probe{k=\"a\"} 8 " + (t + 1000) + "\n"));
            assertEquals(List.of(7.0, 8.0), vm.exportValues("ts_probe"));

            vm.stop();
            assertThrows(IOException.class, () -> vm.get("/health"), "stopped: nothing listens");
            vm.start();

            List<VictoriaMetrics.Series> series = vm.export("ts_probe");
            assertEquals(1, series.size());
            assertEquals("a", series.get(0).labels().get("k"));
            assertEquals(List.of(t, t + 1000), series.get(0).timestamps());
            assertEquals(List.of(t, t + 1000), vm.exportTimestamps("ts_probe"));
            assertTrue(vm.labelValues("k").contains("\"a\""), vm.labelValues("k"));
            assertThrows(IOException.class, () -> vm.export("{"), "a selector it refuses is an error, not no series");
        }
    }

    private static int importText(VictoriaMetrics vm, String text) throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(vm.url() + "/api/v1/import/prometheus"))
                                .POST(HttpRequest.BodyPublishers.ofString(text))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        return r.statusCode();
    }
}
