package dev.edgepush.forward.send;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.edgepush.proto.rw1.RemoteWrite;
import dev.edgepush.proto.rw2.RemoteWriteV2;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

/** What each answer to a 2.0 request makes of the protocol, against WireMock; the clock is fake. */
class ProtocolTransportTest {
    private static final String V2_TYPE = "application/x-protobuf;proto=io.prometheus.write.v2.Request";
    WireMockServer wm;
    EventLoopGroup group;
    RemoteWriteClient client;
    long now = 1_000_000;
    byte[] v1Block;

    @BeforeEach
    void setUp() throws Exception {
        wm = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        wm.start();
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        client = new RemoteWriteClient(
                group,
                "http://127.0.0.1:" + wm.port() + "/api/v1/write",
                null,
                Duration.ofSeconds(10),
                "edge-agent/test",
                null);
        RemoteWrite.WriteRequest w = RemoteWrite.WriteRequest.newBuilder()
                .addTimeseries(RemoteWrite.TimeSeries.newBuilder()
                        .addLabels(RemoteWrite.Label.newBuilder()
                                .setName("__name__")
                                .setValue("m"))
                        .addSamples(RemoteWrite.Sample.newBuilder().setValue(1).setTimestamp(1000)))
                .build();
        v1Block = Snappy.compress(w.toByteArray());
    }

    @AfterEach
    void tearDown() {
        client.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        wm.stop();
    }

    private void answer(String contentType, ResponseDefinitionBuilder response) {
        wm.stubFor(post(urlEqualTo("/api/v1/write"))
                .withHeader("Content-Type", equalTo(contentType))
                .willReturn(response));
    }

    private List<LoggedRequest> requests() {
        return wm.findAll(postRequestedFor(urlEqualTo("/api/v1/write")));
    }

    private ProtocolTransport transport(RemoteWriteProtocol mode) {
        return new ProtocolTransport(client, mode, () -> now, "wiremock");
    }

    private PushOutcome push(ProtocolTransport t) {
        return t.push(v1Block, 0, v1Block.length);
    }

    private void assertV2Then1(List<LoggedRequest> reqs) throws Exception {
        assertEquals(2, reqs.size());
        assertEquals(V2_TYPE, reqs.get(0).getHeader("Content-Type"));
        assertEquals("2.0.0", reqs.get(0).getHeader("X-Prometheus-Remote-Write-Version"));
        assertEquals("snappy", reqs.get(0).getHeader("Content-Encoding"));
        RemoteWriteV2.Request r =
                RemoteWriteV2.Request.parseFrom(Snappy.uncompress(reqs.get(0).getBody()));
        assertEquals(1, r.getTimeseries(0).getSamplesCount());
        assertEquals("application/x-protobuf", reqs.get(1).getHeader("Content-Type"));
        assertEquals("0.1.0", reqs.get(1).getHeader("X-Prometheus-Remote-Write-Version"));
        assertArrayEquals(v1Block, reqs.get(1).getBody(), "the same batch, as buffered");
    }

    @Test
    void autoFallsBackOnA2xxWithoutSamplesWrittenAndResendsTheBatchAs1() throws Exception {
        answer(V2_TYPE, aResponse().withStatus(204));
        answer("application/x-protobuf", aResponse().withStatus(204));
        ProtocolTransport t = transport(RemoteWriteProtocol.AUTO);
        assertEquals("2.0", t.protocol());
        assertInstanceOf(PushOutcome.Delivered.class, push(t));
        assertV2Then1(requests());
        assertEquals("1.0", t.protocol());
        assertEquals(requests().get(0).getBody().length + v1Block.length, t.lastRequestBytes(), "both requests' bytes");
    }

    @Test
    void autoFallsBackOn415() throws Exception {
        answer(V2_TYPE, aResponse().withStatus(415));
        answer("application/x-protobuf", aResponse().withStatus(204));
        ProtocolTransport t = transport(RemoteWriteProtocol.AUTO);
        assertInstanceOf(PushOutcome.Delivered.class, push(t));
        assertV2Then1(requests());
        assertEquals("1.0", t.protocol());
    }

    @Test
    void autoFallsBackOnA400ThatThe1RequestPasses() throws Exception {
        answer(V2_TYPE, aResponse().withStatus(400).withBody("cannot parse"));
        answer("application/x-protobuf", aResponse().withStatus(204));
        ProtocolTransport t = transport(RemoteWriteProtocol.AUTO);
        assertInstanceOf(PushOutcome.Delivered.class, push(t));
        assertV2Then1(requests());
        assertEquals("1.0", t.protocol());
    }

