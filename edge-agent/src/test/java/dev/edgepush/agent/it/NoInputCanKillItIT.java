package dev.edgepush.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.edgepush.testsupport.CountingTarget;
import dev.edgepush.testsupport.Loopback;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, "no input can kill it": a real agent with the robot's JVM options (read from {@code
 * bin/edge-agent.jvm.options}: {@code -Xmx64m}, exit on OutOfMemoryError) gets a scrape target
 * serving 10^6 series, a 6.5 MB text push of 500,000 series, and a push of one series with
 * 100,000 labels, each beside a target scraped every second. It must stay alive, answer (or
 * deliver) and keep that target's schedule: every scrape the target answered in the window
 * arrives, and none was skipped. Sizes and counts are asserted; the agent's peak resident set
 * (VmHWM) is printed, not asserted.
 */
class NoInputCanKillItIT {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final int BIG_SERIES = 1_000_000;

    @TempDir
    Path dir;

    @Test
    void aTargetServingAMillionSeriesIsStoredWhileAOneSecondTargetKeepsItsSchedule() throws Exception {
        byte[] body = bigBody();
        assertTrue(
                body.length > 11_000_000 && body.length < 16_000_000,
                "a body under -promscrape.maxScrapeSize: " + body.length);
        AtomicInteger bigAnswers = new AtomicInteger();
        HttpServer big = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        big.setExecutor(Executors.newSingleThreadExecutor());
        big.createContext("/metrics", ex -> {
            ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(body);
            }
            bigAnswers.incrementAndGet();
        });
        big.start();
        try (CountingTarget normal = new CountingTarget(0);
                SampleReceiver remote = new SampleReceiver()) {
            Path config = dir.resolve("scrape.yml");
            Files.writeString(
                    config,
                    "scrape_configs:\n"
                            + normalJob(normal)
                            + "  - job_name: big\n    scrape_interval: 8s\n    scrape_timeout: 8s\n"
                            + "    static_configs:\n      - targets: ['127.0.0.1:"
                            + big.getAddress().getPort() + "']\n");
            try (AgentProcess agent = start(config, remote)) {
                long deadline = System.nanoTime() + 120_000_000_000L;
                while (bigAnswers.get() == 0 && agent.isAlive() && System.nanoTime() < deadline) {
                    AgentProcess.pause(50);
                }
                long from = System.nanoTime(); // the first big scrape is being read now
                long peak = 0;
                while (System.nanoTime() - from < 24_000_000_000L && agent.isAlive()) {
                    peak = Math.max(peak, vmHwmKiB(agent.pid));
                    AgentProcess.pause(200);
                }
                long to = System.nanoTime();
                peak = Math.max(peak, vmHwmKiB(agent.pid));
                String log = agent.logText();
                assertTrue(agent.isAlive(), "the agent is alive:\n" + tail(log));
                assertFalse(log.contains("OutOfMemoryError"), tail(log));
                awaitDelivered(agent, normal, remote, from, to);
                // Every big scrape the agent finished is stored in full (or refused with a reason on /targets).
                long bigDeadline = System.nanoTime() + 120_000_000_000L;
                Map<Long, Double> bigUp = remote.up.getOrDefault("big", Map.of());
                while (System.nanoTime() < bigDeadline
                        && !bigUp.entrySet().stream()
                                .allMatch(e -> e.getValue() == 0 || remote.count("big", e.getKey()) == BIG_SERIES)) {
                    AgentProcess.pause(200);
                }
                System.out.printf(
                        "big target: answered %d scrapes, up per scrape %s, samples per scrape %s;"
                                + " agent VmHWM %d MiB%n",
                        bigAnswers.get(),
                        bigUp.values(),
                        bigUp.keySet().stream().map(t -> remote.count("big", t)).toList(),
                        peak >> 10);
                assertTrue(bigUp.size() >= 2, "the big target was scraped and reported at least twice: " + bigUp);
                String targets = agent.get("/targets");
                for (Map.Entry<Long, Double> e : bigUp.entrySet()) {
                    if (e.getValue() == 1) {
                        assertEquals(BIG_SERIES, remote.count("big", e.getKey()), "every series of a big scrape");
                    } else {
                        // A scrape refused or cut off (on a loaded machine, by its 8 s timeout) says why: in
                        // the log always, on /targets while it is the latest scrape of the target.
                        String why = agent.logText();
                        assertTrue(
                                why.contains("(job big) is down: "),
                                "a failed big scrape says why in the log:\n" + tail(why) + "\n/targets:\n" + targets);
                    }
                }
                assertUndisturbed(normal, remote, from, to);
            }
        } finally {
            big.stop(0);
        }
    }

    @Test
    void aSixMegabyteTextPushIsAnsweredWhileAOneSecondTargetKeepsItsSchedule() throws Exception {
        int n = 500_000;
        StringBuilder sb = new StringBuilder(n * 14);
        for (int i = 0; i < n; i++) {
            sb.append("push").append(String.format("%06d", i)).append(" 1\n");
        }
        byte[] body = sb.toString().getBytes(StandardCharsets.UTF_8);
        assertTrue(body.length > 6_000_000, "a 6 MB push: " + body.length);
        try (CountingTarget normal = new CountingTarget(0);
                SampleReceiver remote = new SampleReceiver()) {
            Path config = dir.resolve("scrape.yml");
            Files.writeString(config, "scrape_configs:\n" + normalJob(normal));
            try (AgentProcess agent = start(config, remote)) {
                awaitAnswered(normal, 3);
                long from = System.nanoTime();
                Pushed p = push(agent, body);
                AgentProcess.pause(3_000); // and a few scrapes after it
                long to = System.nanoTime();
                long peak = vmHwmKiB(agent.pid);
                String log = agent.logText();
                System.out.printf(
                        "6.5 MB push: HTTP %d after %d ms (%s); agent VmHWM %d MiB%n",
                        p.code, p.ms, p.body.strip(), peak >> 10);
                assertTrue(agent.isAlive(), "the agent is alive:\n" + tail(log));
                assertFalse(log.contains("OutOfMemoryError"), tail(log));
                assertTrue(
                        p.code == 204 || p.code == 413 || p.code == 400,
                        "answered 204, or refused with a reason: " + p);
                if (p.code == 204) {
                    long deadline = System.nanoTime() + 120_000_000_000L;
                    while (remote.perScrape.getOrDefault("", Map.of()).values().stream()
                                            .mapToLong(a -> a.sum())
                                            .sum()
                                    < n
                            && System.nanoTime() < deadline) {
                        AgentProcess.pause(200);
                    }
                    assertEquals(
                            n,
                            remote.perScrape.getOrDefault("", Map.of()).values().stream()
                                    .mapToLong(a -> a.sum())
                                    .sum(),
                            "every pushed sample is stored");
                } else {
                    assertFalse(p.body.isBlank(), "a refusal says why");
                }
                awaitDelivered(agent, normal, remote, from, to);
                assertUndisturbed(normal, remote, from, to);
            }
        }
    }

    @Test
    void aSeriesWithAHundredThousandLabelsIsRefusedQuicklyWhileAOneSecondTargetKeepsItsSchedule() throws Exception {
        StringBuilder sb = new StringBuilder("wide{");
        for (int i = 0; i < 100_000; i++) {
            sb.append(i == 0 ? "" : ",").append("l").append(i).append("=\"v\"");
        }
        byte[] body = sb.append("} 1\n").toString().getBytes(StandardCharsets.UTF_8);
        try (CountingTarget normal = new CountingTarget(0);
                SampleReceiver remote = new SampleReceiver()) {
            Path config = dir.resolve("scrape.yml");
            Files.writeString(config, "scrape_configs:\n" + normalJob(normal));
            try (AgentProcess agent = start(config, remote)) {
                awaitAnswered(normal, 3);
                long from = System.nanoTime();
                Pushed p = push(agent, body);
                AgentProcess.pause(3_000);
                long to = System.nanoTime();
                System.out.printf("100,000 labels: HTTP %d after %d ms: %s%n", p.code, p.ms, p.body.strip());
                assertTrue(agent.isAlive(), "the agent is alive:\n" + tail(agent.logText()));
                assertEquals(400, p.code, "refused: " + p);
                assertTrue(
                        p.body.contains("maxLabelsPerTimeseries") && p.body.contains("wide"),
                        "the answer names the series and the limit: " + p.body);
                awaitDelivered(agent, normal, remote, from, to);
                assertUndisturbed(normal, remote, from, to);
            }
        }
    }

    // --- helpers ---

    private static String normalJob(CountingTarget normal) {
        return "  - job_name: normal\n    scrape_interval: 1s\n    scrape_timeout: 1s\n"
                + "    static_configs:\n      - targets: ['127.0.0.1:" + normal.port() + "']\n";
    }

    /** 10^6 series, one per line, 11.9 MB: {@code big<i> 1}. */
    private static byte[] bigBody() {
        StringBuilder sb = new StringBuilder(12_000_000);
        for (int i = 0; i < BIG_SERIES; i++) {
            sb.append("big").append(i).append(" 1\n");
        }
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private AgentProcess start(Path config, SampleReceiver remote) throws IOException {
        return AgentProcess.start(
                dir.resolve("agent"),
                Loopback.freePort(),
                robotJvmOptions(),
                "-promscrape.config=" + config,
                "-remoteWrite.url=" + remote.writeUrl(),
                "-remoteWrite.tmpDataPath=" + dir.resolve("data"),
                "-remoteWrite.flushInterval=200ms");
    }

    /** The launcher's JVM options, exactly as robots run them. */
    static List<String> robotJvmOptions() throws IOException {
        for (Path p :
                List.of(Path.of("bin/edge-agent.jvm.options"), Path.of("edge-agent/bin/edge-agent.jvm.options"))) {
            if (Files.exists(p)) {
                List<String> out = new ArrayList<>();
                for (String line : Files.readAllLines(p)) {
                    String s = line.strip();
                    if (!s.isEmpty() && !s.startsWith("#")) {
                        out.add(s);
                    }
                }
                assertTrue(
                        out.contains("-Xmx64m") && out.contains("-XX:+ExitOnOutOfMemoryError"),
                        "robot options: " + out);
                return out;
            }
        }
        throw new IllegalStateException("edge-agent/bin/edge-agent.jvm.options not found");
    }

    record Pushed(int code, long ms, String body) {}

    private static Pushed push(AgentProcess agent, byte[] body) throws Exception {
        long t0 = System.nanoTime();
        try {
            HttpResponse<String> r = HTTP.send(
                    HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + agent.statusPort + "/api/v1/import/prometheus"))
                            .timeout(Duration.ofSeconds(30))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Pushed(r.statusCode(), (System.nanoTime() - t0) / 1_000_000, r.body());
        } catch (IOException e) {
            return new Pushed(-1, (System.nanoTime() - t0) / 1_000_000, e.toString());
        }
    }

    /** Waits until the counting target's answers in [from, to] are all at the remote (or 120 s passed). */
    private static void awaitDelivered(
            AgentProcess agent, CountingTarget t, SampleReceiver remote, long from, long to) {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline && !remote.seqs.containsAll(answeredIn(t, from, to)) && agent.isAlive()) {
            AgentProcess.pause(100);
        }
    }

    /**
     * The 1 s target kept its schedule over [from, to]: every scrape it answered arrived, and it
     * answered one per second (a scrape skipped because the agent was busy is a missing answer).
     */
    private static void assertUndisturbed(CountingTarget t, SampleReceiver remote, long from, long to) {
        List<Long> answered = answeredIn(t, from, to);
        List<Long> missing =
                answered.stream().filter(s -> !remote.seqs.contains(s)).toList();
        long seconds = (to - from) / 1_000_000_000L;
        System.out.printf(
                "1 s target over %d s: answered %d scrapes, missing at the remote %s%n",
                seconds, answered.size(), missing);
        assertEquals(List.of(), missing, "every answered scrape of the 1 s target arrived");
        assertTrue(
                answered.size() >= seconds - 1,
                "the 1 s target was scraped every second: " + answered.size() + " scrapes in " + seconds + " s");
        // Its scrape timestamps follow its 1 s schedule: a scrape skipped because the agent was busy
        // leaves a 2 s step; a late one is at most as late as the agent was busy.
        List<Long> ts = new ArrayList<>();
        for (long seq : answered) {
            ts.add(remote.seqTimestamp(seq));
        }
        long worst = 0;
        for (int i = 1; i < ts.size(); i++) {
            worst = Math.max(worst, ts.get(i) - ts.get(i - 1));
        }
        System.out.printf("1 s target: longest step between scrape timestamps %d ms%n", worst);
        assertTrue(
                worst < 1_500, "no hole in the 1 s target's data: consecutive scrapes " + worst + " ms apart: " + ts);
    }

    private static List<Long> answeredIn(CountingTarget t, long from, long to) {
        return t.answered.entrySet().stream()
                .filter(e -> e.getValue() >= from && e.getValue() <= to)
                .map(Map.Entry::getKey)
                .toList();
    }

    private static void awaitAnswered(CountingTarget target, int n) throws IOException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (target.answered.size() < n) {
            if (System.nanoTime() > deadline) {
                throw new IOException("the agent did not scrape: " + target.answered.size() + " < " + n);
            }
            AgentProcess.pause(20);
        }
    }

    /** VmHWM of a process in KiB (0 once it is gone). */
    static long vmHwmKiB(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return 0;
    }

    private static String tail(String log) {
        return log.length() > 4000 ? log.substring(log.length() - 4000) : log;
    }
}
