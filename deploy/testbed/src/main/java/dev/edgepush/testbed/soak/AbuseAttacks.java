package dev.edgepush.testbed.soak;

import static dev.edgepush.testbed.soak.AbuseRequests.gzipZeros;
import static dev.edgepush.testbed.soak.AbuseRequests.manyLabels;
import static dev.edgepush.testbed.soak.AbuseRequests.post;
import static dev.edgepush.testbed.soak.AbuseRequests.rw;
import static dev.edgepush.testbed.soak.Answer.expect;
import static dev.edgepush.testbed.soak.Answer.expectOneOf;
import static dev.edgepush.testbed.soak.Answer.firstLine;
import static dev.edgepush.testbed.soak.RawAttacks.endlessChunked;
import static dev.edgepush.testbed.soak.RawAttacks.expectClosed;
import static dev.edgepush.testbed.soak.RawAttacks.slowloris;

import dev.edgepush.testbed.soak.RawAttacks.Raw;
import dev.edgepush.testsupport.ChildProcess;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The attacks of the {@link AbuseSuite}, in the order they are sent: what each sends and which
 * answer it expects. Running each one, checking both processes alive after it and reporting is
 * the suite's; each attack is handed to a {@link Recorder} for that.
 */
final class AbuseAttacks {
    /** One attack: sends it and says what came back. */
    interface Attack {
        Answer send() throws IOException, InterruptedException;
    }

    /** Runs one attack by name and records its row. */
    interface Recorder {
        void attack(String name, Attack a) throws InterruptedException;
    }

    private final SoakConfig cfg;
    private final Fleet fleet;
    private final Robot robot;
    private final String attackerToken;
    private final HugeTarget huge;
    private Recorder recorder;

    AbuseAttacks(SoakConfig cfg, Fleet fleet, Robot robot, String attackerToken, HugeTarget huge) {
        this.cfg = cfg;
        this.fleet = fleet;
        this.robot = robot;
        this.attackerToken = attackerToken;
        this.huge = huge;
    }

