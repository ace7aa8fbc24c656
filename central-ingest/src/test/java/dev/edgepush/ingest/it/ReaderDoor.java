package dev.edgepush.ingest.it;

import dev.edgepush.ingest.Bodies;
import dev.edgepush.ingest.CentralIngest;
import dev.edgepush.ingest.IngestFlags;
import dev.edgepush.ingest.auth.TokensFile;
import dev.edgepush.proto.rw1.RemoteWrite;
import dev.edgepush.testsupport.VictoriaMetrics;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real VictoriaMetrics and an in-process central-ingest in front of it (reader token {@link
 * #READER} of tenant 42), with a few series pushed through central-ingest by a robot and
 * queryable; requests go to either, the same path and body, to compare the answers.
 */
final class ReaderDoor implements AutoCloseable {
    static final String ROBOT = "robot-r1-token";
    static final String READER = "reader-ops-token";
    /** Sample times: whole minutes in the past, so every answer is fixed. */
    static final long T0 = (System.currentTimeMillis() / 60_000 - 10) * 60_000;

    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    final VictoriaMetrics vm;
    final CentralIngest ingest;

    ReaderDoor(Path dir, String... extraFlags) throws Exception {
        vm = new VictoriaMetrics(dir);
        Path tokens = dir.resolve("tokens");
        Files.writeString(
                tokens,
                "robot r1 42 " + TokensFile.hashOf(ROBOT) + "\nreader ops 42 " + TokensFile.hashOf(READER) + "\n");
        List<String> flags = new ArrayList<>(List.of(
                "-httpListenAddr=127.0.0.1:0",
                "-remoteWrite.url=" + vm.writeUrl(),
                "-query.url=http://127.0.0.1:" + vm.port,
                "-auth.tokensFile=" + tokens,
                "-wal.path=" + dir.resolve("wal")));
        flags.addAll(List.of(extraFlags));
        CentralIngest started = null;
        try {
            started = new CentralIngest(
                    IngestFlags.parse(flags.toArray(String[]::new)).validate());
        } finally {
            if (started == null) {
                vm.close();
            }
        }
        ingest = started;
    }

    /** Pushes temp{room=lab|hall} and up{job=robot} at T0..T0+4m through central-ingest; waits until queryable. */
    ReaderDoor withData() throws Exception {
        List<RemoteWrite.TimeSeries> series = new ArrayList<>();
        for (int m = 0; m < 5; m++) {
            long t = T0 + m * 60_000L;
            series.add(Bodies.series(21.5 + m, t, "__name__", "temp", "room", "lab"));
            series.add(Bodies.series(18 + m, t, "__name__", "temp", "room", "hall"));
            series.add(Bodies.series(1, t, "__name__", "up", "job", "robot"));
        }
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(ingestUrl("/api/v1/write")))
                        .header("Authorization", "Bearer " + ROBOT)
                        .header("Content-Type", "application/x-protobuf")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(
                                Bodies.v1(series.toArray(RemoteWrite.TimeSeries[]::new))))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 204) {
            throw new AssertionError("push: " + r.statusCode() + " " + r.body());
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        String q = "/api/v1/query?query=" + enc("count(temp)") + "&time=" + (T0 / 1000 + 240);
        while (!vm.get(q).contains("\"2\"")) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("pushed samples not queryable within 120 s: " + vm.get(q));
            }
            IngestProcess.pause(100);
        }
        vm.get("/internal/force_flush");
        return this;
    }

    String ingestUrl(String pathAndQuery) {
        return "http://127.0.0.1:" + ingest.port() + pathAndQuery;
    }

    String vmUrl(String pathAndQuery) {
        return "http://127.0.0.1:" + vm.port + pathAndQuery;
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static HttpResponse<String> send(HttpRequest req) throws Exception {
        return HTTP.send(req, HttpResponse.BodyHandlers.ofString());
    }

    /** GET through central-ingest with the reader token, or with no token when {@code token} is null. */
    HttpResponse<String> viaIngest(String pathAndQuery, String token) throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(ingestUrl(pathAndQuery))).timeout(Duration.ofSeconds(30));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return send(b.build());
    }

    HttpResponse<String> direct(String pathAndQuery) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(vmUrl(pathAndQuery)))
                .timeout(Duration.ofSeconds(30))
                .build());
    }

    @Override
    public void close() {
        ingest.close();
        vm.close();
    }
}
