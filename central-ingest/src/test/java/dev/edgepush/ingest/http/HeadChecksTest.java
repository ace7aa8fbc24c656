package dev.edgepush.ingest.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.ingest.auth.Identity;
import dev.edgepush.ingest.auth.Kind;
import dev.edgepush.ingest.auth.TokenStore;
import dev.edgepush.ingest.fleet.FleetRegistry;
import dev.edgepush.ingest.limit.RobotRateLimiter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The head checks, each in an EmbeddedChannel with the ones before it: what they answer, what
 * they pass on, and that a rejected request's body chunks are released, never passed on.
 */
class HeadChecksTest {
    private static final Identity R1 = new Identity(Kind.ROBOT, "r1", "42");
    private static final Identity OPS = new Identity(Kind.READER, "ops", "42");
    private static final TokenStore TOKENS =
            t -> Optional.ofNullable(Map.of("rt", R1, "qt", OPS).get(t));
    private final Routes routes = new Routes(Routes.ingestRoutes());
    private final FleetRegistry fleet = new FleetRegistry();
    private final AtomicLong nanos = new AtomicLong();
    private final AtomicLong pending = new AtomicLong();

    private EmbeddedChannel channel(long samplesPerSecond, long maxPending, long maxRequestBytes) {
        return new EmbeddedChannel(
                new RouteHandler(routes),
                new AuthHandler(TOKENS),
                new FleetRecorder(fleet, () -> 1000),
                new AdmissionHandler(new RobotRateLimiter(samplesPerSecond, nanos::get), pending::get, maxPending),
                new SizeLimitHandler(maxRequestBytes));
    }

    private EmbeddedChannel channel() {
        return channel(1000, 0, 1 << 20);
    }

