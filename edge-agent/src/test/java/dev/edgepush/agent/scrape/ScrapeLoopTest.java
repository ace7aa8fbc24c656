package dev.edgepush.agent.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.edgepush.agent.AgentMetrics;
import dev.edgepush.compat.Relabeler;
import dev.edgepush.compat.ScrapeAuth;
import dev.edgepush.compat.TlsConfig;
import dev.edgepush.forward.buffer.BufferReader;
import dev.edgepush.forward.buffer.DiskBuffer;
import dev.edgepush.proto.rw1.RemoteWrite;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One scrape through the real Netty client into the real buffer, read back and decoded. */
class ScrapeLoopTest {
    @TempDir
    Path dir;

    HttpServer server;
    EventLoopGroup group;
    DiskBuffer buffer;
    AgentMetrics metrics;
    volatile byte[] body = "ok_metric 1\n".getBytes(StandardCharsets.UTF_8);
    volatile boolean gzip;
    volatile long delayMs;
    volatile int status = 200;
    volatile String lastQuery;
    volatile String lastAuthorization;

    @BeforeEach
    void setUp() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/metrics", ex -> {
            try {
                Thread.sleep(delayMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            lastQuery = ex.getRequestURI().getRawQuery();
            lastAuthorization = ex.getRequestHeaders().getFirst("Authorization");
            byte[] out = body;
            if (gzip
                    && String.valueOf(ex.getRequestHeaders().getFirst("Accept-Encoding"))
                            .contains("gzip")) {
                ByteArrayOutputStream bos = new ByteArrayOutputStream();
                try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
                    gz.write(out);
                }
                out = bos.toByteArray();
                ex.getResponseHeaders().set("Content-Encoding", "gzip");
            }
            ex.sendResponseHeaders(status, out.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(out);
            } catch (IOException e) {
                // the client gave up (timeout test)
            }
        });
        server.start();
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        buffer = DiskBuffer.open(dir);
        metrics = new AgentMetrics(System::currentTimeMillis);
    }

    @AfterEach
    void tearDown() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        server.stop(0);
        buffer.close();
    }

    private ScrapeLoop loop(int maxBody, Duration timeout) {
        return loop(maxBody, timeout, "", ScrapeAuth.NONE, 0, 0);
    }

    private ScrapeLoop loop(
            int maxBody, Duration timeout, String query, ScrapeAuth auth, int sampleLimit, int labelLimit) {
        int port = server.getAddress().getPort();
        ScrapeTarget t = new ScrapeTarget(
                "j",
                "127.0.0.1:" + port,
                URI.create("http://127.0.0.1:" + port + "/metrics" + query),
                Duration.ofSeconds(10),
                timeout,
                false,
                true,
                new TreeMap<>(Map.of("job", "j", "instance", "127.0.0.1:" + port)),
                Relabeler.EMPTY,
                auth,
                TlsConfig.DEFAULT,
                sampleLimit,
                labelLimit);
        return new ScrapeLoop(
                t,
                new HttpScraper(group, maxBody, "test"),
                buffer,
                metrics,
                System::currentTimeMillis,
                group.next(),
                new TreeMap<>(),
                Map.of());
    }

    /** Runs one scrape and returns the written series as name -> value. */
    private Map<String, Double> scrapeOnce(ScrapeLoop loop) throws Exception {
        long before = buffer.bufferedSamplesTotal();
        CountDownLatch done = new CountDownLatch(1);
        group.next().execute(loop::scrapeOnce);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (buffer.bufferedSamplesTotal() == before && System.nanoTime() < deadline) {
            done.await(10, TimeUnit.MILLISECONDS);
        }
        return written();
    }

    /** Every series written so far, name -> its latest value. */
    private Map<String, Double> written() throws IOException {
        Map<String, Double> out = new HashMap<>();
        try (BufferReader r = buffer.reader()) {
            BufferReader.Record rec = new BufferReader.Record();
            while (r.next(rec)) {
                byte[] raw = new byte[rec.uncompressedLength];
                rec.decompressTo(raw, 0);
                for (RemoteWrite.TimeSeries ts :
                        RemoteWrite.WriteRequest.parseFrom(raw).getTimeseriesList()) {
                    String name = ts.getLabelsList().stream()
                            .filter(l -> l.getName().equals("__name__"))
                            .findFirst()
                            .orElseThrow()
                            .getValue();
                    out.put(name, ts.getSamples(0).getValue());
                }
            }
        }
        return out;
    }

    /** Removed from file_sd: every series of the target, synthetic ones included, ends with a staleness marker. */
    @Test
    void aRemovedTargetsSeriesAllGetStalenessMarkers() throws Exception {
        body = "a 1\nb{x=\"y\"} 2\n".getBytes(StandardCharsets.UTF_8);
        ScrapeLoop l = loop(1 << 20, Duration.ofSeconds(5));
        Map<String, Double> first = scrapeOnce(l);
        assertEquals(1.0, first.get("a"));
        assertEquals(1.0, first.get("up"));
        long before = buffer.bufferedSamplesTotal();
        l.stopAsRemoved();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (buffer.bufferedSamplesTotal() == before && System.nanoTime() < deadline) {
            Thread.sleep(10); // polling for the event loop, not timing it
        }
        assertEquals(
                first.size(),
                buffer.bufferedSamplesTotal() - before,
                "one marker per series written: " + first.keySet());
        Map<String, Double> after = written();
        assertEquals(first.keySet(), after.keySet());
        after.forEach(
                (name, v) -> assertEquals(0x7ff0000000000002L, Double.doubleToRawLongBits(v), name + " is stale"));
        group.next().submit(l::scrapeOnce).sync();
        Thread.sleep(200); // a stopped loop does not scrape again; nothing more may arrive
        assertEquals(before + first.size(), buffer.bufferedSamplesTotal(), "nothing after the markers");
    }

    @Test
    void aGzippedBodyIsDecompressedAndTheSyntheticSeriesAreAdded() throws Exception {
        gzip = true;
        body = "a 1\nb{x=\"y\"} 2\n".getBytes(StandardCharsets.UTF_8);
        ScrapeLoop loop = loop(1 << 20, Duration.ofSeconds(5));
        Map<String, Double> s = scrapeOnce(loop);
        assertEquals(1.0, s.get("a"));
        assertEquals(2.0, s.get("b"));
        assertEquals(1.0, s.get("up"));
        assertEquals(2.0, s.get("scrape_samples_scraped"));
        assertEquals(2.0, s.get("scrape_samples_post_metric_relabeling"));
        assertEquals(2.0, s.get("scrape_series_added"));
        assertTrue(s.containsKey("scrape_duration_seconds"));
        assertTrue(loop.status().up());
    }

    @Test
    void aMalformedExpositionFailsTheScrapeWithUpZeroAndTheErrorShown() throws Exception {
        body = "good 1\nbad{x=\"unterminated} 2\n".getBytes(StandardCharsets.UTF_8);
        ScrapeLoop loop = loop(1 << 20, Duration.ofSeconds(5));
        Map<String, Double> s = scrapeOnce(loop);
        assertEquals(0.0, s.get("up"));
        assertFalse(s.containsKey("good"), "a partial exposition is not written");
        assertFalse(loop.status().up());
        assertTrue(loop.status().lastError().contains("line 2"), loop.status().lastError());
    }

    @Test
    void aBodyOverTheCapFailsTheScrape() throws Exception {
        body = "x 1\n".repeat(1000).getBytes(StandardCharsets.UTF_8);
        ScrapeLoop loop = loop(100, Duration.ofSeconds(5));
        assertEquals(0.0, scrapeOnce(loop).get("up"));
        assertTrue(
                loop.status().lastError().contains("larger than 100 bytes"),
                loop.status().lastError());
    }

    @Test
    void aSlowTargetTimesOut() throws Exception {
        delayMs = 2000;
        ScrapeLoop loop = loop(1 << 20, Duration.ofMillis(200));
        assertEquals(0.0, scrapeOnce(loop).get("up"));
        assertTrue(
                loop.status().lastError().contains("timed out"), loop.status().lastError());
    }

    @Test
    void aNon200IsDown() throws Exception {
        status = 503;
        ScrapeLoop loop = loop(1 << 20, Duration.ofSeconds(5));
        assertEquals(0.0, scrapeOnce(loop).get("up"));
        assertTrue(loop.status().lastError().contains("HTTP 503"), loop.status().lastError());
    }

    @Test
    void overSampleLimitTheScrapeFailsAndNothingScrapedIsStoredButTheCountsAre() throws Exception {
        body = "a 1\nb 2\nc 3\n".getBytes(StandardCharsets.UTF_8);
        ScrapeLoop loop = loop(1 << 20, Duration.ofSeconds(5), "", ScrapeAuth.NONE, 2, 0);
        Map<String, Double> s = scrapeOnce(loop);
        assertEquals(0.0, s.get("up"));
        assertFalse(s.containsKey("a"));
        assertEquals(3.0, s.get("scrape_samples_scraped"), "vmagent reports what was scraped");
        assertEquals(3.0, s.get("scrape_samples_post_metric_relabeling"));
        assertEquals(0.0, s.get("scrape_series_added"));
        assertEquals(2.0, s.get("scrape_samples_limit"), "vmagent adds the limit as a series");
        assertTrue(
                loop.status().lastError().contains("exceeds sample_limit=2"),
                loop.status().lastError());
    }

    @Test
    void atTheSampleLimitTheScrapeSucceeds() throws Exception {
        body = "a 1\nb 2\n".getBytes(StandardCharsets.UTF_8);
        Map<String, Double> s = scrapeOnce(loop(1 << 20, Duration.ofSeconds(5), "", ScrapeAuth.NONE, 2, 0));
        assertEquals(1.0, s.get("up"));
        assertEquals(2.0, s.get("b"));
    }

    @Test
    void aSeriesOverTheLabelLimitFailsTheScrape() throws Exception {
        // __name__, job, instance and x: 4 labels
        body = "ok 1\nwide{x=\"1\"} 2\n".getBytes(StandardCharsets.UTF_8);
        ScrapeLoop loop = loop(1 << 20, Duration.ofSeconds(5), "", ScrapeAuth.NONE, 0, 3);
        Map<String, Double> s = scrapeOnce(loop);
        assertEquals(0.0, s.get("up"));
        assertFalse(s.containsKey("ok"));
        assertTrue(
                loop.status()
                        .lastError()
                        .contains("label_limit exceeded (metric: wide, number of labels: 4," + " limit: 3)"),
                loop.status().lastError());
    }

    @Test
    void paramsGoInTheQueryAndBasicAuthPasswordFileIsReadAtEachScrape() throws Exception {
        Path pw = dir.resolve("pw");
        Files.writeString(pw, "s3cret\n");
        ScrapeLoop loop = loop(
                1 << 20, Duration.ofSeconds(5), "?module=a+b&x=1", new ScrapeAuth("robot", null, pw, null, null), 0, 0);
        assertEquals(1.0, scrapeOnce(loop).get("up"));
        assertEquals("module=a+b&x=1", lastQuery);
        assertEquals(
                "Basic "
                        + java.util.Base64.getEncoder().encodeToString("robot:s3cret".getBytes(StandardCharsets.UTF_8)),
                lastAuthorization);
        Files.writeString(pw, "rotated");
        scrapeOnce(loop);
        assertEquals(
                "Basic "
                        + java.util.Base64.getEncoder()
                                .encodeToString("robot:rotated".getBytes(StandardCharsets.UTF_8)),
                lastAuthorization);
    }

    @Test
    void aBearerTokenIsSentAndAMissingTokenFileFailsTheScrape() throws Exception {
        assertEquals(
                1.0,
                scrapeOnce(loop(
                                1 << 20,
                                Duration.ofSeconds(5),
                                "",
                                new ScrapeAuth(null, null, null, "tok", null),
                                0,
                                0))
                        .get("up"));
        assertEquals("Bearer tok", lastAuthorization);
        ScrapeLoop missing = loop(
                1 << 20, Duration.ofSeconds(5), "", new ScrapeAuth(null, null, null, null, dir.resolve("nope")), 0, 0);
        assertEquals(0.0, scrapeOnce(missing).get("up"));
        assertTrue(
                missing.status().lastError().contains("cannot read bearer_token_file"),
                missing.status().lastError());
    }
}
