package dev.edgepush.ingest.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.ingest.Bodies;
import dev.edgepush.ingest.CentralIngest;
import dev.edgepush.ingest.IngestFlags;
import dev.edgepush.ingest.auth.TokensFile;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A robot's clock as central-ingest sees it, against a real VictoriaMetrics (default retention, one
 * month): the skew each push's {@code X-Edgepush-Agent-Time-Ms} shows is measured always, and with
 * {@code -fleet.correctClockSkewAbove} a robot an hour ahead has its samples stored at the cloud's
 * time; samples VictoriaMetrics refuses (older than its retention, over 2 days ahead) are counted by
 * reason exactly as VictoriaMetrics counts what it ignored.
 */
class RobotClockThroughVictoriaMetricsIT {
    static final String TOKEN = "robot-r1-clock-token";
    static final long HOUR_MS = 3_600_000;
    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    static Path dir;

    static VictoriaMetrics vm;
    static Path tokens;

    @BeforeAll
    static void start() throws Exception {
        vm = new VictoriaMetrics(dir);
        tokens = dir.resolve("tokens");
        Files.writeString(tokens, "robot r1 0 " + TokensFile.hashOf(TOKEN) + "\n");
    }

    @AfterAll
    static void stop() {
        if (vm != null) {
            vm.close();
        }
    }

