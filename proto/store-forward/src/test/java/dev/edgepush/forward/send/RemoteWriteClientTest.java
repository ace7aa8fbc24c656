package dev.edgepush.forward.send;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

class RemoteWriteClientTest {

    private static final String PATH = "/api/v1/write";
    private static final String UA = "edgepush-test/1.0";

    private static WireMockServer server;
    private static EventLoopGroup group;

    /** A made-up payload, sent as a Snappy block. */
    private static final byte[] PAYLOAD =
            "remote write request bytes, repeated repeated".getBytes(StandardCharsets.UTF_8);
    /** The compressed payload with a prefix/suffix that must not be sent, to exercise offset/length. */
    private static final byte[] BUFFER;

    private static final int OFFSET = 5;
    private static final int LENGTH;

    static {
        try {
            byte[] block = Snappy.compress(PAYLOAD);
            BUFFER = new byte[block.length + 10];
            Arrays.fill(BUFFER, (byte) '|');
            System.arraycopy(block, 0, BUFFER, OFFSET, block.length);
            LENGTH = block.length;
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @BeforeAll
    static void start() {
        server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        server.start();
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    }

    @AfterAll
    static void stop() {
        server.stop();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @BeforeEach
    void reset() {
        server.resetAll();
    }

    private static RemoteWriteClient client(String token, Duration timeout) {
        return new RemoteWriteClient(group, "http://127.0.0.1:" + server.port() + PATH, token, timeout, UA, null);
    }

    private static PushOutcome pushReturning(ResponseDefinitionBuilder response) {
        server.stubFor(post(PATH).willReturn(response));
        try (RemoteWriteClient client = client(null, Duration.ofSeconds(10))) {
            return client.pushCompressed(BUFFER, OFFSET, LENGTH);
        }
    }

    @Test
    void sendsSnappyBlockWithRemoteWriteHeaders() throws IOException {
        server.stubFor(post(PATH).willReturn(aResponse().withStatus(204)));
        try (RemoteWriteClient client = new RemoteWriteClient(
                group,
                "http://127.0.0.1:" + server.port() + PATH,
                null,
                Duration.ofSeconds(10),
                UA,
                () -> Map.of("X-Edgepush-Backlog-Bytes", "123", "Content-Encoding", "gzip"))) {
            assertEquals(new PushOutcome.Delivered(204), client.pushCompressed(BUFFER, OFFSET, LENGTH));

            server.verify(
                    1,
                    postRequestedFor(urlEqualTo(PATH))
                            .withHeader("Content-Encoding", equalTo("snappy"))
                            .withHeader("Content-Type", equalTo("application/x-protobuf"))
                            .withHeader("User-Agent", equalTo(UA))
                            .withHeader("X-Prometheus-Remote-Write-Version", equalTo("0.1.0"))
                            .withHeader("X-Edgepush-Backlog-Bytes", equalTo("123"))
                            .withHeader("Authorization", absent()));
            byte[] body = server.getAllServeEvents().get(0).getRequest().getBody();
            assertTrue(Snappy.isValidCompressedBuffer(body), "not Snappy block format");
            assertArrayEquals(Arrays.copyOfRange(BUFFER, OFFSET, OFFSET + LENGTH), body, "sent as given");
            assertArrayEquals(PAYLOAD, Snappy.uncompress(body));
            assertEquals(body.length, client.lastRequestBytes());
        }
    }

    @Test
    void sendsBearerToken() {
        server.stubFor(post(PATH).willReturn(aResponse().withStatus(200)));
        try (RemoteWriteClient client = client("s3cret", Duration.ofSeconds(10))) {
            assertEquals(new PushOutcome.Delivered(200), client.pushCompressed(BUFFER, OFFSET, LENGTH));
        }
        server.verify(postRequestedFor(urlEqualTo(PATH)).withHeader("Authorization", equalTo("Bearer s3cret")));
    }

    @Test
    void status204IsDelivered() {
        assertEquals(new PushOutcome.Delivered(204), pushReturning(aResponse().withStatus(204)));
    }

    @Test
    void status500IsRetry() {
        assertEquals(
                new PushOutcome.Retry(500, null, "HTTP 500"),
                pushReturning(aResponse().withStatus(500)));
    }

    @Test
    void status400IsRejectedWithBody() {
        assertEquals(
                new PushOutcome.Rejected(400, "bad label"),
                pushReturning(aResponse().withStatus(400).withBody("bad label")));
    }

    @Test
    void status429HonoursRetryAfter() {
        assertEquals(
                new PushOutcome.Retry(429, Duration.ofSeconds(3), "HTTP 429"),
                pushReturning(aResponse().withStatus(429).withHeader("Retry-After", "3")));
    }

    @Test
    void status408IsRetry() {
        assertEquals(
                new PushOutcome.Retry(408, null, "HTTP 408"),
                pushReturning(aResponse().withStatus(408)));
    }

    @Test
    void redirectIsNotFollowed() {
        PushOutcome outcome = pushReturning(aResponse().withStatus(302).withHeader("Location", "/elsewhere"));
        assertEquals(302, assertInstanceOf(PushOutcome.Rejected.class, outcome).code());
        assertEquals(1, server.getAllServeEvents().size());
    }

    @Test
    void connectionResetIsRetry() {
        assertNetworkRetry(pushReturning(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    }

    @Test
    void emptyResponseIsRetry() {
        assertNetworkRetry(pushReturning(aResponse().withFault(Fault.EMPTY_RESPONSE)));
        assertEquals(1, server.getAllServeEvents().size(), "the client must not retry by itself");
    }

    @Test
    void timeoutIsRetry() {
        server.stubFor(post(PATH).willReturn(aResponse().withStatus(204).withFixedDelay(2000)));
        try (RemoteWriteClient client = client(null, Duration.ofMillis(300))) {
            assertNetworkRetry(client.pushCompressed(BUFFER, OFFSET, LENGTH));
        }
    }

    @Test
    void connectionRefusedIsRetry() throws IOException {
        int freePort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            freePort = socket.getLocalPort();
        }
        try (RemoteWriteClient client = new RemoteWriteClient(
                group, "http://127.0.0.1:" + freePort + PATH, null, Duration.ofSeconds(5), UA, null)) {
            assertNetworkRetry(client.pushCompressed(BUFFER, OFFSET, LENGTH));
        }
    }

    @Test
    void readsTokenFileTrimmed(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("token"), "  abc.def \n");
        assertEquals("abc.def", RemoteWriteClient.readTokenFile(file));
        Path empty = Files.writeString(dir.resolve("empty"), " \n");
        assertThrows(IOException.class, () -> RemoteWriteClient.readTokenFile(empty));
    }

    private static void assertNetworkRetry(PushOutcome outcome) {
        PushOutcome.Retry retry = assertInstanceOf(PushOutcome.Retry.class, outcome);
        assertNull(retry.after());
        assertFalse(retry.reason().startsWith("HTTP "), retry.reason());
    }
}
