package dev.edgepush.ingest.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.edgepush.ingest.decode.BatchBuilder;
import dev.edgepush.ingest.decode.StampedBatch;
import dev.edgepush.proto.rw1.RemoteWrite;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/**
 * Cluster mode: two vminsert-like receivers, URLs with {tenant}. Every series reaches exactly one
 * shard, always the same one, under its tenant's path; each (shard, tenant) has its own WAL
 * directory, reopened after a restart.
 */
class ShardedClusterForwardingTest {
    @TempDir
    Path dir;

    private final List<HttpServer> servers = new ArrayList<>();
    /** "shard path" -> series keys received. */
    private final Map<String, Set<String>> received = new ConcurrentHashMap<>();

    private String receiver(String name) throws Exception {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        s.createContext("/", ex -> {
            byte[] body = Snappy.uncompress(ex.getRequestBody().readAllBytes());
            RemoteWrite.WriteRequest wr = RemoteWrite.WriteRequest.parseFrom(body);
            Set<String> keys = received.computeIfAbsent(
                    name + " " + ex.getRequestURI().getPath(), k -> ConcurrentHashMap.newKeySet());
            for (RemoteWrite.TimeSeries ts : wr.getTimeseriesList()) {
                keys.add(ts.getLabelsList().stream()
                        .map(l -> l.getName() + "=" + l.getValue())
                        .collect(Collectors.joining(",")));
            }
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        s.start();
        servers.add(s);
        return "http://127.0.0.1:" + s.getAddress().getPort() + "/insert/{tenant}/prometheus/api/v1/write";
    }

    @AfterEach
    void stop() {
        servers.forEach(s -> s.stop(0));
    }

    private static StampedBatch batch(String robot, int series) throws Exception {
        BatchBuilder b = new BatchBuilder(robot, 2);
        for (int i = 0; i < series; i++) {
            b.beginSeries(i, new String[] {"__name__", "m", "i", Integer.toString(i)}, 2);
            b.sample(i, 1000);
        }
        return b.build();
    }

    @Test
    void seriesAreShardedConsistentlyAndForwardedUnderTheirTenantsPath() throws Exception {
        List<String> urls = List.of(receiver("a"), receiver("b"));
        try (ForwardingWal wal = new ForwardingWal(dir, urls, 0)) {
            wal.append("42", batch("r1", 100), 1);
            wal.append("42", batch("r1", 100), 2); // the same series again: same shards
            wal.append("7:1", batch("r2", 100), 3);
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (wal.forwardedSamples() < 300 && System.nanoTime() < deadline) {
                Thread.sleep(50); // polling the forwarder, no timing assumption
            }
            assertEquals(300, wal.forwardedSamples());
            assertEquals(0, wal.pendingSamples());
        }
        assertEquals(
                Set.of(
                        "a /insert/42/prometheus/api/v1/write",
                        "b /insert/42/prometheus/api/v1/write",
                        "a /insert/7:1/prometheus/api/v1/write",
                        "b /insert/7:1/prometheus/api/v1/write"),
                received.keySet());
        for (String tenant : new String[] {"42", "7:1"}) {
            Set<String> a = received.get("a /insert/" + tenant + "/prometheus/api/v1/write");
            Set<String> b = received.get("b /insert/" + tenant + "/prometheus/api/v1/write");
            assertEquals(100, a.size() + b.size(), "every series on exactly one shard");
            assertTrue(a.stream().noneMatch(b::contains));
        }
        try (var s = Files.list(dir)) {
            assertEquals(
                    Set.of("shard-0-tenant-42", "shard-1-tenant-42", "shard-0-tenant-7_1", "shard-1-tenant-7_1"),
                    s.map(p -> p.getFileName().toString()).collect(Collectors.toSet()));
        }
    }

    @Test
    void backlogOfEveryDestinationIsReopenedAfterRestart() throws Exception {
        List<String> urls = List.of(
                "http://127.0.0.1:9/insert/{tenant}/prometheus/api/v1/write",
                "http://127.0.0.1:9/insert/{tenant}/prometheus/api/v1/write");
        try (ForwardingWal wal = new ForwardingWal(dir, urls, 0)) {
            wal.append("42", batch("r1", 50), 1);
            assertEquals(50, wal.pendingSamples());
        }
        try (ForwardingWal wal = new ForwardingWal(dir, urls, 0)) {
            assertEquals(50, wal.pendingSamples(), "nothing pushed since the restart, yet the backlog is there");
        }
    }
}
