package dev.edgepush.testbed.bench;

import dev.edgepush.testsupport.Executables;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real VictoriaMetrics single node (the {@code victoria-metrics} binary on the PATH, from
 * Debian's package) on a loopback port with its own storage. It can be stopped (SIGTERM) and
 * started again on the same port and storage: the remote's outage.
 */
final class VictoriaMetricsServer {
    private static final Pattern INSTANCE = Pattern.compile("\"instance\":\"([^\"]*)\"");
    private static final Pattern VALUES = Pattern.compile("\"values\":\\[([^\\]]*)\\]");

    private final ChildProcesses children;
    private final String binary;
    private final Path storage;
    private final Path log;
    final int port;
    private Process process;

    VictoriaMetricsServer(ChildProcesses children, Path storage, Path log) {
        this.children = children;
        this.binary = Executables.onPath("victoria-metrics", "victoria-metrics");
        this.storage = storage;
        this.log = log;
        this.port = Http.freePort();
    }

    String writeUrl() {
        return "http://127.0.0.1:" + port + "/api/v1/write";
    }

    /** Starts and waits until {@code /health} answers. */
    void start() throws IOException {
        process = children.start(
                List.of(
                        binary,
                        "-storageDataPath=" + storage,
                        "-httpListenAddr=127.0.0.1:" + port,
                        "-search.latencyOffset=0s",
                        "-loggerLevel=WARN"),
                log);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("victoria-metrics exited with " + process.exitValue() + "; see " + log);
            }
            try {
                Http.get(port, "/health", Duration.ofSeconds(2));
                return;
            } catch (IOException e) {
                Sleep.millis(50); // still starting
            }
        }
        throw new IOException("victoria-metrics did not answer /health within 30 s; see " + log);
    }

    /** SIGTERM and wait for the exit (it flushes its in-memory data first). */
    void stop() {
        if (process != null && process.isAlive()) {
            ChildProcesses.stop(process);
        }
    }

    /**
     * How many of the answered scrapes VictoriaMetrics holds: for each instance, the distinct
     * {@code sensor_scrape_seq} values from 1 to the number that instance answered.
     */
    long storedScrapes(Map<String, Long> answeredByInstance) throws IOException {
        Http.get(port, "/internal/force_flush", Duration.ofSeconds(30));
        String body = Http.get(
                port,
                "/api/v1/export?match[]=" + URLEncoder.encode("sensor_scrape_seq", StandardCharsets.UTF_8),
                Duration.ofSeconds(60));
        return countScrapeSeq(body, answeredByInstance);
    }

    /**
     * Counts, in an {@code /api/v1/export} body (one JSON object per series and line), the distinct
     * values in 1..answered of each instance's series; staleness markers (null) are not values.
     */
    static long countScrapeSeq(String exportBody, Map<String, Long> answeredByInstance) {
        Map<String, Set<Long>> seen = new HashMap<>();
        for (String line : exportBody.split("\n")) {
            Matcher inst = INSTANCE.matcher(line);
            Matcher vals = VALUES.matcher(line);
            if (!inst.find() || !vals.find()) {
                continue;
            }
            Long answered = answeredByInstance.get(inst.group(1));
            if (answered == null) {
                continue;
            }
            Set<Long> set = seen.computeIfAbsent(inst.group(1), k -> new HashSet<>());
            for (String v : vals.group(1).split(",")) {
                String t = v.replace("\"", "").trim();
                if (t.isEmpty() || t.equals("null")) {
                    continue;
                }
                double d = Double.parseDouble(t);
                if (d >= 1 && d <= answered && d == Math.rint(d)) {
                    set.add((long) d);
                }
            }
        }
        return seen.values().stream().mapToLong(Set::size).sum();
    }
}
