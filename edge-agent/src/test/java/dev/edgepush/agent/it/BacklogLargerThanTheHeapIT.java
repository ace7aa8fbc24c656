package dev.edgepush.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.edgepush.forward.buffer.DiskBuffer;
import dev.edgepush.proto.WriteRequestDecoder;
import dev.edgepush.proto.WriteRequestEncoder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/**
 * Memory stays bounded whatever the backlog (README, "Memory"): the agent never loads the
 * backlog into the heap. A backlog ten times the agent's whole heap (3 M samples, ~225 MB as
 * WriteRequests) is written to the buffer, then a real agent process with {@code -Xmx24m} (and
 * {@code -XX:+ExitOnOutOfMemoryError}, as the launcher runs it) drains it into a counting
 * receiver. It must deliver every sample and still be alive, and its resident set must not grow
 * by more than a bounded margin over its own idle figure with the backlog pending (mapped queue
 * pages count in RSS). Sizes, not times, are asserted; {@code BacklogMemoryBench} measures the
 * 10 M case with the launcher's options.
 */
class BacklogLargerThanTheHeapIT {
    private static final int PER_EXCERPT = 10_000;
    private static final long SAMPLES = 3_000_000;
    /** Growth of VmHWM over the idle figure allowed while draining: JIT code, batch buffers, a mapped block or two. */
    private static final long MARGIN_KIB = 40 << 10;

    @TempDir
    Path dir;

    @Test
    void aBacklogTenTimesTheHeapDrainsCompletelyWithinABoundedResidentSet() throws Exception {
        Path data = dir.resolve("data");
        long uncompressed = fill(data.resolve("buffer"));
        assertTrue(uncompressed > 8L * (24 << 20), "the backlog is many times the heap: " + uncompressed + " bytes");

        int remotePort;
        try (ServerSocket s = new ServerSocket(0)) {
            remotePort = s.getLocalPort(); // nothing listens yet: the agent starts with the remote down
        }
        int statusPort;
        try (ServerSocket s = new ServerSocket(0)) {
            statusPort = s.getLocalPort();
        }
        AtomicLong received = new AtomicLong();
        HttpServer remote = null;
        try (AgentProcess agent = AgentProcess.start(
                dir.resolve("agent"),
                statusPort,
                List.of("-Xms8m", "-Xmx24m", "-XX:+ExitOnOutOfMemoryError"),
                "-remoteWrite.url=http://127.0.0.1:" + remotePort + "/api/v1/write",
                "-remoteWrite.tmpDataPath=" + data)) {
            assertEquals((double) SAMPLES, agent.metric("edge_agent_buffer_pending_samples"), "the backlog is found");
            AgentProcess.pause(3_000); // idle with the backlog pending and the remote unreachable
            long idleKiB = status(agent.pid, "VmRSS");

            remote = HttpServer.create(new InetSocketAddress("127.0.0.1", remotePort), 0);
            remote.setExecutor(Executors.newSingleThreadExecutor());
            remote.createContext("/api/v1/write", ex -> {
                byte[] raw = Snappy.uncompress(ex.getRequestBody().readAllBytes());
                received.addAndGet(WriteRequestDecoder.countSamples(raw, 0, raw.length));
                ex.sendResponseHeaders(204, -1);
                ex.close();
            });
            remote.start();

            long peakKiB = 0;
            long deadline = System.nanoTime() + 180_000_000_000L;
            while (received.get() < SAMPLES && agent.isAlive() && System.nanoTime() < deadline) {
                peakKiB = Math.max(peakKiB, status(agent.pid, "VmHWM"));
                AgentProcess.pause(100); // polling progress, not timing it
            }
            peakKiB = Math.max(peakKiB, status(agent.pid, "VmHWM"));
            String log = agent.logText();
            System.out.printf(
                    "backlog %d samples (%d MB as WriteRequests): received %d; agent VmRSS idle %d MiB,"
                            + " VmHWM while draining %d MiB (heap -Xmx24m)%n",
                    SAMPLES, uncompressed >> 20, received.get(), idleKiB >> 10, peakKiB >> 10);
            assertTrue(agent.isAlive(), "the agent is still running (no OutOfMemoryError exit):\n" + log);
            assertFalse(log.contains("OutOfMemoryError"), log);
            assertEquals(SAMPLES, received.get(), "every buffered sample arrived");
            assertTrue(
                    peakKiB - idleKiB <= MARGIN_KIB,
                    "resident set grew by " + ((peakKiB - idleKiB) >> 10) + " MiB while draining (idle "
                            + (idleKiB >> 10) + " MiB, peak " + (peakKiB >> 10) + " MiB)");
        } finally {
            if (remote != null) {
                remote.stop(0);
            }
        }
    }

    /** Writes {@link #SAMPLES} samples as excerpts of {@link #PER_EXCERPT} series; returns their uncompressed bytes. */
    private static long fill(Path bufferDir) throws IOException {
        WriteRequestEncoder enc = new WriteRequestEncoder(1 << 20);
        long ts = System.currentTimeMillis();
        long total = 0;
        try (DiskBuffer buffer = DiskBuffer.open(bufferDir)) {
            for (long done = 0; done < SAMPLES; done += PER_EXCERPT) {
                enc.reset();
                for (int i = 0; i < PER_EXCERPT; i++) {
                    String[] labels = {
                        "__name__",
                        "backlog_metric_" + (i % 100),
                        "instance",
                        "robot-17:9100",
                        "job",
                        "sensors",
                        "series",
                        Integer.toString(i)
                    };
                    enc.addSeries(labels, 4, done + i, ts + done / PER_EXCERPT);
                }
                if (buffer.append(enc.array(), enc.size(), PER_EXCERPT, ts) < 0) {
                    throw new IOException("append failed: " + buffer.appendFailure());
                }
                total += enc.size();
            }
        }
        return total;
    }

    /** A field of /proc/PID/status in KiB (0 once the process is gone). */
    private static long status(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return 0;
    }
}
