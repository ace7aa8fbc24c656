package dev.edgepush.forward.send;

import static dev.edgepush.forward.send.RawRemoteWriteServer.Action.CLOSE;
import static dev.edgepush.forward.send.RawRemoteWriteServer.Action.CONTINUE_THEN_NO_CONTENT;
import static dev.edgepush.forward.send.RawRemoteWriteServer.Action.DRIBBLE;
import static dev.edgepush.forward.send.RawRemoteWriteServer.Action.EARLY_413;
import static dev.edgepush.forward.send.RawRemoteWriteServer.Action.HANG;
import static dev.edgepush.forward.send.RawRemoteWriteServer.Action.LONG_ERROR;
import static dev.edgepush.forward.send.RawRemoteWriteServer.Action.NO_CONTENT;
import static dev.edgepush.forward.send.RawRemoteWriteServer.Action.NO_CONTENT_THEN_CLOSE;
import static dev.edgepush.forward.send.RawRemoteWriteServer.Action.PARTIAL_THEN_CLOSE;
import static dev.edgepush.forward.send.RawRemoteWriteServer.Action.STALL;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The connection handling of {@link RemoteWriteClient} against a raw socket receiver that counts
 * connections: keep-alive, the one retry after a kept connection was closed before any response
 * byte, and never otherwise; the whole-call timeout against a dribbling or stalled server;
 * responses that end a connection or come early; the 1 KiB cut of a reject body.
 */
class RemoteWriteClientConnectionTest {
    static EventLoopGroup group;

    @BeforeAll
    static void startLoop() {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    }

