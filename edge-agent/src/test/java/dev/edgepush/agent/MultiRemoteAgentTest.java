package dev.edgepush.agent;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.edgepush.compat.GlobalConfig;
import dev.edgepush.compat.ScrapeConfig;
import dev.edgepush.proto.WriteRequestEncoder;
import dev.edgepush.proto.rw1.RemoteWrite;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/**
 * An agent with two remotes, one healthy and one answering 503: each gets every sample in its
 * own buffer, the dead one does not hold the healthy one back; local pushes are buffered with
 * -remoteWrite.label and -remoteWrite.relabelConfig, and -remoteWrite.urlRelabelConfig applies to
 * its URL only.
 */
class MultiRemoteAgentTest {
    @TempDir
    Path tmp;

    WireMockServer good;
    WireMockServer dead;
    Agent agent;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        System.setProperty("chronicle.analytics.disable", "true");
        good = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        dead = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        good.start();
        dead.start();
        good.stubFor(post(urlEqualTo("/api/v1/write")).willReturn(aResponse().withStatus(204)));
        dead.stubFor(post(urlEqualTo("/api/v1/write")).willReturn(aResponse().withStatus(503)));
        Path global = Files.writeString(tmp.resolve("global.yml"), "- target_label: site\n  replacement: lab\n");
        Path url1 = Files.writeString(
                tmp.resolve("url1.yml"), "- action: drop\n  source_labels: [__name__]\n  regex: secret_.*\n");
        AgentFlags.Config cfg = AgentFlags.parse(new String[] {
                    "-remoteWrite.url=" + url(good),
                    "-remoteWrite.url=" + url(dead),
                    "-remoteWrite.urlRelabelConfig=" + url1,
                    "-remoteWrite.urlRelabelConfig=",
                    "-remoteWrite.relabelConfig=" + global,
                    "-remoteWrite.label=robot=r1",
                    "-remoteWrite.tmpDataPath=" + tmp.resolve("data"),
                    "-remoteWrite.flushInterval=50ms",
                    "-httpListenAddr=127.0.0.1:0",
                    "-maxInsertRequestSize=4KB",
                    "-remoteWrite.queues=4"
                })
                .validate();
        agent = new Agent(cfg, new ScrapeConfig(GlobalConfig.defaults(), List.of()));
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
        good.stop();
        dead.stop();
    }

    static String url(WireMockServer s) {
        return "http://127.0.0.1:" + s.port() + "/api/v1/write";
    }

    HttpResponse<String> postTo(String path, byte[] body) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.statusPort() + path))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    String get(String path) throws IOException, InterruptedException {
        return http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.statusPort() + path))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    double metric(String name, String labels) throws IOException, InterruptedException {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name + labels) + " (\\S+)$")
                .matcher(get("/metrics"));
        if (!m.find()) {
            throw new AssertionError("no " + name + labels + " in\n" + get("/metrics"));
        }
        return Double.parseDouble(m.group(1));
    }

    double metricOrZero(String name, String labels) {
        try {
            return metric(name, labels);
        } catch (IOException | InterruptedException | AssertionError e) {
            return 0;
        }
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    /** Every series the healthy remote received, as sorted label maps plus value and timestamp. */
    List<String> received(WireMockServer s) throws IOException {
        List<String> out = new ArrayList<>();
        for (LoggedRequest r : s.findAll(postRequestedFor(urlEqualTo("/api/v1/write")))) {
            RemoteWrite.WriteRequest wr = RemoteWrite.WriteRequest.parseFrom(Snappy.uncompress(r.getBody()));
            for (RemoteWrite.TimeSeries ts : wr.getTimeseriesList()) {
                TreeMap<String, String> labels = new TreeMap<>();
                ts.getLabelsList().forEach(l -> labels.put(l.getName(), l.getValue()));
                for (RemoteWrite.Sample sm : ts.getSamplesList()) {
                    out.add(labels + " " + sm.getValue() + " " + sm.getTimestamp());
                }
            }
        }
        return out;
    }

    @Test
    void everyRemoteGetsEverySampleAndADeadOneDoesNotHoldTheOtherBack() throws Exception {
        String dead2 = "{url=\"2:" + url(dead) + "\"}";
        String good1 = "{url=\"1:" + url(good) + "\"}";
        byte[] text =
                "temp{room=\"a\"} 21.5 1700000000000\nsecret_metric 1 1700000000000\n".getBytes(StandardCharsets.UTF_8);
        assertEquals(204, postTo("/api/v1/import/prometheus", text).statusCode());

        await(
                "the healthy remote to get the push",
                () -> !good.findAll(postRequestedFor(urlEqualTo("/api/v1/write")))
                        .isEmpty());
        // global relabel (site), -remoteWrite.label (robot); secret_* dropped for URL 1 only
        assertEquals(List.of("{__name__=temp, robot=r1, room=a, site=lab} 21.5 1700000000000"), received(good));
        await(
                "the dead remote to be tried",
                () -> !dead.findAll(postRequestedFor(urlEqualTo("/api/v1/write")))
                        .isEmpty());
        List<String> triedAtDead = received(dead);
        assertTrue(
                triedAtDead.contains("{__name__=secret_metric, robot=r1, site=lab} 1.0 1700000000000"),
                triedAtDead.toString());
        await("the healthy remote's ack", () -> metricOrZero("edge_agent_samples_sent_total", good1) == 1);
        assertEquals(0, metric("edge_agent_samples_sent_total", dead2));
        assertEquals(2, metric("edge_agent_buffer_pending_samples", dead2));
        assertEquals(0, metric("edge_agent_buffer_pending_samples", good1));
        assertEquals(1, metric("edge_agent_remote_write_requests_total", "{url=\"1:" + url(good) + "\",code=\"204\"}"));

        // remote write 1.0 pushed locally, while the dead remote keeps failing
        WriteRequestEncoder enc = new WriteRequestEncoder();
        enc.addSeries(new String[] {"__name__", "pushed", "robot", "other"}, 2, 7.0, 1700000001000L);
        byte[] body = Snappy.compress(enc.toByteArray());
        assertEquals(204, postTo("/api/v1/write", body).statusCode());
        await("the second push at the healthy remote", () -> {
            try {
                return received(good).size() == 2;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertTrue(
                received(good).contains("{__name__=pushed, robot=r1, site=lab} 7.0 1700000001000"),
                received(good).toString());
        assertEquals(3, metric("edge_agent_buffer_pending_samples", dead2));

        String page = get("/targets");
        assertTrue(
                page.contains(url(good) + " (-remoteWrite.url #1)")
                        && page.contains(url(dead) + " (-remoteWrite.url #2)"),
                page);
        assertTrue(Files.isDirectory(tmp.resolve("data/persistent-queue")
                .resolve(agent.remotes().get(1).spec.directoryName())));
    }

    @Test
    void everyPushTellsCentralIngestTheBacklogTheDropsAndTheAgentsClock() throws Exception {
        byte[] text = "temp{room=\"a\"} 21.5 1700000000000\n".getBytes(StandardCharsets.UTF_8);
        long before = System.currentTimeMillis();
        assertEquals(204, postTo("/api/v1/import/prometheus", text).statusCode());
        await(
                "the healthy remote to get the push",
                () -> !good.findAll(postRequestedFor(urlEqualTo("/api/v1/write")))
                        .isEmpty());
        long after = System.currentTimeMillis();
        LoggedRequest r =
                good.findAll(postRequestedFor(urlEqualTo("/api/v1/write"))).get(0);
        assertEquals("1", r.getHeader("X-Edgepush-Pending-Samples"), "the batch in flight is still pending");
        assertTrue(
                r.getHeader("X-Edgepush-Oldest-Pending-Age-Seconds").matches("\\d+\\.\\d{3}"),
                "a dot, whatever the locale: " + r.getHeader("X-Edgepush-Oldest-Pending-Age-Seconds"));
        assertEquals("0", r.getHeader("X-Edgepush-Dropped-Samples"));
        long agentTime = Long.parseLong(r.getHeader("X-Edgepush-Agent-Time-Ms"));
        assertTrue(agentTime >= before && agentTime <= after, before + " <= " + agentTime + " <= " + after);
    }

    @Test
    void badInputIs400WithAReasonAndNothingIsBuffered() throws Exception {
        String good1 = "{url=\"1:" + url(good) + "\"}";
        HttpResponse<String> r =
                postTo("/api/v1/import/prometheus", "ok_metric 1\nbad metric{ 2\n".getBytes(StandardCharsets.UTF_8));
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("line 2"), r.body());
        HttpResponse<String> w = postTo("/api/v1/write", "not snappy".getBytes(StandardCharsets.UTF_8));
        assertEquals(400, w.statusCode());
        assertTrue(w.body().contains("Snappy") || w.body().contains("WriteRequest"), w.body());
        HttpResponse<String> w2 = postTo("/api/v1/write", Snappy.compress(new byte[] {(byte) 0xff, 0x01, 0x02}));
        assertEquals(400, w2.statusCode());
        assertTrue(w2.body().contains("not a remote-write 1.0 WriteRequest"), w2.body());
        assertEquals(0, metric("edge_agent_samples_buffered_total", good1));
        assertEquals(
                3,
                metric("edge_agent_local_push_requests_total", "{path=\"/api/v1/write\",code=\"400\"}")
                        + metric(
                                "edge_agent_local_push_requests_total",
                                "{path=\"/api/v1/import/prometheus\",code=\"400\"}"));
    }

    @Test
    void aBodyOverMaxInsertRequestSizeIs413() throws Exception {
        byte[] big = new byte[8 * 1024];
        java.util.Arrays.fill(big, (byte) '#');
        assertEquals(413, postTo("/api/v1/import/prometheus", big).statusCode());
        // a small Snappy body that decompresses past the limit
        WriteRequestEncoder enc = new WriteRequestEncoder();
        for (int i = 0; i < 200; i++) {
            enc.addSeries(new String[] {"__name__", "m", "i", Integer.toString(i)}, 2, i, 1);
        }
        HttpResponse<String> r = postTo("/api/v1/write", Snappy.compress(enc.toByteArray()));
        assertEquals(413, r.statusCode(), r.body());
        assertEquals(0, metric("edge_agent_samples_buffered_total", "{url=\"1:" + url(good) + "\"}"));
    }

    @Test
    void aFullDiskIs503AndCounted() throws Exception {
        agent.remotes().forEach(r -> r.buffer.injectAppendFailure(new IOException("No space left on device (test)")));
        HttpResponse<String> r = postTo("/api/v1/import/prometheus", "m 1\n".getBytes(StandardCharsets.UTF_8));
        assertEquals(503, r.statusCode());
        assertTrue(r.body().contains("disk buffer is full"), r.body());
        assertEquals(
                1, metric("edge_agent_samples_dropped_total", "{url=\"1:" + url(good) + "\",reason=\"disk_full\"}"));
        assertEquals(
                1, metric("edge_agent_local_push_requests_total", "{path=\"/api/v1/import/prometheus\",code=\"503\"}"));
        assertFalse(get("/targets").isEmpty());
    }
}
