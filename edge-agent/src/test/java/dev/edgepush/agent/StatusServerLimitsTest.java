package dev.edgepush.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.forward.buffer.SampleAppender;
import dev.edgepush.net.http.ClosedConnections.Reason;
import dev.edgepush.net.http.HttpServerGuards;
import dev.edgepush.net.http.HttpServerLimits;
import dev.edgepush.net.http.RawHttp;
import dev.edgepush.proto.rw1.RemoteWrite;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

/**
 * Issue 11 and 17 on the agent's own listener (/metrics, /targets, local push), from a raw
 * socket: local push answers 400 for what the buffer would drop (too_large) and for invalid
 * UTF-8, never 204; framing errors 400 and closed; slowloris, idle and capped connections closed;
 * an HTTP/1.0 keep-alive client (ab -k) gets lengths and {@code Connection: keep-alive}.
 */
class StatusServerLimitsTest {
    private final AgentMetrics metrics = new AgentMetrics(System::currentTimeMillis);
    private final AtomicLong appendedSamples = new AtomicLong();
    private EventLoopGroup group;
    private StatusServer server;

    @BeforeEach
    void start() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        SampleAppender appender = (wr, len, count, ts) -> appendedSamples.addAndGet(count);
        LocalPush push = new LocalPush(appender, metrics, System::currentTimeMillis, 32 << 20, Map.of("robot", "r1"));
        HttpServerGuards guards =
                new HttpServerGuards(new HttpServerLimits(1000, 1000, 1000, 3000, 3, 16 * 1024), metrics.httpClosed);
        server = new StatusServer(
                group,
                "127.0.0.1",
                0,
                metrics::render,
                () -> "<html></html>",
                push,
                32 << 20,
                guards,
                ListenerSecurity.OPEN,
                null);
    }

    @AfterEach
    void stop() {
        server.close();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private RawHttp connect() throws Exception {
        return new RawHttp(server.port());
    }

    private RawHttp.Response post(String path, String contentType, byte[] body) throws Exception {
        try (RawHttp c = connect()) {
            c.send("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: " + contentType + "\r\nContent-Length: "
                    + body.length + "\r\nConnection: close\r\n\r\n");
            return c.send(body).read();
        }
    }

    private static byte[] writeRequest(int extraLabels, String name) throws Exception {
        RemoteWrite.TimeSeries.Builder b = RemoteWrite.TimeSeries.newBuilder()
                .addLabels(RemoteWrite.Label.newBuilder().setName("__name__").setValue(name));
        for (int i = 0; i < extraLabels; i++) {
            b.addLabels(RemoteWrite.Label.newBuilder().setName("l" + i).setValue("v" + i));
        }
        b.addSamples(RemoteWrite.Sample.newBuilder().setValue(1).setTimestamp(1_700_000_000_000L));
        return RemoteWrite.WriteRequest.newBuilder()
                .addTimeseries(RemoteWrite.TimeSeries.newBuilder()
                        .addLabels(RemoteWrite.Label.newBuilder()
                                .setName("__name__")
                                .setValue("ok"))
                        .addSamples(RemoteWrite.Sample.newBuilder().setValue(1).setTimestamp(1_700_000_000_000L)))
                .addTimeseries(b)
                .build()
                .toByteArray();
    }

    @Test
    void aPushedSeriesTooLargeForTheBufferIs400AndNothingIsBuffered() throws Exception {
        RawHttp.Response r =
                post("/api/v1/write", "application/x-protobuf", Snappy.compress(writeRequest(100_000, "huge")));
        assertEquals(400, r.status(), r.body());
        assertTrue(r.body().startsWith("series 1 {__name__=\"huge\",l0=\"v0\""), r.body());
        assertTrue(r.body().contains("too large for one buffer record"), r.body());
        StringBuilder line = new StringBuilder("huge{");
        for (int i = 0; i < 20_000; i++) {
            line.append(i == 0 ? "" : ",")
                    .append("label_")
                    .append(i)
                    .append("=\"value_")
                    .append(i)
                    .append('"');
        }
        RawHttp.Response t = post(
                "/api/v1/import/prometheus",
                "text/plain",
                ("fine 1\n" + line + "} 1\n").getBytes(StandardCharsets.UTF_8));
        assertEquals(400, t.status(), t.body());
        assertTrue(t.body().startsWith("series 1 {__name__=\"huge\""), t.body());
        assertEquals(0, appendedSamples.get());
        assertEquals(
                204,
                post("/api/v1/write", "application/x-protobuf", Snappy.compress(writeRequest(3, "small")))
                        .status());
        assertEquals(2, appendedSamples.get());
    }

    @Test
    void invalidUtf8Is400OnTextAndProtobufPushes() throws Exception {
        byte[] text = "good 1\nbad{a=\"x\u00e9\"} 1\n".getBytes(StandardCharsets.UTF_8);
        byte[] proto = writeRequest(0, "m\u00e9");
        for (byte[] b : new byte[][] {text, proto}) {
            for (int i = 0; i < b.length; i++) {
                if ((b[i] & 0xff) == 0xc3) {
                    b[i] = (byte) 0xff;
                }
            }
        }
        RawHttp.Response t = post("/api/v1/import/prometheus", "text/plain", text);
        assertEquals(400, t.status(), t.body());
        assertTrue(t.body().contains("invalid UTF-8 at byte 15 (line 2)"), t.body());
        RawHttp.Response p = post("/api/v1/write", "application/x-protobuf", Snappy.compress(proto));
        assertEquals(400, p.status(), p.body());
        assertEquals(0, appendedSamples.get());
    }

    @Test
    void framingErrorsAre400WithTheReasonAndClose() throws Exception {
        try (RawHttp c = connect()) {
            RawHttp.Response r = c.send("POST /api/v1/write HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                            + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
                    .read();
            assertEquals(400, r.status(), r.body());
            assertTrue(r.body().contains("both Content-Length and Transfer-Encoding"), r.body());
            assertTrue(c.closedByServer());
        }
        try (RawHttp c = connect()) {
            RawHttp.Response r = c.send("GET /metrics HTTP/1.1\r\nX-Big: " + "a".repeat(100_000) + "\r\n\r\n")
                    .read();
            assertEquals(400, r.status(), r.body());
            assertTrue(r.body().contains("header larger than 16384 bytes"), r.body());
            assertTrue(c.closedByServer());
        }
        assertEquals(2, metrics.httpClosed.count(Reason.BAD_FRAMING));
    }

    @Test
    void slowlorisAndIdleConnectionsAreClosed() throws Exception {
        try (RawHttp slow = connect();
                RawHttp idle = connect()) {
            slow.send("GET /metrics HTTP/1.1\r\nHost: x\r\n");
            assertEquals(
                    200,
                    idle.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n").read().status());
            assertTrue(slow.closedByServer(), "a head that never ends was still being waited for after 30 s");
            assertTrue(idle.closedByServer(), "an idle keep-alive connection was still open after 30 s");
        }
        assertEquals(1, metrics.httpClosed.count(Reason.HEADER_TIMEOUT));
        assertEquals(1, metrics.httpClosed.count(Reason.IDLE_TIMEOUT));
        assertTrue(
                metrics.render().contains("edge_agent_http_connections_closed_total{reason=\"header_timeout\"} 1\n"));
    }

    @Test
    void aFourthConnectionFromOneAddressIsClosed() throws Exception {
        List<RawHttp> open = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                open.add(connect());
                open.get(i).send("GET /health HTTP/1.1\r\nHost: x\r\n"); // held open: the head is not finished
            }
            try (RawHttp fourth = connect()) {
                assertTrue(fourth.closedByServer(), "a fourth connection from 127.0.0.1 was kept");
            }
            assertTrue(metrics.httpClosed.count(Reason.TOO_MANY_CONNECTIONS) >= 1);
        } finally {
            for (RawHttp c : open) {
                c.close();
            }
        }
    }

    @Test
    void http10KeepAliveLocalPushGetsContentLengthOnA204() throws Exception {
        byte[] body = "up 1\n".getBytes(StandardCharsets.US_ASCII);
        try (RawHttp c = connect()) {
            for (int i = 0; i < 3; i++) {
                c.send("POST /api/v1/import/prometheus HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: "
                                + body.length + "\r\n\r\n")
                        .send(body);
                RawHttp.Response r = c.read();
                assertEquals(204, r.status(), r.body());
                assertEquals("0", r.header("Content-Length"));
                assertEquals("keep-alive", r.header("Connection"));
            }
            RawHttp.Response m = c.send("GET /metrics HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                    .read();
            assertEquals(200, m.status());
            assertEquals("keep-alive", m.header("Connection"));
            assertTrue(m.body().contains("edge_agent_local_push_samples_total 3"), m.body());
        }
        assertEquals(3, appendedSamples.get());
    }
}
