package dev.edgepush.forward.send;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.edgepush.forward.buffer.DiskBuffer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole delivery step: DiskBuffer, Sender and the real HTTP client against WireMock
 * faults. The clock is fake, so waits are asserted as the values the sender asks for.
 */
class SenderOverHttpTest {
    @TempDir
    Path dir;

    WireMockServer wm;
    DiskBuffer buffer;
    RemoteWriteClient client;
    EventLoopGroup group;
    SendCounters metrics;
    long now = 1_000_000;

    @BeforeEach
    void setUp() throws IOException {
        wm = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        wm.start();
        buffer = DiskBuffer.open(dir);
        metrics = new SendCounters("samples_dropped_total{reason=\"rejected\"}");
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        // 5 s: a fresh WireMock's first answer, with this JVM's first Netty client connection, can
        // take more than 500 ms on a loaded machine (seen in CI-like runs as a spurious timeout).
        client = client(Duration.ofSeconds(5));
    }

    private RemoteWriteClient client(Duration timeout) {
        return new RemoteWriteClient(
                group, "http://127.0.0.1:" + wm.port() + "/api/v1/write", null, timeout, "edge-agent/test", null);
    }

    @AfterEach
    void tearDown() {
        client.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        buffer.close();
        wm.stop();
    }

    private Sender sender() {
        Sender.Transport t = new Sender.Transport() {
            @Override
            public PushOutcome push(byte[] body, int offset, int length) {
                return client.pushCompressed(body, offset, length);
            }

            @Override
            public long lastRequestBytes() {
                return client.lastRequestBytes();
            }
        };
        return new Sender(
                buffer,
                t,
                new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), new SplittableRandom(7)),
                metrics,
                () -> now,
                Duration.ofMillis(1),
                1,
                1 << 20,
                "wiremock");
    }

    private void append(String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        buffer.append(b, b.length, 1, now);
    }

    private void script(ResponseDefinitionBuilder first, ResponseDefinitionBuilder then) {
        wm.stubFor(post(urlEqualTo("/api/v1/write"))
                .inScenario("s")
                .whenScenarioStateIs(STARTED)
                .willReturn(first)
                .willSetStateTo("second"));
        wm.stubFor(post(urlEqualTo("/api/v1/write"))
                .inScenario("s")
                .whenScenarioStateIs("second")
                .willReturn(then));
    }

    private List<LoggedRequest> requests() {
        return wm.findAll(postRequestedFor(urlEqualTo("/api/v1/write")));
    }

    /** Runs the sender, jumping the fake clock over every wait, until it has nothing to send. */
    private void drain(Sender s) throws IOException {
        for (int i = 0; i < 20 && buffer.pendingSamples() > 0; i++) {
            now += s.runOnce() + 1;
        }
    }

    @Test
    void a500IsResentIdenticallyUntilA204() throws IOException {
        script(aResponse().withStatus(500), aResponse().withStatus(204));
        append("sample-a");
        drain(sender());
        List<LoggedRequest> reqs = requests();
        assertEquals(2, reqs.size());
        assertArrayEquals(reqs.get(0).getBody(), reqs.get(1).getBody(), "the re-sent body is byte-identical");
        assertEquals(1, metrics.samplesSent());
        assertEquals(0, buffer.pendingSamples());
    }

    @Test
    void a400IsNotResentAndIsCounted() throws IOException {
        script(aResponse().withStatus(400).withBody("bad label"), aResponse().withStatus(204));
        append("bad");
        append("good");
        drain(sender());
        assertEquals(2, requests().size(), "one request per batch, the rejected one not repeated");
        assertEquals(1, metrics.samplesRejected());
        assertEquals(1, metrics.samplesSent());
    }

    @Test
    void a429WaitsForRetryAfter() throws IOException {
        script(
                aResponse().withStatus(429).withHeader("Retry-After", "7"),
                aResponse().withStatus(204));
        append("x");
        Sender s = sender();
        now += 10;
        long wait = s.runOnce();
        assertEquals(7000, wait, "Retry-After: 7 is honoured");
        now += 6999;
        s.runOnce();
        assertEquals(1, requests().size(), "nothing is sent before Retry-After");
        now += 1;
        s.runOnce();
        assertEquals(2, requests().size());
        assertEquals(0, buffer.pendingSamples());
    }

    @Test
    void aConnectionResetIsRetried() throws IOException {
        script(
                aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER),
                aResponse().withStatus(204));
        append("x");
        drain(sender());
        assertEquals(2, requests().size());
        assertEquals(1, metrics.requests("error"));
        assertEquals(0, buffer.pendingSamples());
    }

    @Test
    void aSlowResponsePastTheTimeoutIsRetried() throws IOException {
        client.close();
        client = client(Duration.ofMillis(500));
        script(aResponse().withStatus(204).withFixedDelay(2000), aResponse().withStatus(204));
        append("x");
        drain(sender());
        assertEquals(2, requests().size());
        assertEquals(1, metrics.samplesSent(), "counted once, when the 204 came in time");
    }
}