    static CentralIngest ingest(String wal, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "-httpListenAddr=127.0.0.1:0",
                "-remoteWrite.url=" + vm.writeUrl(),
                "-auth.tokensFile=" + tokens,
                "-wal.path=" + dir.resolve(wal)));
        args.addAll(List.of(extra));
        return new CentralIngest(IngestFlags.parse(args.toArray(String[]::new)).validate());
    }

    /** A push as edge-agent sends it, its clock {@code skewMs} off, the header read just before sending. */
    static int push(CentralIngest ingest, byte[] body, long skewMs) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ingest.port() + "/api/v1/write"))
                .header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/x-protobuf")
                .header("X-Edgepush-Agent-Time-Ms", Long.toString(System.currentTimeMillis() + skewMs))
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        return HTTP.send(req, HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    static String metrics(CentralIngest ingest) throws Exception {
        return HTTP.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ingest.port() + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    /** The value of the one line of {@code text} that starts with {@code series + " "}. */
    static double value(String text, String series) {
        Matcher m =
                Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        assertTrue(m.find(), series + " not in:\n" + text);
        return Double.parseDouble(m.group(1));
    }

    /** Timestamps VictoriaMetrics stored for {@code selector}, waiting up to 60 s for them to arrive. */
    static List<Long> storedTimestamps(String selector) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            vm.get("/internal/force_flush");
            String export = vm.get("/api/v1/export?start=0&end=" + (System.currentTimeMillis() / 1000 + 3 * 86400)
                    + "&match[]=" + URLEncoder.encode(selector, StandardCharsets.UTF_8));
            Matcher m = Pattern.compile("\"timestamps\":\\[([^\\]]*)]").matcher(export);
            List<Long> out = new ArrayList<>();
            while (m.find()) {
                for (String t : m.group(1).split(",")) {
                    out.add(Long.parseLong(t.trim()));
                }
            }
            if (!out.isEmpty() || System.nanoTime() > deadline) {
                return out;
            }
            IngestProcess.pause(200);
        }
    }

    @Test
    void aRobotAnHourAheadIsMeasuredAlwaysAndStoredAtCloudTimeWhenCorrected() throws Exception {
        try (CentralIngest plain = ingest("wal-plain");
                CentralIngest correcting = ingest("wal-correcting", "-fleet.correctClockSkewAbove=2m")) {
            long robotNow = System.currentTimeMillis() + HOUR_MS;
            assertEquals(
                    204,
                    push(
                            plain,
                            Bodies.v1(Bodies.series(1, robotNow, "__name__", "clock_probe", "via", "plain")),
                            HOUR_MS));
            assertEquals(
                    204,
                    push(
                            correcting,
                            Bodies.v1(Bodies.series(1, robotNow, "__name__", "clock_probe", "via", "correcting")),
                            HOUR_MS));
            long cloudNow = System.currentTimeMillis();

            List<Long> asStamped = storedTimestamps("clock_probe{via=\"plain\"}");
            assertEquals(List.of(robotNow), asStamped, "without the flag the robot's timestamp is kept");
            List<Long> corrected = storedTimestamps("clock_probe{via=\"correcting\"}");
            assertEquals(1, corrected.size(), corrected.toString());
            long error = corrected.get(0) - cloudNow;
            assertTrue(
                    Math.abs(error) < 30_000,
                    "stored " + error + " ms from the cloud's time of the push (an hour ahead before)");

            for (CentralIngest ingest : List.of(plain, correcting)) {
                double skew =
                        value(metrics(ingest), "central_ingest_robot_clock_skew_seconds{robot=\"r1\",tenant=\"0\"}");
                assertTrue(Math.abs(skew - 3600) < 30, "measured skew " + skew + " s, the robot is 3600 s ahead");
            }
            assertEquals(0, value(metrics(plain), "central_ingest_samples_clock_corrected_total"));
            assertEquals(1, value(metrics(correcting), "central_ingest_samples_clock_corrected_total"));

            // A robot only seconds off is left alone by the correcting ingest.
            long slightly = System.currentTimeMillis() + 5_000;
            assertEquals(
                    204,
                    push(correcting, Bodies.v1(Bodies.series(2, slightly, "__name__", "clock_probe_small")), 5_000));
            assertEquals(List.of(slightly), storedTimestamps("clock_probe_small"));
            assertEquals(1, value(metrics(correcting), "central_ingest_samples_clock_corrected_total"));
        }
    }

    @Test
    void samplesTheStorageRefusesAreCountedAsItCountsThem() throws Exception {
        String before = vm.get("/metrics");
        double smallBefore = value(before, "vm_rows_ignored_total{reason=\"small_timestamp\"}");
        double bigBefore = value(before, "vm_rows_ignored_total{reason=\"big_timestamp\"}");
        try (CentralIngest ingest = ingest("wal-range")) {
            long now = System.currentTimeMillis();
            byte[] body = Bodies.v1(
                    Bodies.series(1, now - 40 * 24 * HOUR_MS, "__name__", "range_probe", "when", "40d-ago"),
                    Bodies.series(1, now - 41 * 24 * HOUR_MS, "__name__", "range_probe", "when", "41d-ago"),
                    Bodies.series(1, now + 3 * 24 * HOUR_MS, "__name__", "range_probe", "when", "3d-ahead"),
                    Bodies.series(1, now + 4 * 24 * HOUR_MS, "__name__", "range_probe", "when", "4d-ahead"),
                    Bodies.series(1, now + 5 * 24 * HOUR_MS, "__name__", "range_probe", "when", "5d-ahead"),
                    Bodies.series(1, now - 20 * 24 * HOUR_MS, "__name__", "range_probe", "when", "20d-ago"),
                    Bodies.series(1, now + 24 * HOUR_MS, "__name__", "range_probe", "when", "1d-ahead"),
                    Bodies.series(1, now, "__name__", "range_probe", "when", "now"));
            assertEquals(204, push(ingest, body, 0));
            String m = metrics(ingest);
            assertEquals(2, value(m, "central_ingest_samples_out_of_range_total{reason=\"too_old\"}"));
            assertEquals(3, value(m, "central_ingest_samples_out_of_range_total{reason=\"too_new\"}"));
            assertEquals(
                    2,
                    value(
                            m,
                            "central_ingest_robot_samples_out_of_range_total{robot=\"r1\",tenant=\"0\",reason=\"too_old\"}"));
            assertEquals(
                    3,
                    value(
                            m,
                            "central_ingest_robot_samples_out_of_range_total{robot=\"r1\",tenant=\"0\",reason=\"too_new\"}"));

            // Forwarded all the same; VictoriaMetrics keeps the three in range and ignores the five.
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            List<Long> stored;
            do {
                stored = storedTimestamps("range_probe");
            } while (stored.size() < 3 && System.nanoTime() < deadline);
            assertEquals(3, stored.size(), "stored: " + stored);
            String after = vm.get("/metrics");
            assertEquals(
                    2,
                    value(after, "vm_rows_ignored_total{reason=\"small_timestamp\"}") - smallBefore,
                    "VictoriaMetrics ignored as too old what central-ingest counted as too_old");
            assertEquals(
                    3,
                    value(after, "vm_rows_ignored_total{reason=\"big_timestamp\"}") - bigBefore,
                    "VictoriaMetrics ignored as too new what central-ingest counted as too_new");
        }
    }
}