    private static HttpRequest post(String uri, String token, int contentLength) {
        HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, uri);
        if (token != null) {
            req.headers().set(HttpHeaderNames.AUTHORIZATION, "Bearer " + token);
        }
        req.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, contentLength);
        return req;
    }

    private static ByteBuf chunk() {
        return Unpooled.copiedBuffer("body", StandardCharsets.UTF_8);
    }

    /** Writes head + two chunks; returns the chunks so tests can check they were released. */
    private static ByteBuf[] send(EmbeddedChannel ch, HttpRequest head) {
        ByteBuf a = chunk();
        ByteBuf b = chunk();
        ch.writeInbound(head, new DefaultHttpContent(a), new DefaultLastHttpContent(b));
        return new ByteBuf[] {a, b};
    }

    private static void assertRejected(EmbeddedChannel ch, ByteBuf[] chunks, int code) {
        FullHttpResponse res = ch.readOutbound();
        try {
            assertEquals(code, res.status().code(), res.content().toString(StandardCharsets.UTF_8));
        } finally {
            res.release();
        }
        assertNull(ch.readInbound(), "a rejected request must not reach later handlers");
        assertEquals(0, chunks[0].refCnt());
        assertEquals(0, chunks[1].refCnt());
    }

    @Test
    void unknownPathIs404AndItsBodyIsReleased() {
        EmbeddedChannel ch = channel();
        assertRejected(ch, send(ch, post("/api/v1/nope", "rt", 8)), 404);
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void knownPathWithWrongMethodIs405() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/api/v1/write"));
        FullHttpResponse res = ch.readOutbound();
        assertEquals(405, res.status().code());
        assertEquals("POST", res.headers().get(HttpHeaderNames.ALLOW));
        res.release();
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void missingOrUnknownTokenIs401WithBearerChallenge() {
        for (String token : new String[] {null, "wrong"}) {
            EmbeddedChannel ch = channel();
            ch.writeInbound(post("/api/v1/write", token, 0));
            FullHttpResponse res = ch.readOutbound();
            assertEquals(401, res.status().code());
            assertTrue(res.headers().get(HttpHeaderNames.WWW_AUTHENTICATE).startsWith("Bearer"));
            res.release();
            assertFalse(ch.finishAndReleaseAll());
        }
    }

    @Test
    void readerTokenWritingIs403() {
        EmbeddedChannel ch = channel();
        assertRejected(ch, send(ch, post("/api/v1/write", "qt", 8)), 403);
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void clusterPathOfAnotherTenantIs403AndOfTheOwnTenantPasses() {
        EmbeddedChannel ch = channel();
        assertRejected(ch, send(ch, post("/insert/7/prometheus/api/v1/write", "rt", 8)), 403);
        HttpRequest own = post("/insert/42:0/prometheus/api/v1/write", "rt", 8);
        ch.writeInbound(own);
        assertSame(own, ch.readInbound());
        assertEquals(R1, ch.attr(AuthHandler.IDENTITY).get());
        assertEquals("42:0", ch.attr(RouteMatch.KEY).get().pathTenant());
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void publicRoutesNeedNoToken() {
        EmbeddedChannel ch = channel();
        HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/metrics");
        ch.writeInbound(req);
        assertSame(req, ch.readInbound());
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void robotPushIsRecordedWithItsBacklogHeaders() {
        EmbeddedChannel ch = channel();
        HttpRequest req = post("/api/v1/write", "rt", 0);
        req.headers()
                .set("X-Edgepush-Pending-Samples", "77")
                .set("X-Edgepush-Oldest-Pending-Age-Seconds", "1.5")
                .set("X-Edgepush-Dropped-Samples", "9")
                .set("X-Edgepush-Agent-Time-Ms", "3500");
        ch.writeInbound(req);
        assertSame(req, ch.readInbound());
        assertEquals(
                new FleetRegistry.RobotStatus("r1", "42", 1000, 77, 1.5, 9, 2500),
                fleet.get("42", "r1"),
                "the robot's clock is 2.5 s ahead of ours");
        assertEquals(1, fleet.onlineCount(1000));
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void robotOverItsRateGets429WithRetryAfterUntilTheBucketRefills() {
        RobotRateLimiter limiter = new RobotRateLimiter(10, nanos::get);
        EmbeddedChannel ch = new EmbeddedChannel(
                new RouteHandler(routes), new AuthHandler(TOKENS), new AdmissionHandler(limiter, pending::get, 0));
        limiter.take("r1", 150); // burst is 100: 50 in debt, 5 s at 10/s
        assertRejected(ch, send(ch, post("/api/v1/write", "rt", 8)), 429);
        nanos.addAndGet(6_000_000_000L);
        HttpRequest req = post("/api/v1/write", "rt", 0);
        ch.writeInbound(req);
        assertSame(req, ch.readInbound());
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void walBacklogOverTheLimitGets429WithSpreadRetryAfter() {
        EmbeddedChannel ch = channel(1000, 100, 1 << 20);
        pending.set(101);
        ch.writeInbound(post("/api/v1/write", "rt", 0));
        FullHttpResponse res = ch.readOutbound();
        assertEquals(429, res.status().code());
        int after = Integer.parseInt(res.headers().get(HttpHeaderNames.RETRY_AFTER));
        assertTrue(after >= AdmissionHandler.BACKLOG_RETRY_MIN_S && after <= AdmissionHandler.BACKLOG_RETRY_MAX_S);
        res.release();
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void declaredLengthOverTheLimitIs413AndClosesTheConnection() {
        EmbeddedChannel ch = channel(1000, 0, 4);
        ByteBuf[] chunks = send(ch, post("/api/v1/write", "rt", 8));
        FullHttpResponse res = ch.readOutbound();
        assertEquals(413, res.status().code());
        assertEquals("close", res.headers().get(HttpHeaderNames.CONNECTION));
        res.release();
        assertNull(ch.readInbound());
        assertEquals(0, chunks[0].refCnt());
        assertFalse(ch.finishAndReleaseAll());
    }
}