    @AfterAll
    static void stopLoop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    static RemoteWriteClient client(RawRemoteWriteServer server, Duration timeout) {
        return new RemoteWriteClient(
                group, server.url(), "tok", timeout, "edge-agent/test", () -> Map.of("X-Extra", "1"));
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            b[i] = (byte) r.nextInt(256);
        }
        return b;
    }

    static void assertNetworkRetry(PushOutcome outcome) {
        PushOutcome.Retry retry = assertInstanceOf(PushOutcome.Retry.class, outcome);
        assertEquals(0, retry.code(), retry.reason());
        assertNull(retry.after());
    }

    @Test
    void oneKeptConnectionServesEveryPushAndBodiesSpanningManyWritesArriveAsGiven() throws IOException {
        try (RawRemoteWriteServer server = new RawRemoteWriteServer((c, r) -> NO_CONTENT);
                RemoteWriteClient client = client(server, Duration.ofSeconds(10))) {
            byte[] big = random(3 * RemoteWriteClient.WRITE_CHUNK_BYTES + 1234, 1);
            byte[] small = {1, 2, 3, 4, 5};
            assertEquals(new PushOutcome.Delivered(204), client.pushCompressed(small, 1, 3));
            assertEquals(new PushOutcome.Delivered(204), client.pushCompressed(big, 7, big.length - 9));
            assertEquals(new PushOutcome.Delivered(204), client.pushCompressed(small, 0, 0));
            assertEquals(1, server.accepted.get(), "one connection, kept alive");
            assertEquals(3, server.requests.size());
            assertArrayEquals(new byte[] {2, 3, 4}, server.requests.get(0).body());
            assertArrayEquals(
                    Arrays.copyOfRange(big, 7, big.length - 2),
                    server.requests.get(1).body());
            assertEquals(0, server.requests.get(2).body().length);
            RawRemoteWriteServer.Request first = server.requests.get(0);
            assertEquals("POST /api/v1/write HTTP/1.1", first.line());
            Map<String, String> h = first.headers();
            assertEquals("127.0.0.1:" + server.url().split(":")[2].split("/")[0], h.get("host"));
            assertEquals("3", h.get("content-length"));
            assertEquals("snappy", h.get("content-encoding"));
            assertEquals("application/x-protobuf", h.get("content-type"));
            assertEquals("0.1.0", h.get("x-prometheus-remote-write-version"));
            assertEquals("edge-agent/test", h.get("user-agent"));
            assertEquals("Bearer tok", h.get("authorization"));
            assertEquals("1", h.get("x-extra"));
        }
    }

    @Test
    void aKeptConnectionClosedBeforeAnyResponseByteIsRetriedOnceOnAFreshOne() throws IOException {
        try (RawRemoteWriteServer server = new RawRemoteWriteServer((c, r) -> c == 1 && r == 2 ? CLOSE : NO_CONTENT);
                RemoteWriteClient client = client(server, Duration.ofSeconds(10))) {
            byte[] body = random(100, 2);
            assertEquals(new PushOutcome.Delivered(204), client.pushCompressed(body, 0, 100));
            assertEquals(new PushOutcome.Delivered(204), client.pushCompressed(body, 0, 50));
            assertEquals(2, server.accepted.get());
            assertEquals(3, server.requests.size(), "the push the closed connection lost, sent once more");
            assertArrayEquals(
                    server.requests.get(1).body(), server.requests.get(2).body());
            assertEquals(2, server.requests.get(2).connection());
        }
    }

    @Test
    void aFreshConnectionClosedBeforeAnyResponseByteIsNotRetried() throws IOException {
        try (RawRemoteWriteServer server = new RawRemoteWriteServer((c, r) -> CLOSE);
                RemoteWriteClient client = client(server, Duration.ofSeconds(10))) {
            assertNetworkRetry(client.pushCompressed(new byte[10], 0, 10));
            assertEquals(1, server.requests.size());
        }
    }

    @Test
    void aKeptConnectionClosedMidResponseIsNotRetried() throws IOException {
        try (RawRemoteWriteServer server =
                        new RawRemoteWriteServer((c, r) -> r == 2 ? PARTIAL_THEN_CLOSE : NO_CONTENT);
                RemoteWriteClient client = client(server, Duration.ofSeconds(10))) {
            assertEquals(new PushOutcome.Delivered(204), client.pushCompressed(new byte[10], 0, 10));
            assertNetworkRetry(client.pushCompressed(new byte[10], 0, 10));
            assertEquals(2, server.requests.size(), "a response had begun: the request may have been processed");
            assertEquals(1, server.accepted.get());
        }
    }

    @Test
    void aServerThatDribblesItsAnswerDoesNotExtendTheTimeout() throws IOException {
        try (RawRemoteWriteServer server = new RawRemoteWriteServer((c, r) -> c == 1 ? DRIBBLE : NO_CONTENT);
                RemoteWriteClient client = client(server, Duration.ofSeconds(2))) {
            long t0 = System.nanoTime();
            assertNetworkRetry(client.pushCompressed(new byte[10], 0, 10));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            // Not before its 2 s (one-sided: a busy machine only makes it later); and not extended by
            // the trickle: the client gave up while the server was still dribbling (10 s in all; seconds, not
            // milliseconds, so that the second push's own exchange fits on a busy machine), which
            // holds however slow the machine, where an upper bound on the time would not.
            assertTrue(ms >= 1_900, ms + " ms");
            assertEquals(
                    0, server.dribblesFinished.get(), "the client read the dribbled answer to its end (" + ms + " ms)");
            assertEquals(new PushOutcome.Delivered(204), client.pushCompressed(new byte[10], 0, 10));
            assertEquals(2, server.accepted.get(), "a timed-out connection is never reused");
        }
    }

    @Test
    void aServerThatReadsNothingDoesNotExtendTheTimeout() throws IOException {
        try (RawRemoteWriteServer server = new RawRemoteWriteServer((c, r) -> STALL);
                RemoteWriteClient client = client(server, Duration.ofSeconds(2))) {
            byte[] big = new byte[32 << 20]; // far more than the socket buffers take
            long t0 = System.nanoTime();
            assertNetworkRetry(client.pushCompressed(big, 0, big.length));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            // Not before its 2 s (one-sided: a busy machine only makes it later); and not extended by
            // the blocked write: the client gave up while the server still held the connection (60 s).
            assertTrue(ms >= 1_900, ms + " ms");
            assertEquals(0, server.stallsFinished.get(), "the client waited until the server let go (" + ms + " ms)");
            Arrays.fill(big, (byte) 1); // the caller may reuse its array at once
        }
    }

    @Test
    void aHangingServerTimesOutAndTheNextPushUsesANewConnection() throws IOException {
        try (RawRemoteWriteServer server = new RawRemoteWriteServer((c, r) -> c == 1 ? HANG : NO_CONTENT);
                RemoteWriteClient client = client(server, Duration.ofSeconds(3))) {
            assertNetworkRetry(client.pushCompressed(new byte[10], 0, 10));
            assertEquals(new PushOutcome.Delivered(204), client.pushCompressed(new byte[10], 0, 10));
            assertEquals(2, server.accepted.get());
            assertEquals(2, server.requests.size(), "no retry of a timed-out push");
        }
    }

    @Test
    void aRejectBodyIsCutAt1KiBAndTheConnectionIsKept() throws IOException {
        try (RawRemoteWriteServer server = new RawRemoteWriteServer((c, r) -> r == 1 ? LONG_ERROR : NO_CONTENT);
                RemoteWriteClient client = client(server, Duration.ofSeconds(10))) {
            assertEquals(
                    new PushOutcome.Rejected(400, RawRemoteWriteServer.LONG_ERROR.substring(0, 1024)),
                    client.pushCompressed(new byte[10], 0, 10));
            assertEquals(new PushOutcome.Delivered(204), client.pushCompressed(new byte[10], 0, 10));
            assertEquals(1, server.accepted.get(), "the chunked error body was read to its end");
        }
    }

    @Test
    void anInterimResponseIsSkipped() throws IOException {
        try (RawRemoteWriteServer server =
                        new RawRemoteWriteServer((c, r) -> r == 1 ? CONTINUE_THEN_NO_CONTENT : NO_CONTENT);
                RemoteWriteClient client = client(server, Duration.ofSeconds(10))) {
            assertEquals(new PushOutcome.Delivered(204), client.pushCompressed(new byte[10], 0, 10));
            assertEquals(new PushOutcome.Delivered(204), client.pushCompressed(new byte[10], 0, 10));
            assertEquals(1, server.accepted.get());
        }
    }

    @Test
    void connectionCloseIsHonoured() throws IOException {
        try (RawRemoteWriteServer server =
                        new RawRemoteWriteServer((c, r) -> c == 1 ? NO_CONTENT_THEN_CLOSE : NO_CONTENT);
                RemoteWriteClient client = client(server, Duration.ofSeconds(10))) {
            assertEquals(new PushOutcome.Delivered(204), client.pushCompressed(new byte[10], 0, 10));
            assertEquals(new PushOutcome.Delivered(204), client.pushCompressed(new byte[10], 0, 10));
            assertEquals(2, server.accepted.get());
            assertEquals(2, server.requests.size());
        }
    }

    @Test
    void anAnswerBeforeTheWholeBodyEndsThePush() throws IOException {
        try (RawRemoteWriteServer server =
                        new RawRemoteWriteServer((c, r) -> c == 1 && r == 1 ? EARLY_413 : NO_CONTENT);
                RemoteWriteClient client = client(server, Duration.ofSeconds(10))) {
            byte[] big = random(4 << 20, 3);
            assertEquals(new PushOutcome.Rejected(413, "big"), client.pushCompressed(big, 0, big.length));
            assertEquals(new PushOutcome.Delivered(204), client.pushCompressed(new byte[10], 0, 10));
        }
    }

    @Test
    void afterCloseAPushFailsWithoutThrowing() throws IOException {
        try (RawRemoteWriteServer server = new RawRemoteWriteServer((c, r) -> NO_CONTENT)) {
            RemoteWriteClient client = client(server, Duration.ofSeconds(10));
            assertEquals(new PushOutcome.Delivered(204), client.pushCompressed(new byte[10], 0, 10));
            client.close();
            assertNetworkRetry(client.pushCompressed(new byte[10], 0, 10));
            assertEquals(1, server.requests.size());
        }
    }
}
