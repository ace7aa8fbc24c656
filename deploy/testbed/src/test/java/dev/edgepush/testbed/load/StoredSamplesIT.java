package dev.edgepush.testbed.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.testsupport.VictoriaMetrics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bench-ingest's count of stored samples, in pieces, against a real VictoriaMetrics: every sample
 * counted once whatever the slicing (slice edges fall on samples), and a query VictoriaMetrics
 * refuses is an error, not a count of 0.
 */
class StoredSamplesIT {
    @TempDir
    Path dir;

    @Test
    void piecesCountEverySampleOnceAndARefusedQueryIsAnError() throws Exception {
        try (VictoriaMetrics vm = new VictoriaMetrics(dir)) {
            int port = vm.port;
            // 3 names x 2 series x 100 samples, one a second, the first at a whole second
            long first = (System.currentTimeMillis() / 1000 - 600) * 1000;
            StringBuilder text = new StringBuilder();
            for (int n = 0; n < 3; n++) {
                for (int s = 0; s < 2; s++) {
                    for (int i = 0; i < 100; i++) {
                        text.append("bench_m")
                                .append(n)
                                .append("{idx=\"")
                                .append(s)
                                .append("\"} ")
                                .append(i)
                                .append(' ')
                                .append(first + i * 1000L)
                                .append('\n');
                    }
                }
            }
            HttpResponse<String> r = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/import/prometheus"))
                                    .POST(HttpRequest.BodyPublishers.ofString(text.toString()))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(204, r.statusCode(), r.body());
            long last = first + 99_000;
            List<String> names = List.of("bench_m0", "bench_m1", "bench_m2");
            AtomicInteger queries = new AtomicInteger();
            StoredSamples.Vm counting = p -> {
                if (p.startsWith("/api/v1/query")) {
                    queries.incrementAndGet();
                }
                return vm.get(p);
            };
            assertEquals(600, StoredSamples.count(counting, names, first, last, 600, StoredSamples.MAX_PER_QUERY));
            assertEquals(3, queries.getAndSet(0), "one query per name when each is small");
            // 200 a name, at most 7 a query: 29 slices of 3414 ms a name
            assertEquals(600, StoredSamples.count(counting, names, first, last, 600, 7));
            assertEquals(3 * 29, queries.get());
            assertEquals(
                    200, StoredSamples.count(vm::get, List.of("bench_m1"), first, last, 200, 1), "slices of 496 ms");
            // 99 slices of 1001 ms: edge k at first - 1 + 1001 k, on sample k at k = 1 (counted in the slice it ends)
            assertEquals(
                    200, StoredSamples.count(vm::get, List.of("bench_m1"), first, last, 99, 1), "edges on samples");
            assertEquals(
                    0, StoredSamples.count(vm::get, List.of("bench_m9"), first, last, 600, 50), "a name never sent");

            IOException refused = assertThrows(
                    IOException.class, () -> StoredSamples.count(vm::get, List.of("bad\"name"), first, last, 10, 5));
            assertTrue(refused.getMessage().contains("422"), refused.getMessage());
        }
    }
}
