package dev.edgepush.ingest.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.ingest.Bodies;
import dev.edgepush.ingest.CentralIngest;
import dev.edgepush.ingest.IngestFlags;
import dev.edgepush.ingest.auth.TokensFile;
import dev.edgepush.net.http.ClosedConnections.Reason;
import dev.edgepush.net.http.RawHttp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 and 17 against a running central-ingest on 127.0.0.1:0, from a raw socket: framing
 * errors answered 400 with their reason and the connection closed; slowloris, idle, stalled and
 * endless bodies closed by their timeouts; the per-address connection cap; HTTP/1.0 keep-alive
 * (ApacheBench {@code ab -k}) gets a length on a 204 and {@code Connection: keep-alive}.
 */
class HttpServerGuardsTest {
    static final String ROBOT = "robot-token-1";

    @TempDir
    Path dir;

    private CentralIngest ingest;

    private void start(String... extra) throws Exception {
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, "robot r1 42 " + TokensFile.hashOf(ROBOT) + "\n");
        List<String> args = new ArrayList<>(List.of(
                "-httpListenAddr=127.0.0.1:0",
                "-remoteWrite.url=http://127.0.0.1:9/api/v1/write",
                "-auth.tokensFile=" + tokens,
                "-wal.path=" + dir.resolve("wal")));
        args.addAll(List.of(extra));
        ingest =
                new CentralIngest(IngestFlags.parse(args.toArray(String[]::new)).validate());
    }

    @AfterEach
    void stop() {
        if (ingest != null) {
            ingest.close();
        }
    }

    private RawHttp connect() throws IOException {
        return new RawHttp(ingest.port());
    }

    private static String writeHead(String version, String extraHeaders) {
        return "POST /api/v1/write " + version + "\r\nHost: x\r\nAuthorization: Bearer " + ROBOT
                + "\r\nContent-Type: application/x-protobuf\r\n" + extraHeaders + "\r\n";
    }

    @Test
    void contentLengthWithTransferEncodingIs400WithTheReasonAndCloses() throws Exception {
        start();
        try (RawHttp c = connect()) {
            RawHttp.Response r = c.send(writeHead("HTTP/1.1", "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n")
                            + "5\r\nhello\r\n0\r\n\r\n")
                    .read();
            assertEquals(400, r.status(), r.body());
            assertTrue(r.body().contains("both Content-Length and Transfer-Encoding"), r.body());
            assertEquals("close", r.header("Connection"));
            assertTrue(c.closedByServer());
        }
        assertEquals(1, ingest.metrics().httpClosed.count(Reason.BAD_FRAMING));
        assertEquals(1, ingest.metrics().requests(400));
    }

    @Test
    void aHundredKilobyteHeaderIs400WithTheLimitAndCloses() throws Exception {
        start();
        try (RawHttp c = connect()) {
            RawHttp.Response r = c.send(
                            writeHead("HTTP/1.1", "X-Big: " + "a".repeat(100_000) + "\r\nContent-Length: 0\r\n"))
                    .read();
            assertEquals(400, r.status(), r.body());
            assertTrue(r.body().contains("header larger than 16384 bytes (-http.maxHeaderBytes)"), r.body());
            assertTrue(c.closedByServer());
        }
    }

    /**
     * A robot sending a body announced too large is still writing when the 413 is sent. A server
     * that closes at once answers the bytes still arriving with a reset, and the client's next write
     * fails before it reads the answer (java.net.http then reports "header parser received no
     * bytes": CI saw this as a flaky IngestServerStatusCodesTest). The server must answer, send
     * FIN, and read on, so the client can finish writing and read the 413.
     */
    @Test
    void aClientStillSendingARefusedBodyReadsThe413NotAReset() throws Exception {
        start("-maxRequestBytes=64KB");
        try (RawHttp c = connect()) {
            c.send(writeHead("HTTP/1.1", "Content-Length: 1048576\r\n"));
            Thread.sleep(300); // the server answers 413 from the head alone and ends the connection
            for (int i = 0; i < 16; i++) {
                c.send(new byte[64 * 1024]); // a closed server resets: the second write or so fails
                Thread.sleep(20);
            }
            RawHttp.Response r = c.read();
            assertEquals(413, r.status(), r.body());
            assertTrue(r.body().contains("-maxRequestBytes"), r.body());
            assertEquals("close", r.header("Connection"));
            assertTrue(c.closedByServer());
        }
    }

    /**
     * A client that asked for the close and sent its whole request sends nothing more: the server
     * closes at once (no lingering: that costs a shutdown, a timer and a wait for the client's FIN
     * on every request of a client without keep-alive), so bytes sent after the answer meet a reset.
     */
    @Test
    void aClientThatAskedForTheCloseAndSentItsWholeRequestIsClosedAtOnce() throws Exception {
        start();
        byte[] body = Bodies.v1(Bodies.series(1, 1_700_000_000_000L, "__name__", "temp"));
        try (RawHttp c = connect()) {
            c.send(writeHead("HTTP/1.1", "Connection: close\r\nContent-Length: " + body.length + "\r\n"));
            RawHttp.Response r = c.send(body).read();
            assertEquals(204, r.status(), r.body());
            assertEquals("close", r.header("Connection"));
            assertTrue(c.closedByServer());
            assertThrows(IOException.class, () -> {
                for (int i = 0; i < 50; i++) { // a lingering server would read and discard these for 2 s
                    c.send(new byte[64 * 1024]);
                    Thread.sleep(20);
                }
            });
        }
        assertEquals(1, ingest.metrics().samplesReceived.sum());
    }

    @Test
    void aMalformedChunkIs400AndCloses() throws Exception {
        start();
        try (RawHttp c = connect()) {
            RawHttp.Response r = c.send(writeHead("HTTP/1.1", "Transfer-Encoding: chunked\r\n") + "zz\r\nhello\r\n")
                    .read();
            assertEquals(400, r.status(), r.body());
            assertTrue(r.body().contains("malformed chunk"), r.body());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void aHeadThatNeverEndsIsClosedAfterTheHeaderTimeout() throws Exception {
        start("-http.headerReadTimeout=1s");
        try (RawHttp c = connect()) {
            c.send("POST /api/v1/write HTTP/1.1\r\nHost: x\r\nX-Slow: ");
            assertTrue(c.closedByServer(), "a slowloris connection was still open after 30 s");
        }
        assertEquals(1, ingest.metrics().httpClosed.count(Reason.HEADER_TIMEOUT));
    }

    @Test
    void anIdleKeepAliveConnectionIsClosed() throws Exception {
        start("-http.idleConnTimeout=1s");
        try (RawHttp c = connect()) {
            assertEquals(
                    200,
                    c.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n").read().status());
            assertTrue(c.closedByServer(), "an idle keep-alive connection was still open after 30 s");
        }
        assertEquals(1, ingest.metrics().httpClosed.count(Reason.IDLE_TIMEOUT));
    }

    @Test
    void aBodyThatStopsArrivingIsCut() throws Exception {
        start("-http.bodyReadTimeout=1s");
        try (RawHttp c = connect()) {
            c.send(writeHead("HTTP/1.1", "Content-Length: 100\r\n") + "0123456789");
            assertTrue(c.closedByServer(), "a stalled body was still being waited for after 30 s");
        }
        assertEquals(1, ingest.metrics().httpClosed.count(Reason.BODY_TIMEOUT));
    }

    @Test
    void aChunkedBodyThatNeverEndsIsCutAtMaxBodyDuration() throws Exception {
        start("-http.bodyReadTimeout=10s", "-http.maxBodyDuration=2s");
        try (RawHttp c = connect()) {
            c.send(writeHead("HTTP/1.1", "Transfer-Encoding: chunked\r\n"));
            boolean cut = false;
            for (int i = 0; i < 150 && !cut; i++) { // at most about 30 s
                try {
                    c.send("1\r\na\r\n");
                    Thread.sleep(200);
                } catch (IOException e) {
                    cut = true;
                }
                cut = cut || ingest.metrics().httpClosed.count(Reason.BODY_TIMEOUT) > 0;
            }
            assertTrue(cut, "an endless chunked body was still being read after 30 s");
            assertTrue(c.closedByServer());
        }
        assertEquals(1, ingest.metrics().httpClosed.count(Reason.BODY_TIMEOUT));
    }

    @Test
    void connectionsOverThePerAddressCapAreClosedAndTheCapFreesUp() throws Exception {
        start("-http.maxConnsPerAddress=3");
        List<RawHttp> open = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                RawHttp c = connect();
                open.add(c);
                assertEquals(
                        200,
                        c.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n").read().status());
            }
            try (RawHttp fourth = connect()) {
                assertTrue(fourth.closedByServer(), "a fourth connection from 127.0.0.1 was kept");
            }
            assertEquals(1, ingest.metrics().httpClosed.count(Reason.TOO_MANY_CONNECTIONS));
            open.remove(0).close();
            // The server sees the close asynchronously: poll until a new connection is served.
            boolean served = false;
            for (int i = 0; i < 100 && !served; i++) {
                try (RawHttp again = connect()) {
                    served = again.send("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                                    .read()
                                    .status()
                            == 200;
                } catch (IOException e) {
                    Thread.sleep(100);
                }
            }
            assertTrue(served, "the cap did not free up after a connection closed");
        } finally {
            for (RawHttp c : open) {
                c.close();
            }
        }
    }

    @Test
    void http10KeepAliveGetsContentLengthOnA204AndTheConnectionStaysOpen() throws Exception {
        start();
        byte[] body = Bodies.v1(Bodies.series(1, 1_700_000_000_000L, "__name__", "temp"));
        try (RawHttp c = connect()) {
            for (int i = 0; i < 3; i++) { // as ab -k does: several requests on one connection
                c.send(writeHead("HTTP/1.0", "Connection: keep-alive\r\nContent-Length: " + body.length + "\r\n"));
                RawHttp.Response r = c.send(body).read();
                assertEquals(204, r.status(), r.body());
                assertEquals("0", r.header("Content-Length"));
                assertEquals("keep-alive", r.header("Connection"));
            }
            RawHttp.Response health = c.send("GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                    .read();
            assertEquals(200, health.status());
            assertEquals("keep-alive", health.header("Connection"));
            RawHttp.Response last = c.send("GET /health HTTP/1.0\r\n\r\n").read();
            assertEquals(200, last.status());
            assertEquals("close", last.header("Connection"));
            assertTrue(c.closedByServer());
        }
        assertEquals(3, ingest.metrics().samplesReceived.sum());
    }

    @Test
    void http11GetsA204WithoutLengthOrConnectionHeaderAndKeepsTheConnection() throws Exception {
        start();
        byte[] body = Bodies.v1(Bodies.series(1, 1_700_000_000_000L, "__name__", "temp"));
        try (RawHttp c = connect()) {
            c.send(writeHead("HTTP/1.1", "Content-Length: " + body.length + "\r\n"));
            RawHttp.Response r = c.send(body).read();
            assertEquals(204, r.status());
            assertEquals(null, r.header("Content-Length")); // RFC 9110 8.6: never on an HTTP/1.1 204
            assertEquals(null, r.header("Connection"));
            assertEquals(
                    200,
                    c.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n").read().status());
        }
        assertEquals(0, ingest.metrics().httpClosed.count(Reason.BAD_FRAMING));
    }
}
