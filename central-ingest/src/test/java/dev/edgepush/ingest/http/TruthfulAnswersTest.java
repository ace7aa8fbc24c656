package dev.edgepush.ingest.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.ingest.Bodies;
import dev.edgepush.ingest.CentralIngest;
import dev.edgepush.ingest.IngestFlags;
import dev.edgepush.ingest.auth.TokensFile;
import dev.edgepush.proto.rw1.RemoteWrite;
import dev.edgepush.proto.rw2.RemoteWriteV2;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11: 2xx means stored in the WAL. A series the WAL would drop as too_large is answered
 * 400 naming it, with nothing of the request stored; a series with many samples is split so it
 * fits, and all of it is stored; invalid UTF-8 is 400 on the text and protobuf paths alike.
 */
class TruthfulAnswersTest {
    static final String ROBOT = "robot-token-1";
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private CentralIngest ingest;

    @BeforeEach
    void start() throws Exception {
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, "robot r1 42 " + TokensFile.hashOf(ROBOT) + "\n");
        ingest = new CentralIngest(IngestFlags.parse(new String[] {
                    "-httpListenAddr=127.0.0.1:0",
                    "-remoteWrite.url=http://127.0.0.1:9/api/v1/write",
                    "-auth.tokensFile=" + tokens,
                    "-wal.path=" + dir.resolve("wal")
                })
                .validate());
    }

    @AfterEach
    void stop() {
        ingest.close();
    }

    private HttpResponse<String> post(String path, String contentType, byte[] body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ingest.port() + path))
                        .header("Authorization", "Bearer " + ROBOT)
                        .header("Content-Type", contentType)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The value of an unlabelled (or fully given) series in the ingest's own /metrics. */
    private long metric(String series) {
        for (String line : ingest.metrics().render().split("\n")) {
            if (line.startsWith(series + " ")) {
                return Long.parseLong(line.substring(series.length() + 1).strip());
            }
        }
        throw new AssertionError(series + " not in /metrics");
    }

    private void assertNothingStored() {
        assertEquals(0, ingest.metrics().samplesReceived.sum());
        assertEquals(0, metric("central_ingest_wal_pending_samples"));
        assertEquals(0, metric("central_ingest_samples_dropped_total{reason=\"too_large\"}"));
    }

    private static RemoteWrite.TimeSeries withLabels(String name, int extraLabels) {
        RemoteWrite.TimeSeries.Builder b = RemoteWrite.TimeSeries.newBuilder()
                .addLabels(RemoteWrite.Label.newBuilder().setName("__name__").setValue(name));
        for (int i = 0; i < extraLabels; i++) {
            b.addLabels(RemoteWrite.Label.newBuilder().setName("l" + i).setValue("v" + i));
        }
        return b.addSamples(RemoteWrite.Sample.newBuilder().setValue(1).setTimestamp(1_700_000_000_000L))
                .build();
    }

    @Test
    void aSeriesTooLargeForTheWalIs400NamingItAndNothingIsStored() throws Exception {
        byte[] body = Bodies.v1(withLabels("ok", 2), withLabels("huge", 100_000));
        HttpResponse<String> r = post("/api/v1/write", "application/x-protobuf", body);
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().startsWith("series 1 {__name__=\"huge\",l0=\"v0\""), r.body());
        assertTrue(r.body().contains("is too large for one WAL record"), r.body());
        assertTrue(
                r.body().length() < 600, "the message is cut short: " + r.body().length());
        assertNothingStored();
    }

    @Test
    void aTextLineTooLargeForTheWalIs400() throws Exception {
        StringBuilder line = new StringBuilder("huge{");
        for (int i = 0; i < 20_000; i++) {
            line.append(i == 0 ? "" : ",")
                    .append("label_")
                    .append(i)
                    .append("=\"value_")
                    .append(i)
                    .append('"');
        }
        byte[] text = ("fine 1\n" + line + "} 1\n").getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> r = post("/api/v1/import/prometheus", "text/plain", text);
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().startsWith("series 1 {__name__=\"huge\""), r.body());
        assertNothingStored();
    }

    @Test
    void aSeriesWithManySamplesIsSplitSoAllOfItIsStored() throws Exception {
        RemoteWrite.TimeSeries.Builder b = RemoteWrite.TimeSeries.newBuilder()
                .addLabels(RemoteWrite.Label.newBuilder().setName("__name__").setValue("backlog"));
        int n = 40_000; // about 800 KB of samples in one TimeSeries, over three times what a WAL record holds
        for (int i = 0; i < n; i++) {
            b.addSamples(RemoteWrite.Sample.newBuilder().setValue(i).setTimestamp(1_700_000_000_000L + i * 1000L));
        }
        HttpResponse<String> r = post("/api/v1/write", "application/x-protobuf", Bodies.v1(b.build()));
        assertEquals(204, r.statusCode(), r.body());
        assertEquals(n, ingest.metrics().samplesReceived.sum());
        assertEquals(n, metric("central_ingest_wal_pending_samples"));
        assertEquals(0, metric("central_ingest_samples_dropped_total{reason=\"too_large\"}"));
    }

    @Test
    void invalidUtf8InTextImportIs400WithItsPosition() throws Exception {
        byte[] text = "good 1\nbad{a=\"x\u00e9\"} 1\n".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < text.length; i++) {
            if ((text[i] & 0xff) == 0xc3) {
                text[i] = (byte) 0xff; // never valid in UTF-8
            }
        }
        HttpResponse<String> r = post("/api/v1/import/prometheus", "text/plain", text);
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains("invalid UTF-8 at byte 15 (line 2)"), r.body());
        assertNothingStored();
    }

    @Test
    void invalidUtf8InRemoteWrite1And2Is400() throws Exception {
        byte[] v1 = RemoteWrite.WriteRequest.newBuilder()
                .addTimeseries(withLabels("m\u00e9", 0))
                .build()
                .toByteArray();
        byte[] v2 = RemoteWriteV2.Request.newBuilder()
                .addSymbols("")
                .addSymbols("__name__")
                .addSymbols("m\u00e9")
                .addTimeseries(RemoteWriteV2.TimeSeries.newBuilder()
                        .addLabelsRefs(1)
                        .addLabelsRefs(2)
                        .addSamples(
                                RemoteWriteV2.Sample.newBuilder().setValue(1).setTimestamp(1_700_000_000_000L)))
                .build()
                .toByteArray();
        for (byte[] b : new byte[][] {v1, v2}) {
            for (int i = 0; i < b.length; i++) {
                if ((b[i] & 0xff) == 0xc3) {
                    b[i] = (byte) 0xff;
                }
            }
        }
        HttpResponse<String> r1 = post("/api/v1/write", "application/x-protobuf", Bodies.snappy(v1));
        assertEquals(400, r1.statusCode(), r1.body());
        HttpResponse<String> r2 =
                post("/api/v1/write", "application/x-protobuf;proto=io.prometheus.write.v2.Request", Bodies.snappy(v2));
        assertEquals(400, r2.statusCode(), r2.body());
        assertTrue(r2.body().contains("UTF-8"), r2.body());
        assertNothingStored();
    }
}
