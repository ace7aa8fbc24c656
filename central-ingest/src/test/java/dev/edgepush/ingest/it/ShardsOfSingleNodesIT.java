package dev.edgepush.ingest.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster path (several vminsert URLs with {@code {tenant}}) against real storage.
 * VictoriaMetrics' cluster components (vminsert, vmselect, vmstorage) are not packaged in Debian,
 * so each shard here is a real single node whose write URL carries the tenant the way vminsert's
 * path does, as an extra label: {@code http://vm-N/api/v1/write?extra_label=tenant={tenant}}.
 * What is checked is central-ingest's side of the cluster contract: every series goes to exactly
 * one shard and always the same one, every sample reaches its shard under its robot's tenant, and
 * a shard that is down gets its backlog from its own WAL when it is back, without holding up the
 * other shard. The real cluster's own replication and routing are VictoriaMetrics' to test.
 */
class ShardsOfSingleNodesIT {
    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    static final int SERIES = 200;
    static final int ROUNDS = 3;
    /** Robot name -> its token and tenant (one plain accountID, one accountID:projectID). */
    static final Map<String, String[]> ROBOTS = Map.of(
            "r1", new String[] {"shard-r1-token", "1"},
            "r2", new String[] {"shard-r2-token", "2:5"});

    @TempDir
    Path dir;

    @Test
    void everySeriesLandsOnOneShardUnderItsTenantAndADownShardCatchesUpFromItsWal() throws Exception {
        Files.createDirectories(dir.resolve("a"));
        Files.createDirectories(dir.resolve("b"));
        Path tokens = dir.resolve("tokens");
        StringBuilder t = new StringBuilder();
        ROBOTS.forEach((robot, v) -> t.append("robot ")
                .append(robot)
                .append(' ')
                .append(v[1])
                .append(' ')
                .append(TokensFile.hashOf(v[0]))
                .append('\n'));
        Files.writeString(tokens, t);
        try (VictoriaMetrics a = new VictoriaMetrics(dir.resolve("a"));
                VictoriaMetrics b = new VictoriaMetrics(dir.resolve("b"));
                CentralIngest ingest = new CentralIngest(IngestFlags.parse(new String[] {
                            "-httpListenAddr=127.0.0.1:0",
                            "-remoteWrite.url=" + a.writeUrl() + "?extra_label=tenant={tenant}",
                            "-remoteWrite.url=" + b.writeUrl() + "?extra_label=tenant={tenant}",
                            "-auth.tokensFile=" + tokens,
                            "-wal.path=" + dir.resolve("wal")
                        })
                        .validate())) {
            long t0 = System.currentTimeMillis() - 60_000;
            push(ingest, 0, t0);
            awaitStored(List.of(a, b), ROBOTS.size() * SERIES);
            int shareOfA = exportAll(a).size();

            b.stop(); // shard b is down for round 1: its part waits in its WAL, shard a keeps storing
            push(ingest, 1, t0);
            int onA = count(exportAll(a), 1);
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (onA < shareOfA && System.nanoTime() < deadline) {
                IngestProcess.pause(200);
                onA = count(exportAll(a), 1);
            }
            assertEquals(shareOfA, onA, "shard a stored its part of round 1 while shard b was down");
            b.start();
            push(ingest, 2, t0);
            awaitStored(List.of(a, b), ROUNDS * ROBOTS.size() * SERIES);

            Map<String, String> shardOf = new HashMap<>();
            Map<String, Integer> perShard = new TreeMap<>();
            for (VictoriaMetrics vm : List.of(a, b)) {
                String name = vm == a ? "a" : "b";
                for (Map<String, Object> line : exportAll(vm)) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> metric = (Map<String, Object>) line.get("metric");
                    String robot = (String) metric.get("robot");
                    assertEquals(
                            ROBOTS.get(robot)[1],
                            metric.get("tenant"),
                            "the tenant of " + metric + " on shard " + name);
                    String key = robot + "/" + metric.get("i");
                    String before = shardOf.put(key, name);
                    assertTrue(before == null, key + " is on shards " + before + " and " + name);
                    List<?> timestamps = (List<?>) line.get("timestamps");
                    assertEquals(ROUNDS, timestamps.size(), key + " on shard " + name + ": " + timestamps);
                    perShard.merge(name, 1, Integer::sum);
                }
            }
            assertEquals(ROBOTS.size() * SERIES, shardOf.size(), "every series of every robot is on a shard");
            for (String shard : List.of("a", "b")) {
                int n = perShard.getOrDefault(shard, 0);
                assertTrue(n > ROBOTS.size() * SERIES / 5, "shard " + shard + " holds " + n + " series: " + perShard);
            }
        }
    }

    /** Round {@code round} of every robot: SERIES series, one sample each, at t0 + round seconds. */
    static void push(CentralIngest ingest, int round, long t0) throws Exception {
        for (Map.Entry<String, String[]> r : ROBOTS.entrySet()) {
            RemoteWrite.TimeSeries[] series = new RemoteWrite.TimeSeries[SERIES];
            for (int i = 0; i < SERIES; i++) {
                series[i] =
                        Bodies.series(round, t0 + round * 1000L, "__name__", "shard_probe", "i", Integer.toString(i));
            }
            HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ingest.port() + "/api/v1/write"))
                    .header("Authorization", "Bearer " + r.getValue()[0])
                    .header("Content-Type", "application/x-protobuf")
                    .timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(Bodies.v1(series)))
                    .build();
            assertEquals(
                    204,
                    HTTP.send(req, HttpResponse.BodyHandlers.ofString()).statusCode(),
                    r.getKey() + " round " + round);
        }
    }

    /** The series of {@code lines} with at least {@code round + 1} samples. */
    static int count(List<Map<String, Object>> lines, int round) {
        int n = 0;
        for (Map<String, Object> line : lines) {
            if (((List<?>) line.get("timestamps")).size() > round) {
                n++;
            }
        }
        return n;
    }

    /** Waits up to 120 s until the shards hold {@code samples} samples of shard_probe between them. */
    static void awaitStored(List<VictoriaMetrics> shards, int samples) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        int stored;
        do {
            stored = 0;
            for (VictoriaMetrics vm : shards) {
                for (Map<String, Object> line : exportAll(vm)) {
                    stored += ((List<?>) line.get("timestamps")).size();
                }
            }
            if (stored >= samples) {
                assertEquals(samples, stored, "no sample stored twice");
                return;
            }
            IngestProcess.pause(200);
        } while (System.nanoTime() < deadline);
        assertEquals(samples, stored, "samples stored on the shards within 120 s");
    }

    /** Every shard_probe series on {@code vm}, one /api/v1/export line each. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> exportAll(VictoriaMetrics vm) throws Exception {
        vm.get("/internal/force_flush");
        String body =
                vm.get("/api/v1/export?start=0&match[]=" + URLEncoder.encode("shard_probe", StandardCharsets.UTF_8));
        List<Map<String, Object>> out = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (!line.isBlank()) {
                out.add((Map<String, Object>) Json.parse(line));
            }
        }
        return out;
    }
}
