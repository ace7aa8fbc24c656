package dev.edgepush.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.edgepush.proto.rw1.RemoteWrite;
import dev.edgepush.testsupport.CountingTarget;
import dev.edgepush.testsupport.Loopback;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/**
 * SIGTERM is an orderly stop: the agent exits 0 within a few seconds, having written every
 * scrape it made and persisted what the remote acknowledged, and the next start resumes
 * exactly: every answered scrape arrives, and none arrives twice (an acknowledged batch is
 * never sent again).
 */
class SigtermStopAndResumeIT {
    @TempDir
    Path dir;

    /**
     * Counts how many times each {@code test_seq} value arrived, and keeps what {@link ScrapeLedger}
     * needs: each seq's scrape timestamp and the timestamps of the {@code up 0} the agent recorded.
     */
    static final class CountingReceiver implements AutoCloseable {
        final HttpServer server;
        final Map<Long, AtomicInteger> arrivals = new ConcurrentHashMap<>();
        final Map<Long, Long> seqTimestamps = new ConcurrentHashMap<>();
        final java.util.Queue<Long> upZeroMs = new java.util.concurrent.ConcurrentLinkedQueue<>();

        CountingReceiver() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setExecutor(Executors.newSingleThreadExecutor());
            server.createContext("/api/v1/write", ex -> {
                RemoteWrite.WriteRequest req = RemoteWrite.WriteRequest.parseFrom(
                        Snappy.uncompress(ex.getRequestBody().readAllBytes()));
                for (RemoteWrite.TimeSeries ts : req.getTimeseriesList()) {
                    if (ts.getLabelsList().stream()
                            .anyMatch(l -> l.getName().equals("__name__")
                                    && l.getValue().equals("test_seq"))) {
                        for (RemoteWrite.Sample s : ts.getSamplesList()) {
                            if (!Double.isNaN(s.getValue())) {
                                arrivals.computeIfAbsent((long) s.getValue(), k -> new AtomicInteger())
                                        .incrementAndGet();
                                seqTimestamps.putIfAbsent((long) s.getValue(), s.getTimestamp());
                            }
                        }
                    } else if (ts.getLabelsList().stream()
                            .anyMatch(l -> l.getName().equals("__name__")
                                    && l.getValue().equals("up"))) {
                        for (RemoteWrite.Sample s : ts.getSamplesList()) {
                            if (s.getValue() == 0) {
                                upZeroMs.add(s.getTimestamp());
                            }
                        }
                    }
                }
                ex.sendResponseHeaders(204, -1);
                ex.close();
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1/write";
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    @Test
    void sigtermExitsZeroQuicklyAndTheNextStartResumesWithoutLossOrDuplicates() throws Exception {
        try (CountingReceiver receiver = new CountingReceiver();
                CountingTarget target = new CountingTarget(20)) {
            Path config = dir.resolve("scrape.yml");
            Files.writeString(
                    config,
                    "global:\n  scrape_interval: 100ms\nscrape_configs:\n  - job_name: t\n"
                            + "    static_configs:\n      - targets: ['127.0.0.1:" + target.port() + "']\n");
            int statusPort = Loopback.freePort();
            String[] flags = {
                "-promscrape.config=" + config,
                "-remoteWrite.url=" + receiver.url(),
                "-remoteWrite.tmpDataPath=" + dir.resolve("agent-data"),
                "-remoteWrite.flushInterval=100ms"
            };
            int[] exitCodes = new int[2];
            long[] stopMs = new long[2];
            String firstLog;
            long stoppedServingMs = Long.MAX_VALUE;
            StringBuilder logs = new StringBuilder();
            for (int run = 0; run < 2; run++) {
                AgentProcess agent = AgentProcess.start(dir, statusPort, flags);
                try {
                    int before = receiver.arrivals.size();
                    awaitReceived(receiver, before + 10);
                    if (run == 1) {
                        stoppedServingMs = System.currentTimeMillis();
                        target.stopServing(); // no new scrapes: wait for all answered ones to arrive
                        awaitAllAnsweredReceived(receiver, target);
                    }
                    long t0 = System.nanoTime();
                    exitCodes[run] = agent.terminate();
                    stopMs[run] = (System.nanoTime() - t0) / 1_000_000;
                    logs.append("--- run ").append(run).append('\n').append(agent.logText());
                    if (run == 0) {
                        firstLog = agent.logText();
                        assertTrue(firstLog.contains("received SIGTERM"), firstLog);
                        assertTrue(firstLog.contains("edge-agent stopped"), firstLog);
                        // Chronicle's start-up chatter (and Affinity's "JNA not available", which is on
                        // purpose) stays out of the operator's log: see simplelogger.properties.
                        assertFalse(firstLog.contains("net.openhft"), firstLog);
                    }
                } finally {
                    agent.close();
                }
            }
            TreeSet<Long> missing = new TreeSet<>(target.answered.keySet());
            missing.removeAll(receiver.arrivals.keySet());
            Map<Long, Integer> duplicates = new TreeMap<>();
            receiver.arrivals.forEach((seq, n) -> {
                if (n.get() > 1) {
                    duplicates.put(seq, n.get());
                }
            });
            System.out.printf(
                    "exit=%d,%d stop_ms=%d,%d answered=%d received=%d missing=%s duplicates=%s%n",
                    exitCodes[0],
                    exitCodes[1],
                    stopMs[0],
                    stopMs[1],
                    target.answered.size(),
                    receiver.arrivals.size(),
                    missing,
                    duplicates);
            if (!missing.isEmpty() || !duplicates.isEmpty()) {
                System.out.println(logs);
            }
            assertEquals(0, exitCodes[0], "SIGTERM is a clean stop");
            assertEquals(0, exitCodes[1], "SIGTERM is a clean stop");
            assertTrue(
                    stopMs[0] < 10_000 && stopMs[1] < 10_000, "stopped within 10 s: " + stopMs[0] + ", " + stopMs[1]);
            // A scrape the agent itself gave up on (the first one of a cold JVM, or any on a loaded
            // machine, can exceed a 100 ms scrape_timeout) was never buffered: not a loss of the buffer.
            // Each such scrape left its own up 0 (ScrapeLedger matches them one for one); there is no
            // kill -9 here, so nothing else excuses a missing scrape. up 0 after the target stopped
            // serving are its 503s, not excuses for earlier scrapes.
            final long stopped = stoppedServingMs;
            ScrapeLedger ledger = new ScrapeLedger(
                    target.answered.keySet(),
                    receiver.seqTimestamps,
                    receiver.upZeroMs.stream().filter(t -> t < stopped).toList(),
                    java.util.List.of());
            System.out.println(
                    "ledger: " + ledger + " lost=" + ledger.lost + " failed_by_agent=" + ledger.failedByAgent);
            assertEquals(
                    java.util.Set.of(),
                    ledger.lost,
                    "answered scrapes that never arrived, with no up 0 of their own: " + ledger.lost + " (all missing: "
                            + missing + ")");
            assertEquals(Map.of(), duplicates, "seqs that arrived more than once");
        }
    }

    private static void awaitReceived(CountingReceiver r, int n) throws IOException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (r.arrivals.size() < n) {
            if (System.nanoTime() > deadline) {
                throw new IOException("only " + r.arrivals.size() + " of " + n + " seqs arrived");
            }
            AgentProcess.pause(20);
        }
    }

    private static void awaitAllAnsweredReceived(CountingReceiver r, CountingTarget t) {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!r.arrivals.keySet().containsAll(t.answered.keySet()) && System.nanoTime() < deadline) {
            AgentProcess.pause(20);
        }
    }
}
