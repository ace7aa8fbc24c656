package dev.edgepush.ingest.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.ingest.Bodies;
import dev.edgepush.ingest.CentralIngest;
import dev.edgepush.ingest.IngestFlags;
import dev.edgepush.ingest.auth.TokensFile;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every answer of the ingest paths, from a real HTTP client against a running server on
 * 127.0.0.1:0. Forwarding goes to a closed port: the WAL keeps everything, which is all these
 * tests need.
 */
class IngestServerStatusCodesTest {
    static final String ROBOT = "robot-token-1";
    static final String READER = "reader-token-1";
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private CentralIngest ingest;

    private void start(String... extra) throws Exception {
        Path tokens = dir.resolve("tokens");
        Files.writeString(
                tokens,
                "# test fleet\n\nrobot r1 42 " + TokensFile.hashOf(ROBOT) + "\nreader ops 42 "
                        + TokensFile.hashOf(READER) + "\n");
        String[] base = {
            "-httpListenAddr=127.0.0.1:0",
            "-remoteWrite.url=http://127.0.0.1:9/api/v1/write",
            "-auth.tokensFile=" + tokens,
            "-wal.path=" + dir.resolve("wal")
        };
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        ingest = new CentralIngest(IngestFlags.parse(args).validate());
    }

    @AfterEach
    void stop() {
        if (ingest != null) {
            ingest.close();
        }
    }