    /** Sends every attack, in order, each through {@code recorder}. */
    void run(Recorder recorder) throws IOException, InterruptedException {
        this.recorder = recorder;
        String ingest = fleet.ingestUrl();
        String agent = robot.agentUrl();
        int ingestPort = fleet.ingestPort;
        int agentPort = robot.agentPort;

        attack("central-ingest: remote write without a token", () -> {
            Http.Response r =
                    post(ingest + "/api/v1/write", null, rw("attack_unauth", 1), "snappy", "application/x-protobuf");
            return expect(r, 401);
        });
        attack("central-ingest: remote write with a wrong token", () -> {
            Http.Response r = post(
                    ingest + "/api/v1/write",
                    "0".repeat(48),
                    rw("attack_wrong_token", 1),
                    "snappy",
                    "application/x-protobuf");
            return expect(r, 401);
        });
        attack("central-ingest: another robot's token, series labelled robot=\"r1\"", () -> {
            Http.Response r = post(
                    ingest + "/api/v1/import/prometheus",
                    attackerToken,
                    "sensor_scrape_seq{robot=\"r1\"} 999999999\nattack_spoof{robot=\"r1\"} 1\n"
                            .getBytes(StandardCharsets.UTF_8),
                    null,
                    "text/plain");
            List<String> robots = storedRobots("attack_spoof");
            boolean ok = r.status() == 204
                    && robots.equals(List.of("attacker"))
                    && !SoakChecks.storedSeqs(fleet, "r1").contains(999_999_999L);
            return new Answer(r.status() + ", stored as robot=" + String.join(",", robots), ok);
        });
        attack("central-ingest: body over -maxRequestBytes (Content-Length 40 MB)", () -> {
            try (Raw c = new Raw(ingestPort)) {
                c.send("POST /api/v1/write HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + attackerToken
                        + "\r\nContent-Encoding: snappy\r\nContent-Length: 40000000\r\n\r\n");
                c.send(new byte[64 * 1024]);
                return expectClosed(c, 413);
            }
        });
        attack("central-ingest: gzip bomb, 1 GiB of zeros in 1 MB", () -> {
            byte[] bomb = gzipZeros(1L << 30);
            Http.Response r = post(ingest + "/api/v1/import/prometheus", attackerToken, bomb, "gzip", "text/plain");
            return expect(r, 413, bomb.length / 1000 + " kB");
        });
        attack("central-ingest: Snappy bomb, 250 MB declared in 6 bytes", () -> {
            byte[] bomb = {(byte) 0x80, (byte) 0xe5, (byte) 0x9a, 0x77, 0x00, 0x00}; // varint 250,000,000, a literal
            Http.Response r = post(ingest + "/api/v1/write", attackerToken, bomb, "snappy", "application/x-protobuf");
            return expectOneOf(r, 400, 413);
        });
        attack("central-ingest: one series with 100,000 labels", () -> {
            Http.Response r = post(
                    ingest + "/api/v1/write",
                    attackerToken,
                    manyLabels(100_000).toSnappyBlock(),
                    "snappy",
                    "application/x-protobuf");
            return new Answer(
                    r.status() + " " + firstLine(r.body(), 90),
                    r.status() == 400 && r.body().contains("huge"));
        });
        attack("edge-agent: local push, one series with 100,000 labels", () -> {
            Http.Response r = post(
                    agent + "/api/v1/write",
                    null,
                    manyLabels(100_000).toSnappyBlock(),
                    "snappy",
                    "application/x-protobuf");
            return new Answer(
                    r.status() + " " + firstLine(r.body(), 90),
                    r.status() == 400 && r.body().contains("huge"));
        });
        byte[] badUtf8 = "attack_utf8{l=\"\u00ff\u00fe\"} 1\n".getBytes(StandardCharsets.ISO_8859_1);
        attack("central-ingest: text import with invalid UTF-8", () -> {
            Http.Response r = post(ingest + "/api/v1/import/prometheus", attackerToken, badUtf8, null, "text/plain");
            return expect(r, 400);
        });
        attack("edge-agent: text import with invalid UTF-8", () -> {
            Http.Response r = post(agent + "/api/v1/import/prometheus", null, badUtf8, null, "text/plain");
            return expect(r, 400);
        });
        for (String[] side : new String[][] {
            {"central-ingest", Integer.toString(ingestPort)}, {"edge-agent", Integer.toString(agentPort)}
        }) {
            int port = Integer.parseInt(side[1]);
            attack(side[0] + ": Content-Length and Transfer-Encoding: chunked", () -> {
                try (Raw c = new Raw(port)) {
                    c.send("POST /api/v1/import/prometheus HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                            + attackerToken
                            + "\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nx 1\n\r\n0\r\n\r\n");
                    return expectClosed(c, 400);
                }
            });
            attack(side[0] + ": a 100 KB header", () -> {
                try (Raw c = new Raw(port)) {
                    c.send("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(100_000) + "\r\n\r\n");
                    return expectClosed(c, 400);
                }
            });
            attack(side[0] + ": 200 slowloris connections (a header byte every 2 s)", () -> slowloris(port, 200));
            attack(
                    side[0] + ": a chunked body that never ends (a chunk a second)",
                    () -> endlessChunked(port, attackerToken));
        }
        attack("edge-agent: 5 MB text push, 500,000 series", () -> {
            StringBuilder sb = new StringBuilder(6_000_000);
            for (int i = 0; i < 500_000; i++) {
                sb.append('a').append(100_000 + i).append(" 1\n");
            }
            byte[] body = sb.toString().getBytes(StandardCharsets.UTF_8);
            Http.Response r = post(agent + "/api/v1/import/prometheus", null, body, null, "text/plain");
            return new Answer(
                    r.status() + " for " + body.length / 100_000 / 10.0 + " MB"
                            + (r.body().isBlank() ? "" : " " + firstLine(r.body(), 60)),
                    r.status() == 204 || r.status() == 413 || r.status() == 400);
        });
        attack("edge-agent: a scrape target serving 10^6 series (every 5 s, for 15 s)", () -> {
            StringBuilder sb = new StringBuilder(12_000_000);
            for (int i = 0; i < 1_000_000; i++) {
                sb.append('h').append(1_000_000 + i).append(" 1\n"); // 11 MB, under -promscrape.maxScrapeSize
            }
            byte[] hugeBody = sb.toString().getBytes(StandardCharsets.UTF_8);
            huge.serve(hugeBody);
            int mb10 = hugeBody.length / 100_000;
            Thread.sleep(15_000);
            huge.serve(null);
            String most = "none";
            for (int i = 0; i < 20 && most.equals("none"); i++) {
                Thread.sleep(1000);
                Http.get(fleet.vmUrl() + "/internal/force_flush", Duration.ofSeconds(30));
                String q = URLEncoder.encode(
                        "max_over_time(scrape_samples_scraped{job=\"huge\"}[5m])", StandardCharsets.UTF_8);
                Matcher v = Pattern.compile("\"value\":\\[[^,]*,\"([^\"]*)\"")
                        .matcher(Http.get(fleet.vmUrl() + "/api/v1/query?query=" + q, Duration.ofSeconds(30))
                                .body());
                if (v.find() && !v.group(1).equals("0")) {
                    most = v.group(1);
                }
            }
            return new Answer(
                    huge.scrapes() + " scrapes of " + mb10 / 10.0 + " MB served; streamed, scrape_samples_scraped"
                            + " up to " + most,
                    huge.scrapes() > 0 && most.equals("1000000"));
        });
        attack("edge-agent: a second agent on the same buffer directory", this::secondAgent);
    }

    private void attack(String name, Attack a) throws InterruptedException {
        recorder.attack(name, a);
    }

    /** Values of the {@code robot} label of the series {@code name} in VictoriaMetrics. */
    private List<String> storedRobots(String name) throws IOException {
        List<String> robots = new ArrayList<>();
        for (int i = 0; i < 60 && robots.isEmpty(); i++) { // central-ingest forwards from its WAL: up to 30 s
            Http.get(fleet.vmUrl() + "/internal/force_flush", Duration.ofSeconds(30));
            String match = URLEncoder.encode(name, StandardCharsets.UTF_8);
            Http.Response r = Http.get(fleet.vmUrl() + "/api/v1/series?match[]=" + match, Duration.ofSeconds(30));
            Matcher m = Pattern.compile("\"robot\":\"([^\"]*)\"").matcher(r.body());
            while (m.find()) {
                robots.add(m.group(1));
            }
            ChildProcess.pause(500);
        }
        return robots;
    }

    /** A second edge-agent started on the robot's buffer directory must exit at once, saying why. */
    private Answer secondAgent() throws IOException, InterruptedException {
        Path log = cfg.out().resolve("logs/agent-second.log");
        List<String> cmd = List.of(
                "env",
                "JAVA_HOME=" + System.getProperty("java.home"),
                "EDGE_AGENT_JAR=" + cfg.agentJar(),
                cfg.agentLauncher().toString(),
                "-httpListenAddr=127.0.0.1:" + Http.freePort(),
                "-promscrape.config=" + cfg.out().resolve("robots/r1/scrape.yml"),
                "-remoteWrite.url=" + fleet.ingestUrl() + "/api/v1/write",
                "-remoteWrite.bearerTokenFile=" + cfg.out().resolve("robots/r1/token"),
                "-remoteWrite.tmpDataPath=" + robot.bufferDir);
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            return new Answer("STILL RUNNING after 90 s", false);
        }
        String message = Files.readAllLines(log).stream()
                .filter(l -> l.contains("lock") || l.contains("another"))
                .findFirst()
                .orElse(Files.readString(log));
        message = message.replace(cfg.out().toString(), "<out>").replaceAll("\\(pid [0-9]+\\)", "(pid N)");
        return new Answer("exit " + p.exitValue() + ": " + firstLine(message, 160), p.exitValue() != 0);
    }
}
