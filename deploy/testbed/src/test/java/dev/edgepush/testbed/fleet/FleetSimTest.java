package dev.edgepush.testbed.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The senders against a stub receiver: retries after 5xx and 429, backlogs sent when back online. */
class FleetSimTest {
    @Test
    void retries5xxAnd429AndSendsTheOfflineBacklogWithItsHeaders() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        AtomicInteger calls = new AtomicInteger();
        ConcurrentLinkedQueue<String> pendingHeaders = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> auth = new ConcurrentLinkedQueue<>();
        server.createContext("/api/v1/write", ex -> {
            ex.getRequestBody().readAllBytes();
            pendingHeaders.add(ex.getRequestHeaders().getFirst("X-Edgepush-Pending-Samples") + "/"
                    + ex.getRequestHeaders().getFirst("X-Edgepush-Oldest-Pending-Age-Seconds"));
            auth.add(ex.getRequestHeaders().getFirst("Authorization"));
            int n = calls.incrementAndGet();
            if (n == 1) {
                ex.sendResponseHeaders(503, -1);
            } else if (n == 2) {
                ex.getResponseHeaders().add("Retry-After", "1");
                ex.sendResponseHeaders(429, -1);
            } else {
                try {
                    Thread.sleep(20); // every acknowledged push takes at least 20 ms
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                ex.sendResponseHeaders(204, -1);
            }
            ex.close();
        });
        server.start();
        try {
            // Two robots, 12 batches each; robot 1 goes offline for a span.
            FleetPlan plan = FleetPlan.plan(2, 3_000, 250, 0.5, 6, 3);
            assertEquals(
                    1, plan.robots.stream().filter(p -> !p.offline().isEmpty()).count());
            FleetSim.Config cfg = new FleetSim.Config(
                    URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1/write"), 5, 4, 100, "t1");
            try (FleetSim sim = new FleetSim(cfg, plan, List.of("a", "b"), List.of("tok-a", "tok-b"))) {
                sim.start();
                long deadline = System.nanoTime() + 120_000_000_000L;
                while (!sim.drained() && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertTrue(sim.drained(), "drained");
                assertEquals(2 * 12 * 5L, sim.generatedSamples(0) + sim.generatedSamples(1));
                assertEquals(sim.generated.sum(), sim.acked.sum());
                assertEquals(1, sim.http5xx.sum());
                assertEquals(1, sim.http429.sum());
                assertEquals(0, sim.dropped.sum());
                assertEquals(calls.get() - 2, sim.timeToAck.count(), "every 204 timed, the 503 and 429 not");
                assertTrue(sim.timeToAck.percentile(0.5) >= 20, "p50 " + sim.timeToAck.percentile(0.5));
                assertTrue(sim.timeToAck.percentile(0.99) >= sim.timeToAck.percentile(0.5));
            }
            // Some request carried a backlog of more than one batch (5 samples each), and an age.
            assertTrue(
                    pendingHeaders.stream().anyMatch(h -> Long.parseLong(h.split("/")[0]) > 5),
                    pendingHeaders::toString);
            assertTrue(
                    pendingHeaders.stream().allMatch(h -> h.matches("\\d+/\\d+\\.\\d{3}")), pendingHeaders::toString);
            assertTrue(auth.containsAll(List.of("Bearer tok-a", "Bearer tok-b")));
        } finally {
            server.stop(0);
        }
    }
}
