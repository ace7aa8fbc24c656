package dev.edgepush.forward.send;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
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

/**
 * {@code -remoteWrite.compression}: what each answer makes of the encoding of one URL, against
 * WireMock; the clock is fake.
 */
class CompressionNegotiationTest {
    private static final String TAKES_ZSTD = "zstd, snappy";
    WireMockServer wm;
    EventLoopGroup group;
    RemoteWriteClient client;
    long now = 1_000_000;
    byte[] plain;
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
        RemoteWrite.WriteRequest.Builder w = RemoteWrite.WriteRequest.newBuilder();
        for (int i = 0; i < 50; i++) {
            w.addTimeseries(RemoteWrite.TimeSeries.newBuilder()
                    .addLabels(
                            RemoteWrite.Label.newBuilder().setName("__name__").setValue("m"))
                    .addLabels(RemoteWrite.Label.newBuilder().setName("i").setValue(Integer.toString(i)))
                    .addSamples(RemoteWrite.Sample.newBuilder().setValue(i).setTimestamp(1000)));
        }
        plain = w.build().toByteArray();
        v1Block = Snappy.compress(plain);
        assertTrue(ZstdSupport.available("test"), "zstd-jni loads on the build machine");
    }

    @AfterEach
    void tearDown() {
        client.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        wm.stop();
    }

    private void answer(String encoding, ResponseDefinitionBuilder response) {
        wm.stubFor(post(urlEqualTo("/api/v1/write"))
                .withHeader("Content-Encoding", equalTo(encoding))
                .willReturn(response));
    }

    private static ResponseDefinitionBuilder stored(String acceptEncoding) {
        ResponseDefinitionBuilder r = aResponse().withStatus(204);
        return acceptEncoding == null ? r : r.withHeader(RemoteWriteClient.ACCEPT_ENCODING_HEADER, acceptEncoding);
    }

    private List<LoggedRequest> requests() {
        return wm.findAll(postRequestedFor(urlEqualTo("/api/v1/write")));
    }

    private ProtocolTransport transport(RemoteWriteProtocol protocol, RemoteWriteCompression compression) {
        return new ProtocolTransport(client, protocol, compression, () -> now, "wiremock");
    }

    private PushOutcome push(ProtocolTransport t) {
        return t.push(v1Block, 0, v1Block.length);
    }

    private static String encoding(LoggedRequest r) {
        return r.getHeader("Content-Encoding");
    }

    @Test
    void autoStartsWithSnappyAndSendsZstdOnceAnAnswerSaysItTakesIt() {
        answer("snappy", stored(TAKES_ZSTD));
        answer("zstd", stored(TAKES_ZSTD));
        ProtocolTransport t = transport(RemoteWriteProtocol.V1, RemoteWriteCompression.AUTO);
        assertEquals("snappy", t.compression());
        assertInstanceOf(PushOutcome.Delivered.class, push(t));
        assertEquals("zstd", t.compression());
        assertInstanceOf(PushOutcome.Delivered.class, push(t));
        List<LoggedRequest> reqs = requests();
        assertEquals(2, reqs.size());
        assertEquals("snappy", encoding(reqs.get(0)));
        assertArrayEquals(v1Block, reqs.get(0).getBody());
        assertEquals("zstd", encoding(reqs.get(1)));
        assertEquals("application/x-protobuf", reqs.get(1).getHeader("Content-Type"));
        byte[] frame = reqs.get(1).getBody();
        assertEquals(plain.length, Zstd.getFrameContentSize(frame), "the frame declares its size");
        assertArrayEquals(plain, Zstd.decompress(frame, plain.length), "the 1.0 request, zstd instead of Snappy");
        assertEquals(frame.length, t.lastRequestBytes());
    }

    @Test
    void autoNeverSendsZstdToAReceiverThatDoesNotSayItTakesIt() {
        answer("snappy", stored("snappy, gzip"));
        ProtocolTransport t = transport(RemoteWriteProtocol.V1, RemoteWriteCompression.AUTO);
        for (int i = 0; i < 3; i++) {
            assertInstanceOf(PushOutcome.Delivered.class, push(t));
        }
        wm.resetAll();
        answer("snappy", stored(null));
        for (int i = 0; i < 3; i++) {
            assertInstanceOf(PushOutcome.Delivered.class, push(t));
            assertArrayEquals(v1Block, requests().get(i).getBody(), "as buffered");
        }
        assertEquals(3, requests().size());
        assertEquals("snappy", t.compression());
    }

    @Test
    void theHeaderOfARefusalDoesNotCount() {
        answer("snappy", aResponse().withStatus(400).withHeader(RemoteWriteClient.ACCEPT_ENCODING_HEADER, TAKES_ZSTD));
        ProtocolTransport t = transport(RemoteWriteProtocol.V1, RemoteWriteCompression.AUTO);
        assertInstanceOf(PushOutcome.Rejected.class, push(t));
        assertEquals("snappy", t.compression());
    }

    @Test
    void snappyIgnoresTheHeader() {
        answer("snappy", stored(TAKES_ZSTD));
        ProtocolTransport t = transport(RemoteWriteProtocol.V1, RemoteWriteCompression.SNAPPY);
        push(t);
        push(t);
        assertEquals(
                List.of("snappy", "snappy"),
                requests().stream().map(CompressionNegotiationTest::encoding).toList());
        assertEquals("snappy", t.compression());
    }

    @Test
    void a415ToZstdSendsTheSameBatchAsSnappyAndGoesBackToSnappyUntilTheRecheck() {
        answer("snappy", stored(TAKES_ZSTD));
        answer("zstd", aResponse().withStatus(415).withBody("unsupported Content-Encoding"));
        ProtocolTransport t = transport(RemoteWriteProtocol.V1, RemoteWriteCompression.AUTO);
        push(t); // snappy, learns zstd
        assertEquals("zstd", t.compression());
        assertInstanceOf(PushOutcome.Delivered.class, push(t), "only the Snappy answer counts");
        List<LoggedRequest> reqs = requests();
        assertEquals(
                List.of("snappy", "zstd", "snappy"),
                reqs.stream().map(CompressionNegotiationTest::encoding).toList());
        assertArrayEquals(v1Block, reqs.get(2).getBody(), "the same batch, as buffered");
        assertEquals(reqs.get(1).getBody().length + v1Block.length, t.lastRequestBytes(), "both requests' bytes");
        assertEquals("snappy", t.compression());

        now += ProtocolTransport.RECHECK_MS - 1;
        push(t); // the header again, but within the hour: still Snappy
        assertEquals("snappy", t.compression());
        now += 1;
        push(t); // an hour after the refusal the header counts again
        assertEquals("zstd", t.compression());
        assertEquals(
                List.of("snappy", "zstd", "snappy", "snappy", "snappy"),
                requests().stream().map(CompressionNegotiationTest::encoding).toList());
    }

    @Test
    void aRefusalThatSnappyPassesGoesBackToSnappy() {
        answer("snappy", stored(TAKES_ZSTD));
        answer("zstd", aResponse().withStatus(400).withBody("cannot decode"));
        ProtocolTransport t = transport(RemoteWriteProtocol.V1, RemoteWriteCompression.AUTO);
        push(t);
        assertInstanceOf(PushOutcome.Delivered.class, push(t));
        assertEquals("snappy", t.compression());
        assertEquals(3, requests().size());
    }

    @Test
    void aBatchRefusedAsZstdAndAsSnappyIsRefusedAndZstdStays() {
        answer("snappy", stored(TAKES_ZSTD));
        ProtocolTransport t = transport(RemoteWriteProtocol.V1, RemoteWriteCompression.AUTO);
        push(t);
        wm.resetAll();
        answer("snappy", aResponse().withStatus(400).withBody("bad series"));
        answer("zstd", aResponse().withStatus(400).withBody("bad series"));
        assertInstanceOf(PushOutcome.Rejected.class, push(t));
        assertEquals(
                List.of("zstd", "snappy"),
                requests().stream().map(CompressionNegotiationTest::encoding).toList());
        assertEquals("zstd", t.compression(), "refused on its merits, not for its encoding");
    }

    @Test
    void aRetriedZstdBatchIsByteIdentical() {
        answer("snappy", stored(TAKES_ZSTD));
        answer("zstd", aResponse().withStatus(503));
        ProtocolTransport t = transport(RemoteWriteProtocol.V1, RemoteWriteCompression.AUTO);
        push(t);
        assertInstanceOf(PushOutcome.Retry.class, push(t));
        assertInstanceOf(PushOutcome.Retry.class, push(t));
        List<LoggedRequest> reqs = requests();
        assertEquals(
                List.of("snappy", "zstd", "zstd"),
                reqs.stream().map(CompressionNegotiationTest::encoding).toList());
        assertArrayEquals(reqs.get(1).getBody(), reqs.get(2).getBody());
        assertEquals("zstd", t.compression(), "a 5xx is no refusal of zstd");
    }

    @Test
    void zstdIsSentWhateverTheAnswers() {
        answer("zstd", aResponse().withStatus(415));
        ProtocolTransport t = transport(RemoteWriteProtocol.V1, RemoteWriteCompression.ZSTD);
        assertEquals("zstd", t.compression());
        assertInstanceOf(PushOutcome.Rejected.class, push(t));
        assertEquals(
                List.of("zstd"),
                requests().stream().map(CompressionNegotiationTest::encoding).toList());
        assertEquals("zstd", t.compression());
    }

    @Test
    void remoteWrite2GoesAsZstdToo() throws Exception {
        String v2Type = "application/x-protobuf;proto=io.prometheus.write.v2.Request";
        wm.stubFor(post(urlEqualTo("/api/v1/write"))
                .willReturn(stored(TAKES_ZSTD).withHeader(RemoteWriteClient.SAMPLES_WRITTEN_HEADER, "50")));
        ProtocolTransport t = transport(RemoteWriteProtocol.AUTO, RemoteWriteCompression.AUTO);
        push(t);
        push(t);
        List<LoggedRequest> reqs = requests();
        assertEquals(v2Type, reqs.get(1).getHeader("Content-Type"));
        assertEquals("zstd", encoding(reqs.get(1)));
        byte[] frame = reqs.get(1).getBody();
        RemoteWriteV2.Request r =
                RemoteWriteV2.Request.parseFrom(Zstd.decompress(frame, (int) Zstd.getFrameContentSize(frame)));
        assertEquals(50, r.getTimeseriesCount());
        assertArrayEquals(
                Snappy.uncompress(reqs.get(0).getBody()),
                Zstd.decompress(frame, (int) Zstd.getFrameContentSize(frame)),
                "the same 2.0 request as the Snappy one");
        assertEquals("2.0", t.protocol());
    }

    @Test
    void a2RequestRefusedAsZstdAndSnappyFallsBackTo1AsSnappy() {
        // A receiver that takes neither 2.0 nor zstd but said it took zstd: 415 to both 2.0 requests.
        String v2Type = "application/x-protobuf;proto=io.prometheus.write.v2.Request";
        wm.stubFor(post(urlEqualTo("/api/v1/write"))
                .withHeader("Content-Type", equalTo(v2Type))
                .willReturn(aResponse().withStatus(415)));
        wm.stubFor(post(urlEqualTo("/api/v1/write"))
                .withHeader("Content-Type", equalTo("application/x-protobuf"))
                .withHeader("Content-Encoding", equalTo("snappy"))
                .willReturn(stored(TAKES_ZSTD)));
        ProtocolTransport t = transport(RemoteWriteProtocol.AUTO, RemoteWriteCompression.AUTO);
        assertInstanceOf(PushOutcome.Delivered.class, push(t)); // 2.0 snappy 415, 1.0 snappy 204 + header
        assertEquals("zstd", t.compression());
        assertEquals("1.0", t.protocol());
        wm.resetAll();
        answer("snappy", stored(TAKES_ZSTD));
        answer("zstd", aResponse().withStatus(415));
        assertInstanceOf(PushOutcome.Delivered.class, push(t)); // 1.0 zstd 415, 1.0 snappy 204
        assertEquals(
                List.of("zstd", "snappy"),
                requests().stream().map(CompressionNegotiationTest::encoding).toList());
        assertEquals("snappy", t.compression());
    }

    @Test
    void takesZstdReadsTheList() {
        assertTrue(ProtocolTransport.takesZstd("zstd"));
        assertTrue(ProtocolTransport.takesZstd("snappy, ZSTD"));
        assertTrue(ProtocolTransport.takesZstd("snappy,zstd;q=0.9"));
        assertFalse(ProtocolTransport.takesZstd("snappy"));
        assertFalse(ProtocolTransport.takesZstd("zstdx, snappy"));
        assertFalse(ProtocolTransport.takesZstd(""));
        assertFalse(ProtocolTransport.takesZstd(null));
    }

    @Test
    void whereZstdDoesNotLoadEveryRequestIsSnappy() {
        answer("snappy", stored(TAKES_ZSTD));
        int[] loads = {0};
        ProtocolTransport auto = new ProtocolTransport(
                client, RemoteWriteProtocol.V1, RemoteWriteCompression.AUTO, () -> now, "wiremock", () -> {
                    loads[0]++;
                    return false;
                });
        assertEquals(0, loads[0], "auto loads nothing before a remote lists zstd");
        for (int i = 0; i < 3; i++) {
            assertInstanceOf(PushOutcome.Delivered.class, push(auto));
        }
        assertEquals("snappy", auto.compression());
        ProtocolTransport forced = new ProtocolTransport(
                client, RemoteWriteProtocol.V1, RemoteWriteCompression.ZSTD, () -> now, "wiremock", () -> false);
        assertEquals("snappy", forced.compression());
        assertInstanceOf(PushOutcome.Delivered.class, push(forced));
        assertEquals(
                List.of("snappy", "snappy", "snappy", "snappy"),
                requests().stream().map(CompressionNegotiationTest::encoding).toList());
        assertTrue(loads[0] > 0, "asked when the header came");
    }

    @Test
    void aNativeLibraryThatDoesNotLoadMeansSnappyNotACrash() {
        assertFalse(ZstdSupport.probe(
                () -> {
                    throw new UnsatisfiedLinkError("no zstd-jni in java.library.path");
                },
                "test"));
        assertFalse(ZstdSupport.probe(
                () -> {
                    throw new NoClassDefFoundError("com/github/luben/zstd/Zstd");
                },
                "test"));
        assertTrue(ZstdSupport.probe(() -> {}, "test"));
    }

    @Test
    void zstdIsDeterministic() {
        byte[] a = new byte[ZstdSupport.maxCompressedLength(plain.length)];
        byte[] b = new byte[a.length];
        int n = ZstdSupport.compress(plain, 0, plain.length, a);
        assertEquals(n, ZstdSupport.compress(plain, 0, plain.length, b));
        assertArrayEquals(java.util.Arrays.copyOf(a, n), java.util.Arrays.copyOf(b, n));
    }
}
