package dev.edgepush.ingest.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.edgepush.forward.buffer.BufferReader;
import dev.edgepush.forward.buffer.DiskBuffer;
import dev.edgepush.ingest.decode.BatchBuilder;
import dev.edgepush.ingest.decode.StampedBatch;
import dev.edgepush.proto.rw1.RemoteWrite;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/**
 * {@code -remoteWrite.queues}: lanes per destination. A series always lands on the same lane;
 * the lanes of a destination have requests in flight at the same time; lane directories are
 * reopened after a restart.
 */
class ForwardingLanesTest {
    private static final String UNREACHABLE = "http://127.0.0.1:9/api/v1/write";

    @TempDir
    Path dir;

    private final List<HttpServer> servers = new ArrayList<>();
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        servers.forEach(s -> s.stop(0));
        pool.shutdownNow();
    }

    private static StampedBatch batch(String robot, int shards, int lanes, int series, long ts) throws Exception {
        BatchBuilder b = new BatchBuilder(robot, shards, lanes, 0);
        for (int i = 0; i < series; i++) {
            b.beginSeries(i, new String[] {"__name__", "m", "i", Integer.toString(i)}, 2);
            b.sample(i, ts);
        }
        return b.build();
    }

    private static String key(RemoteWrite.TimeSeries ts) {
        return ts.getLabelsList().stream()
                .map(l -> l.getName() + "=" + l.getValue())
                .collect(Collectors.joining(","));
    }

    /** Series key -> timestamps, in WAL order, of every excerpt left in a lane directory. */
    private static Map<String, List<Long>> walContent(Path laneDir) throws Exception {
        Map<String, List<Long>> out = new HashMap<>();
        try (DiskBuffer buf = DiskBuffer.open(laneDir, 0);
                BufferReader r = buf.reader()) {
            BufferReader.Record rec = new BufferReader.Record();
            while (r.next(rec)) {
                byte[] wr = new byte[rec.uncompressedLength];
                int n = rec.decompressTo(wr, 0);
                RemoteWrite.WriteRequest req = RemoteWrite.WriteRequest.parseFrom(java.util.Arrays.copyOf(wr, n));
                for (RemoteWrite.TimeSeries ts : req.getTimeseriesList()) {
                    List<Long> t = out.computeIfAbsent(key(ts), k -> new ArrayList<>());
                    ts.getSamplesList().forEach(s -> t.add(s.getTimestamp()));
                }
            }
        }
        return out;
    }

    @Test
    void aSeriesAlwaysLandsOnTheSameLaneAndLaneDirectoriesAreReopened() throws Exception {
        List<String> urls = List.of(UNREACHABLE);
        try (ForwardingWal wal = new ForwardingWal(dir, urls, 3, 0)) {
            for (long ts = 1; ts <= 5; ts++) {
                wal.append("0", batch("r1", 1, 3, 200, ts * 1000), ts);
            }
            assertEquals(1000, wal.pendingSamples(), "pending sums every lane");
        }
        try (var s = Files.list(dir)) {
            assertEquals(
                    Set.of("shard-0", "shard-0-lane-1", "shard-0-lane-2"),
                    s.map(p -> p.getFileName().toString()).collect(Collectors.toSet()),
                    "lane 0 keeps the pre-lane name");
        }
        Set<String> seen = new HashSet<>();
        for (String lane : new String[] {"shard-0", "shard-0-lane-1", "shard-0-lane-2"}) {
            Map<String, List<Long>> content = walContent(dir.resolve(lane));
            assertFalse(content.isEmpty(), lane + " got series");
            for (Map.Entry<String, List<Long>> e : content.entrySet()) {
                assertTrue(seen.add(e.getKey()), e.getKey() + " is on more than one lane");
                assertEquals(
                        List.of(1000L, 2000L, 3000L, 4000L, 5000L),
                        e.getValue(),
                        "every sample of " + e.getKey() + " on its lane, in order");
            }
        }
        assertEquals(200, seen.size());

        // Restart: every lane directory is reopened (nothing is pushed after it), and a lane beyond
        // the new number of lanes is still drained: its backlog counts.
        try (ForwardingWal wal = new ForwardingWal(dir, urls, 3, 0)) {
            assertEquals(1000, wal.pendingSamples(), "the backlog of every lane is there after a restart");
        }
        try (ForwardingWal wal = new ForwardingWal(dir, urls, 2, 0)) {
            assertEquals(1000, wal.pendingSamples(), "lane 2 is reopened although -remoteWrite.queues=2");
        }
    }

    /** A WAL that cannot write (full disk) makes append throw, so the robot gets 500 and keeps its data. */
    @Test
    void aFullWalDiskFailsTheAppendInsteadOfAcknowledgingIt() throws Exception {
        try (ForwardingWal wal = new ForwardingWal(dir, List.of(UNREACHABLE), 1, 0)) {
            wal.bufferFor(0, "0", 0).injectAppendFailure(new java.io.IOException("No space left on device"));
            java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(
                    java.io.IOException.class, () -> wal.append("0", batch("r1", 1, 1, 10, 1000), 1));
            assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
            assertEquals(0, wal.pendingSamples());
            wal.bufferFor(0, "0", 0).injectAppendFailure(null);
            wal.append("0", batch("r1", 1, 1, 10, 2000), 2);
            assertEquals(10, wal.pendingSamples(), "writable again: accepted");
        }
    }

    @Test
    void aLaneDirectoryIsDrainedToItsReceiverAfterRestart() throws Exception {
        AtomicInteger received = new AtomicInteger();
        String url = receiver("a", null, null, received);
        try (ForwardingWal wal = new ForwardingWal(dir, List.of(UNREACHABLE), 2, 0)) {
            wal.append("0", batch("r1", 1, 2, 100, 1000), 1);
        }
        try (ForwardingWal wal = new ForwardingWal(dir, List.of(url), 2, 0)) {
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (wal.forwardedSamples() < 100 && System.nanoTime() < deadline) {
                Thread.sleep(50); // polling the forwarder, no timing assumption
            }
            assertEquals(100, wal.forwardedSamples(), "forwarded sums every lane");
            assertEquals(0, wal.pendingSamples());
        }
        assertEquals(100, received.get());
    }

    /**
     * Two slow receivers (shards), two lanes each: while every request waits on a latch, each
     * receiver has two requests in flight at once, one per lane, with disjoint series.
     */
    @Test
    void lanesDrainInParallel() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Map<String, List<Set<String>>> inFlight = new ConcurrentHashMap<>();
        AtomicInteger received = new AtomicInteger();
        List<String> urls =
                List.of(receiver("a", release, inFlight, received), receiver("b", release, inFlight, received));
        try (ForwardingWal wal = new ForwardingWal(dir, urls, 2, 0)) {
            wal.append("0", batch("r1", 2, 2, 400, 1000), 1);
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (!(inFlightCount(inFlight, "a") >= 2 && inFlightCount(inFlight, "b") >= 2)
                    && System.nanoTime() < deadline) {
                Thread.sleep(20); // polling, no timing assumption: the assertion is on concurrency
            }
            wal.append("0", batch("r1", 2, 2, 400, 2000), 2);
            wal.append("0", batch("r1", 2, 2, 400, 3000), 3);
            for (String r : new String[] {"a", "b"}) {
                List<Set<String>> reqs;
                synchronized (inFlight) {
                    reqs = new ArrayList<>(inFlight.getOrDefault(r, List.of()));
                }
                assertEquals(2, reqs.size(), "receiver " + r + ": both lanes have a request in flight at once");
                assertTrue(
                        reqs.get(0).stream().noneMatch(reqs.get(1)::contains), "the two lanes carry different series");
            }
            release.countDown();
            deadline = System.nanoTime() + 120_000_000_000L;
            while (wal.forwardedSamples() < 1200 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(1200, wal.forwardedSamples());
            assertEquals(0, wal.pendingSamples());
        }
        assertEquals(1200, received.get());
        assertTrue(order.isEmpty(), "per-series timestamp order on the wire: " + order);
    }

    /** Series key -> last timestamp received; series received out of order. */
    private final Map<String, Long> last = new ConcurrentHashMap<>();

    private final Set<String> order = ConcurrentHashMap.newKeySet();

    private static int inFlightCount(Map<String, List<Set<String>>> inFlight, String r) {
        synchronized (inFlight) {
            return inFlight.getOrDefault(r, List.of()).size();
        }
    }

    /**
     * A remote-write receiver. With {@code release}, a request is recorded in {@code inFlight}
     * under {@code name} and then waits for the latch.
     */
    private String receiver(
            String name, CountDownLatch release, Map<String, List<Set<String>>> inFlight, AtomicInteger received)
            throws Exception {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        s.setExecutor(pool); // requests handled concurrently
        s.createContext("/", ex -> {
            RemoteWrite.WriteRequest wr = RemoteWrite.WriteRequest.parseFrom(
                    Snappy.uncompress(ex.getRequestBody().readAllBytes()));
            Set<String> keys = new HashSet<>();
            int samples = 0;
            for (RemoteWrite.TimeSeries ts : wr.getTimeseriesList()) {
                String k = key(ts);
                keys.add(k);
                for (RemoteWrite.Sample smp : ts.getSamplesList()) {
                    Long prev = last.put(k, smp.getTimestamp());
                    if (prev != null && prev > smp.getTimestamp()) {
                        order.add(k);
                    }
                    samples++;
                }
            }
            if (release != null && release.getCount() > 0) {
                synchronized (inFlight) {
                    inFlight.computeIfAbsent(name, k -> new ArrayList<>()).add(keys);
                }
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            received.addAndGet(samples);
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        s.start();
        servers.add(s);
        return "http://127.0.0.1:" + s.getAddress().getPort() + "/api/v1/write";
    }
}
