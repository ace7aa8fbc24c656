package dev.edgepush.ingest.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.ingest.Bodies;
import dev.edgepush.ingest.auth.Identity;
import dev.edgepush.ingest.auth.Kind;
import dev.edgepush.ingest.decode.BodyDecompressor;
import dev.edgepush.ingest.fleet.FleetRegistry;
import dev.edgepush.ingest.limit.RobotRateLimiter;
import dev.edgepush.ingest.metrics.IngestMetrics;
import dev.edgepush.ingest.wal.ForwardingWal;
import dev.edgepush.proto.rw1.RemoteWrite;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/** WriteDecodeHandler and IngestHandler in EmbeddedChannels; every request buffer is released. */
class WriteDecodeAndIngestHandlerTest {
    private static final Identity R1 = new Identity(Kind.ROBOT, "r1", "42");
    private final Routes routes = new Routes(Routes.ingestRoutes());

    private EmbeddedChannel decodeChannel(long maxDecompressed) {
        EmbeddedChannel ch =
                new EmbeddedChannel(new WriteDecodeHandler(new BodyDecompressor(maxDecompressed), () -> 1, () -> 5));
        ch.attr(RouteMatch.KEY).set(((Routes.Lookup.Found) routes.lookup(HttpMethod.POST, "/api/v1/write")).match());
        ch.attr(AuthHandler.IDENTITY).set(R1);
        return ch;
    }

    private static FullHttpRequest write(byte[] body, String contentType) {
        FullHttpRequest req = new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1, HttpMethod.POST, "/api/v1/write", Unpooled.wrappedBuffer(body));
        if (contentType != null) {
            req.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }
        return req;
    }

    private static String answer(EmbeddedChannel ch, int code) {
        FullHttpResponse res = ch.readOutbound();
        try {
            String body = res.content().toString(StandardCharsets.UTF_8);
            assertEquals(code, res.status().code(), body);
            return body;
        } finally {
            res.release();
        }
    }

    @Test
    void stampsTheTokensRobotReplacingTheSendersAndSortsLabels() throws Exception {
        EmbeddedChannel ch = decodeChannel(1 << 20);
        FullHttpRequest req = write(
                Bodies.v1(Bodies.series(3, 7, "zone", "b", "robot", "r9", "__name__", "m", "empty", "")),
                "application/x-protobuf");
        ch.writeInbound(req);
        assertEquals(0, req.refCnt());
        IngestRequest out = ch.readInbound();
        assertEquals(1, out.batch().samples());
        var part = out.batch().shards().get(0);
        RemoteWrite.WriteRequest wr =
                RemoteWrite.WriteRequest.parseFrom(java.util.Arrays.copyOf(part.writeRequest(), part.length()));
        List<String> labels = wr.getTimeseries(0).getLabelsList().stream()
                .map(l -> l.getName() + "=" + l.getValue())
                .toList();
        assertEquals(List.of("__name__=m", "robot=r1", "zone=b"), labels);
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void invalidLabelNameIs400NamingSeriesAndLabel() {
        EmbeddedChannel ch = decodeChannel(1 << 20);
        FullHttpRequest req = write(
                Bodies.v1(
                        Bodies.series(1, 1, "__name__", "a"),
                        Bodies.series(1, 1, "__name__", "b"),
                        Bodies.series(1, 1, "__name__", "c", "ro bot", "x")),
                null);
        ch.writeInbound(req);
        assertEquals(0, req.refCnt());
        assertTrue(answer(ch, 400).startsWith("series 2: label name 'ro bot' is not a valid label name"));
        assertNull(ch.readInbound());
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void missingMetricNameAndDuplicateLabelsAre400() {
        EmbeddedChannel ch = decodeChannel(1 << 20);
        ch.writeInbound(write(Bodies.v1(Bodies.series(1, 1, "job", "x")), null));
        assertTrue(answer(ch, 400).contains("series 0: no metric name"));
        ch.writeInbound(write(Bodies.v1(Bodies.series(1, 1, "__name__", "m", "a", "1", "a", "2")), null));
        assertTrue(answer(ch, 400).contains("label name 'a' appears twice"));
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void snappyBombIs413FromItsDeclaredLength() throws Exception {
        EmbeddedChannel ch = decodeChannel(1000);
        byte[] bomb = Snappy.compress(new byte[100_000]);
        FullHttpRequest req = write(bomb, null);
        ch.writeInbound(req);
        assertEquals(0, req.refCnt());
        assertTrue(answer(ch, 413).contains("declares 100000 bytes"));
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void unknownContentTypeOrEncodingIs415() {
        EmbeddedChannel ch = decodeChannel(1 << 20);
        ch.writeInbound(write(new byte[] {1}, "application/json"));
        answer(ch, 415);
        FullHttpRequest br = write(new byte[] {1}, null);
        br.headers().set(HttpHeaderNames.CONTENT_ENCODING, "br");
        ch.writeInbound(br);
        assertEquals(0, br.refCnt());
        answer(ch, 415);
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void otherRoutesPassThroughUntouched() {
        EmbeddedChannel ch = decodeChannel(1 << 20);
        ch.attr(RouteMatch.KEY).set(((Routes.Lookup.Found) routes.lookup(HttpMethod.GET, "/health")).match());
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/health");
        ch.writeInbound(req);
        FullHttpRequest passed = ch.readInbound();
        assertEquals(1, passed.refCnt());
        passed.release();
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void ingestAnswers204OnlyAfterTheWalHoldsTheBatch(@TempDir Path dir) throws Exception {
        try (ForwardingWal wal = new ForwardingWal(dir, List.of("http://127.0.0.1:9/api/v1/write"), 0)) {
            IngestMetrics metrics = new IngestMetrics();
            EmbeddedChannel decode = decodeChannel(1 << 20);
            decode.writeInbound(
                    write(Bodies.v2("m", 1000), "application/x-protobuf;proto=io.prometheus.write.v2.Request"));
            IngestRequest req = decode.readInbound();
            FleetRegistry fleet = new FleetRegistry();
            fleet.recordPush("r1", "42", 5, null, null);
            EmbeddedChannel ch = new EmbeddedChannel(
                    new IngestHandler(wal, new RobotRateLimiter(1000, () -> 0), metrics, fleet, () -> 5));
            ch.writeInbound(req);
            FullHttpResponse res = ch.readOutbound();
            assertEquals(204, res.status().code());
            assertEquals("2", res.headers().get("X-Prometheus-Remote-Write-Samples-Written"));
            assertEquals("1", res.headers().get("X-Prometheus-Remote-Write-Histograms-Written"));
            assertEquals("1", res.headers().get("X-Prometheus-Remote-Write-Exemplars-Written"));
            res.release();
            assertEquals(3, wal.pendingSamples());
            assertEquals(3, metrics.samplesReceived.sum());
            assertEquals(
                    3.0,
                    fleet.view("42", 5).get(0).samplesPerSecond(),
                    "the robot's fleet entry counts what was acked");
            assertFalse(ch.finishAndReleaseAll());
            assertFalse(decode.finishAndReleaseAll());
        }
    }

    @Test
    void statusHandlerServesHealthAndReleasesTheRequest() {
        EmbeddedChannel ch = new EmbeddedChannel(new StatusHandler(() -> "m 1\n"));
        ch.attr(RouteMatch.KEY).set(((Routes.Lookup.Found) routes.lookup(HttpMethod.GET, "/health")).match());
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/health");
        ch.writeInbound(req);
        assertEquals(0, req.refCnt());
        assertEquals("ok\n", answer(ch, 200));
        assertFalse(ch.finishAndReleaseAll());
    }
}