    private HttpResponse<String> post(String path, String token, String contentType, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ingest.port() + path))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> postWrite(String token, byte[] body) throws Exception {
        return post("/api/v1/write", token, "application/x-protobuf", body);
    }

    private static byte[] oneSample() {
        return Bodies.v1(Bodies.series(1, 1_700_000_000_000L, "__name__", "temp", "robot", "someone_else"));
    }

    @Test
    void acknowledgesRemoteWrite1WithNoContentOnceInTheWal() throws Exception {
        start();
        HttpResponse<String> r = postWrite(ROBOT, oneSample());
        assertEquals(204, r.statusCode(), r.body());
        assertEquals(1, ingest.metrics().samplesReceived.sum());
        assertEquals(1, ingest.metrics().requests(204));
    }

    @Test
    void acknowledgesRemoteWrite2WithWrittenCounts() throws Exception {
        start();
        HttpResponse<String> r = post(
                "/api/v1/write",
                ROBOT,
                "application/x-protobuf;proto=io.prometheus.write.v2.Request",
                Bodies.v2("temp", 1_700_000_000_000L));
        assertEquals(204, r.statusCode(), r.body());
        assertEquals(
                "2",
                r.headers()
                        .firstValue("X-Prometheus-Remote-Write-Samples-Written")
                        .orElse(""));
        assertEquals(
                "1",
                r.headers()
                        .firstValue("X-Prometheus-Remote-Write-Histograms-Written")
                        .orElse(""));
        assertEquals(
                "1",
                r.headers()
                        .firstValue("X-Prometheus-Remote-Write-Exemplars-Written")
                        .orElse(""));
    }

    @Test
    void acceptsPrometheusTextAndTheClusterPathOfTheOwnTenant() throws Exception {
        start();
        byte[] text = "up{job=\"x\"} 1\nfoo_total 3 1700000000000\n".getBytes(StandardCharsets.UTF_8);
        assertEquals(
                204,
                post("/api/v1/import/prometheus", ROBOT, "text/plain", text).statusCode());
        assertEquals(
                204,
                post("/insert/42/prometheus/api/v1/import/prometheus", ROBOT, null, text)
                        .statusCode());
        assertEquals(
                204,
                post("/insert/42/prometheus/api/v1/write", ROBOT, "application/x-protobuf", oneSample())
                        .statusCode());
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(text);
        }
        HttpRequest req = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + ingest.port() + "/api/v1/import/prometheus"))
                .header("Authorization", "Bearer " + ROBOT)
                .header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(gz.toByteArray()))
                .build();
        assertEquals(204, http.send(req, HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(7, ingest.metrics().samplesReceived.sum());
    }

    @Test
    void refusesMissingAndUnknownTokensWith401AndAChallenge() throws Exception {
        start();
        for (String token : new String[] {null, "not-a-token"}) {
            HttpResponse<String> r = postWrite(token, oneSample());
            assertEquals(401, r.statusCode());
            assertTrue(
                    r.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"),
                    r.headers().toString());
        }
        assertEquals(0, ingest.metrics().samplesReceived.sum());
    }

    @Test
    void refusesReaderTokensAndForeignTenantsWith403() throws Exception {
        start();
        HttpResponse<String> reader = postWrite(READER, oneSample());
        assertEquals(403, reader.statusCode());
        assertTrue(reader.body().contains("reader"), reader.body());
        HttpResponse<String> foreign =
                post("/insert/7/prometheus/api/v1/write", ROBOT, "application/x-protobuf", oneSample());
        assertEquals(403, foreign.statusCode());
        assertTrue(foreign.body().contains("'7'") && foreign.body().contains("'42'"), foreign.body());
    }

    @Test
    void refusesBadPayloadsWith400NamingSeriesAndLabel() throws Exception {
        start();
        HttpResponse<String> notSnappy = postWrite(ROBOT, "plain bytes, not snappy".getBytes(StandardCharsets.UTF_8));
        assertEquals(400, notSnappy.statusCode());
        assertTrue(notSnappy.body().contains("Snappy"), notSnappy.body());
        HttpResponse<String> notProto = postWrite(ROBOT, Bodies.snappy(new byte[] {(byte) 0xff, (byte) 0xff, 0x01}));
        assertEquals(400, notProto.statusCode());
        assertTrue(notProto.body().contains("protobuf"), notProto.body());
        HttpResponse<String> badLabel = postWrite(
                ROBOT,
                Bodies.v1(Bodies.series(1, 1, "__name__", "ok"), Bodies.series(2, 1, "__name__", "m", "ro bot", "x")));
        assertEquals(400, badLabel.statusCode());
        assertTrue(
                badLabel.body().contains("series 1: label name 'ro bot' is not a valid label name"), badLabel.body());
        assertEquals(0, ingest.metrics().samplesReceived.sum());
    }

    @Test
    void refusesOversizedBodiesWith413BeforeDecompressing() throws Exception {
        start("-maxRequestBytes=64KB", "-maxDecompressedBytes=100KB");
        assertEquals(413, postWrite(ROBOT, new byte[70_000]).statusCode());
        // 1 MB of zeros compresses to under 64 KB: refused from its declared length.
        byte[] bomb = Bodies.snappy(new byte[1_000_000]);
        assertTrue(bomb.length < 64_000, "bomb of " + bomb.length);
        HttpResponse<String> r = postWrite(ROBOT, bomb);
        assertEquals(413, r.statusCode());
        assertTrue(r.body().contains("1000000"), r.body());
    }

    @Test
    void refusesUnknownContentTypeOrEncodingWith415AndBadZstdWith400() throws Exception {
        start();
        assertEquals(
                415,
                post("/api/v1/write", ROBOT, "application/json", oneSample()).statusCode());
        assertEquals(
                415,
                post("/api/v1/write", ROBOT, "application/x-protobuf;proto=io.prometheus.write.v9.Request", oneSample())
                        .statusCode());
        HttpRequest brotli = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ingest.port() + "/api/v1/write"))
                .header("Authorization", "Bearer " + ROBOT)
                .header("Content-Encoding", "br")
                .POST(HttpRequest.BodyPublishers.ofByteArray(oneSample()))
                .build();
        assertEquals(
                415, http.send(brotli, HttpResponse.BodyHandlers.ofString()).statusCode());
        // zstd is taken (negotiated with edge-agent): Snappy bytes labelled zstd are a bad body, not an unknown
        // encoding.
        HttpRequest zstd = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ingest.port() + "/api/v1/write"))
                .header("Authorization", "Bearer " + ROBOT)
                .header("Content-Encoding", "zstd")
                .POST(HttpRequest.BodyPublishers.ofByteArray(oneSample()))
                .build();
        assertEquals(400, http.send(zstd, HttpResponse.BodyHandlers.ofString()).statusCode());
    }

    @Test
    void answers429WithRetryAfterWhenARobotIsOverItsRate() throws Exception {
        start("-maxSamplesPerSecondPerRobot=1");
        // Burst: 10 s of 1 sample/s. One request of 20 samples empties it (the bucket may go negative).
        RemoteWriteBodiesHelper.assertAccepted(postWrite(ROBOT, RemoteWriteBodiesHelper.samples(20)));
        HttpResponse<String> r = postWrite(ROBOT, oneSample());
        assertEquals(429, r.statusCode(), r.body());
        assertTrue(Integer.parseInt(r.headers().firstValue("Retry-After").orElse("0")) >= 1);
    }

    @Test
    void answers429WithRetryAfterWhenTheWalBacklogIsOverItsLimit() throws Exception {
        start("-wal.maxPendingSamples=5");
        RemoteWriteBodiesHelper.assertAccepted(postWrite(ROBOT, RemoteWriteBodiesHelper.samples(6)));
        HttpResponse<String> r = postWrite(ROBOT, oneSample());
        assertEquals(429, r.statusCode(), r.body());
        int after = Integer.parseInt(r.headers().firstValue("Retry-After").orElse("0"));
        assertTrue(after >= 5 && after <= 30, "Retry-After " + after);
    }

    @Test
    void answers404And405AndServesHealthAndMetrics() throws Exception {
        start();
        assertEquals(404, post("/nope", ROBOT, null, new byte[0]).statusCode());
        HttpResponse<String> get = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ingest.port() + "/api/v1/write"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(405, get.statusCode());
        assertEquals(204, postWrite(ROBOT, oneSample()).statusCode());
        String health = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ingest.port() + "/health"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        assertEquals("ok\n", health);
        String metrics = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ingest.port() + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        assertTrue(metrics.contains("central_ingest_requests_total{code=\"204\"} 1"), metrics);
        assertTrue(metrics.contains("central_ingest_samples_received_total 1"), metrics);
        assertTrue(metrics.contains("central_ingest_wal_pending_samples 1"), metrics);
        assertTrue(metrics.contains("central_ingest_robots_online 1"), metrics);
        assertTrue(metrics.contains("central_ingest_samples_forwarded_total 0"), metrics);
        assertTrue(metrics.contains("central_ingest_wal_disk_bytes "), metrics);
    }

    @Test
    void recordsEachRobotsLastPushAndReportedBacklog() throws Exception {
        start();
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ingest.port() + "/api/v1/write"))
                .header("Authorization", "Bearer " + ROBOT)
                .header("Content-Type", "application/x-protobuf")
                .header("X-Edgepush-Pending-Samples", "1234")
                .header("X-Edgepush-Oldest-Pending-Age-Seconds", "56.5")
                .POST(HttpRequest.BodyPublishers.ofByteArray(oneSample()))
                .build();
        assertEquals(204, http.send(req, HttpResponse.BodyHandlers.ofString()).statusCode());
        var status = ingest.fleet().get("42", "r1");
        assertEquals(1234, status.pendingSamples());
        assertEquals(56.5, status.oldestPendingAgeSeconds());
        assertEquals("42", status.tenant());
    }

    /** Small helpers kept apart from the tests above. */
    static final class RemoteWriteBodiesHelper {
        static byte[] samples(int n) {
            var series = new dev.edgepush.proto.rw1.RemoteWrite.TimeSeries[n];
            for (int i = 0; i < n; i++) {
                series[i] = Bodies.series(i, 1_700_000_000_000L + i, "__name__", "m", "i", Integer.toString(i));
            }
            return Bodies.v1(series);
        }

        static void assertAccepted(HttpResponse<String> r) {
            assertEquals(204, r.statusCode(), r.body());
        }
    }
}
