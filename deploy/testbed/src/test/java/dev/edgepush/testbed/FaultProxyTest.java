package dev.edgepush.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FaultProxyTest {
    HttpServer upstream;
    FaultProxy proxy;
    HttpServer control;
    final AtomicInteger fullBodies = new AtomicInteger();

    @BeforeEach
    void setUp() throws Exception {
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.createContext("/", ex -> {
            byte[] in = ex.getRequestBody().readAllBytes();
            if (in.length == 10_000) {
                fullBodies.incrementAndGet();
            }
            byte[] out = ("hello " + in.length).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, out.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(out);
            }
        });
        upstream.start();
        proxy = new FaultProxy(new InetSocketAddress("127.0.0.1", 0), upstream.getAddress());
        control = FaultProxyMain.control(proxy, new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterEach
    void tearDown() {
        control.stop(0);
        proxy.close();
        upstream.stop(0);
    }

    private String post(int bodyBytes, Duration timeout) throws IOException, InterruptedException {
        HttpClient c =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        return c.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + "/x"))
                                .timeout(timeout)
                                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[bodyBytes]))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private String control(String pathAndQuery) throws IOException, InterruptedException {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                        + control.getAddress().getPort() + pathAndQuery))
                                .POST(HttpRequest.BodyPublishers.noBody())
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    @Test
    void passForwardsBothWays() throws Exception {
        assertEquals("hello 3", post(3, Duration.ofSeconds(5)));
    }

    @Test
    void cutRefusesAndPassRestores() throws Exception {
        assertTrue(control("/mode?m=cut").contains("\"mode\":\"CUT\""));
        assertThrows(IOException.class, () -> post(3, Duration.ofSeconds(5)));
        control("/mode?m=pass");
        assertEquals("hello 3", post(3, Duration.ofSeconds(5)));
    }

    @Test
    void blackholeAcceptsButNeverAnswers() throws Exception {
        control("/mode?m=blackhole");
        assertThrows(HttpTimeoutException.class, () -> post(3, Duration.ofMillis(500)));
        assertTrue(proxy.connectionsAccepted.get() >= 1, "the connection was accepted");
    }

    @Test
    void resetMidRequestCutsTheBodyAndNeverDeliversItWhole() throws Exception {
        control("/reset-after?bytes=2000");
        control("/mode?m=reset_mid_request");
        assertThrows(IOException.class, () -> post(10_000, Duration.ofSeconds(5)));
        assertEquals(1, proxy.connectionsReset.get());
        assertEquals(0, fullBodies.get(), "the upstream never saw the whole body");
    }

    @Test
    void latencyAndBandwidthStillDeliver() throws Exception {
        control("/latency?ms=50");
        control("/bandwidth?bps=20000");
        assertEquals("hello 10000", post(10_000, Duration.ofSeconds(10)));
        assertEquals(1, fullBodies.get());
    }

    @Test
    void theLinkCapPacesUploadsOfEveryConnectionAndStillDelivers() throws Exception {
        proxy.linkBytesPerSecond(200_000);
        long start = System.nanoTime();
        assertEquals("hello 400000", post(400_000, Duration.ofSeconds(30)));
        double seconds = (System.nanoTime() - start) / 1e9;
        // 2 s at the cap, less the first chunk, which is read before the pacer has booked it.
        assertTrue(seconds >= 1.5, "400,000 bytes at 200,000 B/s took only " + seconds + " s");
        proxy.linkBytesPerSecond(0);
        assertEquals("hello 3", post(3, Duration.ofSeconds(5)));
    }

    @Test
    void theBandwidthCapPacesWhatTheAgentUploads() throws Exception {
        control("/bandwidth?bps=20000");
        HttpClient c =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        long start = System.nanoTime();
        for (int i = 0; i < 3; i++) { // one connection: 30 kB up at 20 kB/s
            c.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + "/x"))
                            .timeout(Duration.ofSeconds(10))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[10_000]))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(3, fullBodies.get());
        assertTrue(ms >= 900, "30 kB through a 20 kB/s cap took only " + ms + " ms");
    }

    @Test
    void theLinkPaceSavesNoCreditWhileIdle() {
        FaultProxy.LinkPace pace = new FaultProxy.LinkPace(1_000);
        assertEquals(1_000_000_000L, pace.take(1_000, 0));
        assertEquals(1_500_000_000L, pace.take(500, 0)); // queued behind the first second
        long afterIdle = 11_000_000_000L; // ten seconds of nothing
        assertEquals(2_000_000_000L, pace.take(2_000, afterIdle));
        assertEquals(3_000_000_000L, pace.take(1_000, afterIdle));
    }

    @Test
    void badControlValuesAreRefused() throws Exception {
        assertTrue(control("/mode?m=sideways").startsWith("bad value"));
        assertThrows(
                IllegalArgumentException.class, () -> FaultProxyMain.flags(new String[] {"-listen=1", "-bogus=2"}));
    }
}
