package dev.edgepush.ingest.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import dev.edgepush.forward.send.RemoteWriteClient;
import dev.edgepush.ingest.Bodies;
import dev.edgepush.ingest.auth.Identity;
import dev.edgepush.ingest.auth.Kind;
import dev.edgepush.ingest.decode.BodyDecompressor;
import dev.edgepush.ingest.fleet.FleetRegistry;
import dev.edgepush.ingest.limit.RobotRateLimiter;
import dev.edgepush.ingest.metrics.IngestMetrics;
import dev.edgepush.ingest.wal.ForwardingWal;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/**
 * A zstd remote-write body through WriteDecodeHandler and IngestHandler: stored like a Snappy one,
 * counted per encoding, and every 204 lists the encodings taken.
 */
class ZstdWriteTest {
    private static final Identity R1 = new Identity(Kind.ROBOT, "r1", "42");
    private final Routes routes = new Routes(Routes.ingestRoutes());

    private static FullHttpRequest write(byte[] body, String encoding) {
        FullHttpRequest req = new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1, HttpMethod.POST, "/api/v1/write", Unpooled.wrappedBuffer(body));
        req.headers().set(HttpHeaderNames.CONTENT_ENCODING, encoding);
        return req;
    }

    @Test
    void aZstdBodyIsStoredCountedAndTheAnswerOffersZstd(@TempDir Path dir) throws Exception {
        IngestMetrics metrics = new IngestMetrics();
        BodyDecompressor decompressor = new BodyDecompressor(1 << 20, true, metrics::bodyDecoded);
        EmbeddedChannel decode = new EmbeddedChannel(new WriteDecodeHandler(decompressor, () -> 1, () -> 5));
        decode.attr(RouteMatch.KEY)
                .set(((Routes.Lookup.Found) routes.lookup(HttpMethod.POST, "/api/v1/write")).match());
        decode.attr(AuthHandler.IDENTITY).set(R1);
        byte[] plain = Snappy.uncompress(
                Bodies.v1(Bodies.series(1, 1000, "__name__", "m", "a", "b"), Bodies.series(2, 1000, "__name__", "n")));
        byte[] zstd = Zstd.compress(plain, 3);
        byte[] snappy = Snappy.compress(plain);
        try (ForwardingWal wal = new ForwardingWal(dir, List.of("http://127.0.0.1:9/api/v1/write"), 0)) {
            EmbeddedChannel ingest = new EmbeddedChannel(new IngestHandler(
                    wal,
                    new RobotRateLimiter(1000, () -> 0),
                    metrics,
                    new FleetRegistry(),
                    () -> 5,
                    decompressor.acceptedEncodings()));
            for (FullHttpRequest req : List.of(write(zstd, "zstd"), write(snappy, "snappy"))) {
                decode.writeInbound(req);
                assertEquals(0, req.refCnt());
                IngestRequest decoded = decode.readInbound();
                ingest.writeInbound(decoded);
                FullHttpResponse res = ingest.readOutbound();
                assertEquals(204, res.status().code());
                assertEquals("zstd, snappy", res.headers().get(RemoteWriteClient.ACCEPT_ENCODING_HEADER));
                res.release();
            }
            assertEquals(4, wal.pendingSamples(), "both bodies' two samples");
            assertFalse(ingest.finishAndReleaseAll());
        }
        assertFalse(decode.finishAndReleaseAll());
        String text = metrics.render();
        assertTrue(text.contains("central_ingest_write_requests_by_encoding_total{encoding=\"zstd\"} 1\n"), text);
        assertTrue(text.contains("central_ingest_write_requests_by_encoding_total{encoding=\"snappy\"} 1\n"), text);
        assertTrue(
                text.contains("central_ingest_write_request_bytes_total{encoding=\"zstd\"} " + zstd.length + "\n"),
                text);
        assertTrue(
                text.contains("central_ingest_write_request_bytes_total{encoding=\"snappy\"} " + snappy.length + "\n"),
                text);
    }

    @Test
    void withoutZstdTheAnswerOffersSnappyOnly(@TempDir Path dir) throws Exception {
        try (ForwardingWal wal = new ForwardingWal(dir, List.of("http://127.0.0.1:9/api/v1/write"), 0)) {
            IngestMetrics metrics = new IngestMetrics();
            BodyDecompressor off = new BodyDecompressor(1 << 20, false, metrics::bodyDecoded);
            EmbeddedChannel decode = new EmbeddedChannel(new WriteDecodeHandler(off, () -> 1, () -> 5));
            decode.attr(RouteMatch.KEY)
                    .set(((Routes.Lookup.Found) routes.lookup(HttpMethod.POST, "/api/v1/write")).match());
            decode.attr(AuthHandler.IDENTITY).set(R1);
            EmbeddedChannel ingest = new EmbeddedChannel(new IngestHandler(
                    wal,
                    new RobotRateLimiter(1000, () -> 0),
                    metrics,
                    new FleetRegistry(),
                    () -> 5,
                    off.acceptedEncodings()));
            decode.writeInbound(write(Bodies.v1(Bodies.series(1, 1000, "__name__", "m")), "snappy"));
            IngestRequest decoded = decode.readInbound();
            ingest.writeInbound(decoded);
            FullHttpResponse res = ingest.readOutbound();
            assertEquals("snappy", res.headers().get(RemoteWriteClient.ACCEPT_ENCODING_HEADER));
            res.release();
            decode.writeInbound(write(Zstd.compress(new byte[10], 3), "zstd"));
            FullHttpResponse refused = decode.readOutbound();
            assertEquals(415, refused.status().code());
            refused.release();
            assertFalse(decode.finishAndReleaseAll());
            assertFalse(ingest.finishAndReleaseAll());
        }
    }
}
