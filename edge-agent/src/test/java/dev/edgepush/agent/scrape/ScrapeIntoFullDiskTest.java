package dev.edgepush.agent.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.edgepush.agent.AgentMetrics;
import dev.edgepush.forward.buffer.DiskBuffer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk (ENOSPC) before the cap, through the real scrape path: the failure is injected
 * into DiskBuffer (a real ENOSPC needs a small file system; see the report for a manual tmpfs
 * run). The scrape loop survives, the samples count as disk_full, the state is logged once
 * per change, and writing resumes when space returns.
 */
class ScrapeIntoFullDiskTest {
    @TempDir
    Path dir;

    HttpServer target;
    EventLoopGroup group;
    DiskBuffer buffer;
    final AtomicLong clock = new AtomicLong(1_000_000);
    final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    PrintStream originalErr;

    @BeforeEach
    void start() throws IOException {
        target = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        target.createContext("/metrics", ex -> {
            byte[] body = "a 1\nb 2\nc 3\n".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(body);
            }
        });
        target.start();
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        buffer = DiskBuffer.open(dir);
        originalErr = System.err;
        System.setErr(new PrintStream(logged, true, StandardCharsets.UTF_8)); // slf4j-simple logs here
    }

    @AfterEach
    void stop() {
        System.setErr(originalErr);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        buffer.close();
        target.stop(0);
    }

    private void scrape(ScrapeLoop loop, EventLoop el) throws Exception {
        clock.addAndGet(1000);
        el.submit(loop::scrapeOnce).sync();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (loop.scrapeInFlight() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(!loop.scrapeInFlight(), "the scrape finished");
    }

    private long count(String text) {
        String log = logged.toString(StandardCharsets.UTF_8);
        return log.lines().filter(l -> l.contains(text)).count();
    }

    @Test
    void aFullDiskDropsAndCountsScrapesLogsOnceAndRecovers() throws Exception {
        EventLoop el = group.next();
        AgentMetrics metrics = new AgentMetrics(clock::get);
        metrics.bindBuffer(
                buffer::bufferedSamplesTotal,
                buffer::pendingSamples,
                () -> 0,
                buffer::corruptSamplesTotal,
                buffer::diskFullSamplesTotal,
                buffer::tooLargeSamplesTotal);
        ScrapeTarget t = new ScrapeTarget(
                "j",
                "127.0.0.1",
                URI.create("http://127.0.0.1:" + target.getAddress().getPort() + "/metrics"),
                Duration.ofHours(1),
                Duration.ofSeconds(5),
                false,
                true,
                new TreeMap<>(Map.of("job", "j")));
        ScrapeLoop loop = new ScrapeLoop(
                t, new HttpScraper(group, 1 << 20, "test"), buffer, metrics, clock::get, el, new TreeMap<>(), Map.of());

        scrape(loop, el);
        long perScrape = buffer.bufferedSamplesTotal();
        assertTrue(perScrape >= 3 + 5, "3 scraped + 5 synthetic: " + perScrape);

        buffer.injectAppendFailure(new IOException("No space left on device"));
        scrape(loop, el);
        scrape(loop, el);
        assertEquals(2 * perScrape, metrics.droppedTotal("disk_full"), "both scrapes counted once as disk_full");
        assertEquals(perScrape, buffer.bufferedSamplesTotal(), "nothing written meanwhile");
        assertEquals("No space left on device", buffer.appendFailure());
        assertTrue(loop.status().up(), "the target itself is fine");
        assertEquals(1, count("buffer disk full: "), logged.toString(StandardCharsets.UTF_8));
        assertEquals(0, count("cannot write a scrape"), "no line per scrape");

        buffer.injectAppendFailure(null); // space is back
        scrape(loop, el);
        scrape(loop, el);
        assertNull(buffer.appendFailure());
        assertEquals(3 * perScrape, buffer.bufferedSamplesTotal());
        assertEquals(3 * perScrape, buffer.pendingSamples());
        assertEquals(2 * perScrape, metrics.droppedTotal("disk_full"));
        assertEquals(1, count("buffer writable again"), logged.toString(StandardCharsets.UTF_8));
        assertEquals(1, count("buffer disk full: "));
    }
}