    @Test
    void autoKeeps2WhenBothProtocolsAreRefused() {
        answer(V2_TYPE, aResponse().withStatus(400));
        answer("application/x-protobuf", aResponse().withStatus(400));
        ProtocolTransport t = transport(RemoteWriteProtocol.AUTO);
        assertInstanceOf(PushOutcome.Rejected.class, push(t));
        assertEquals(2, requests().size());
        assertEquals("2.0", t.protocol());
    }

    @Test
    void autoStays2WhenTheReceiverWroteFewerSamplesThanSent() {
        answer(V2_TYPE, aResponse().withStatus(204).withHeader(RemoteWriteClient.SAMPLES_WRITTEN_HEADER, "0"));
        ProtocolTransport t = transport(RemoteWriteProtocol.AUTO);
        assertInstanceOf(PushOutcome.Delivered.class, push(t));
        assertEquals(1, requests().size());
        assertEquals("2.0", t.protocol());
    }

    @Test
    void autoRetriesA5xxWith2AndDoesNotFallBack() {
        answer(V2_TYPE, aResponse().withStatus(503));
        ProtocolTransport t = transport(RemoteWriteProtocol.AUTO);
        assertInstanceOf(PushOutcome.Retry.class, push(t));
        assertEquals(1, requests().size());
        assertEquals("2.0", t.protocol());
    }

    @Test
    void autoTries2AgainAnHourAfterAFallback() {
        answer(V2_TYPE, aResponse().withStatus(415));
        answer("application/x-protobuf", aResponse().withStatus(204));
        ProtocolTransport t = transport(RemoteWriteProtocol.AUTO);
        push(t);
        now += ProtocolTransport.RECHECK_MS - 1;
        push(t);
        assertEquals(3, requests().size(), "within the hour: 1.0 only");
        wm.resetAll();
        answer(V2_TYPE, aResponse().withStatus(204).withHeader(RemoteWriteClient.SAMPLES_WRITTEN_HEADER, "1"));
        now += 1;
        assertInstanceOf(PushOutcome.Delivered.class, push(t));
        assertEquals(V2_TYPE, requests().get(0).getHeader("Content-Type"));
        assertEquals("2.0", t.protocol());
    }

    @Test
    void mode2NeverFallsBackAndResendsIdenticalBytes() {
        answer(V2_TYPE, aResponse().withStatus(204));
        ProtocolTransport t = transport(RemoteWriteProtocol.V2);
        push(t);
        push(t);
        List<LoggedRequest> reqs = requests();
        assertEquals(2, reqs.size());
        assertArrayEquals(reqs.get(0).getBody(), reqs.get(1).getBody());
        assertEquals("2.0", t.protocol());
    }

    @Test
    void mode1SendsTheBufferedBytesAsTheyAre() {
        answer("application/x-protobuf", aResponse().withStatus(204));
        ProtocolTransport t = transport(RemoteWriteProtocol.V1);
        push(t);
        assertEquals(1, requests().size());
        assertArrayEquals(v1Block, requests().get(0).getBody());
        assertEquals("0.1.0", requests().get(0).getHeader("X-Prometheus-Remote-Write-Version"));
        assertEquals("1.0", t.protocol());
    }

    /**
     * Batches whose Snappy 2.0 request outgrows the transport's buffer: each request must be the batch
     * (the buffer grew before the request was taken from it), not a stale or short array; before, the
     * old buffer went out with the new length (an IndexOutOfBoundsException, or stale bytes that the
     * receiver refused with 400 and the batch was dropped).
     */
    @Test
    void growingV2RequestsAreSentWhole() throws Exception {
        answer(V2_TYPE, aResponse().withStatus(204));
        ProtocolTransport t = transport(RemoteWriteProtocol.V2);
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        int[] sizes = {500, 1_500, 2_500, 3_000, 4_000, 6_000, 9_000, 14_000};
        for (int n : sizes) {
            dev.edgepush.proto.WriteRequestEncoder e = new dev.edgepush.proto.WriteRequestEncoder();
            for (int i = 0; i < n; i++) {
                e.addSeries(
                        new String[] {"__name__", "g", "idx", Integer.toString(i)}, 2, random.nextDouble(), 1000 + i);
            }
            byte[] block = Snappy.compress(e.toByteArray());
            assertInstanceOf(PushOutcome.Delivered.class, t.push(block, 0, block.length), n + " series");
        }
        List<LoggedRequest> reqs = requests();
        assertEquals(sizes.length, reqs.size());
        for (int k = 0; k < sizes.length; k++) {
            RemoteWriteV2.Request r = RemoteWriteV2.Request.parseFrom(
                    Snappy.uncompress(reqs.get(k).getBody()));
            assertEquals(sizes[k], r.getTimeseriesCount(), "request " + k);
        }
    }
}
