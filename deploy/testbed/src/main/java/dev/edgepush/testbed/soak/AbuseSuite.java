package dev.edgepush.testbed.soak;

import static dev.edgepush.testbed.soak.AbuseRequests.post;

import dev.edgepush.testsupport.ChildProcess;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The abuse suite of issue 11: attacks sent to real processes (VictoriaMetrics, central-ingest
 * and one legitimate robot, a sensor scraped every second by a real edge-agent pushing through
 * central-ingest, started by {@link Fleet}), each answer recorded and both processes checked
 * alive after each, then the legitimate robot's data checked as the soak does ({@link
 * LossCheck}): every scrape its sensor answered must be in VictoriaMetrics. Scrapes the agent
 * recorded as failed ({@code up} = 0) are counted apart from lost ones: a scrape the sensor
 * finished answering within {@link #FAILED_SCRAPE_SLACK_MS} of a scrape the agent recorded as
 * failed (typically a scrape timeout on a loaded machine: the agent gave up, the sensor still
 * answered) is failed, not lost.
 *
 * <p>Attacks come from 127.0.0.2 where the source address matters (connection limits are per
 * client address; the robot's agent is on 127.0.0.1). central-ingest and the agent run with
 * {@code -http.maxBodyDuration=20s} instead of the default 5m, so that the endless chunked body is
 * cut within the suite's time; every other limit is the default.
 */
final class AbuseSuite {
    /** How long each side's body may take; the endless chunked body is cut by it. */
    static final Duration MAX_BODY_DURATION = Duration.ofSeconds(20);
    /** The scrape timeout (1 s, the scrape interval) plus room for a loaded machine. */
    static final long FAILED_SCRAPE_SLACK_MS = 5_000;

    /** One attack: what was sent, what came back, who was alive after it, and when it ran. */
    record Row(
            String attack,
            String answer,
            boolean agentAlive,
            boolean ingestAlive,
            long startMs,
            long endMs,
            boolean asExpected) {}

    /**
     * The rows, with the legitimate scrapes lost during each attack; the soak's check ({@code
     * loss}); the scrapes missing from it that the agent recorded as failed ({@code failed}), and
     * the rest ({@code lost}), which must be none.
     */
    record Result(
            List<Row> rows,
            List<Integer> lostPerRow,
            LossCheck loss,
            List<Long> failed,
            List<Long> lost,
            int failedScrapes,
            String table) {
        boolean passed() {
            return rows.stream().allMatch(r -> r.asExpected() && r.agentAlive() && r.ingestAlive()) && lost.isEmpty();
        }
    }

    private final SoakConfig cfg;
    private final PrintStream out;
    private final List<Row> rows = new ArrayList<>();
    private Fleet fleet;
    private Robot robot;
    private String robotToken;
    private String attackerToken;
    private HugeTarget huge;

    AbuseSuite(SoakConfig cfg, PrintStream out) {
        this.cfg = cfg;
        this.out = out;
    }

    Result run() throws IOException, InterruptedException {
        // A clean start: data of an earlier run in the same directory (VictoriaMetrics' storage above
        // all) would answer for scrapes of this one and hide a loss.
        for (String sub : List.of("vm-data", "ingest", "robots", "logs")) {
            Robot.deleteTree(cfg.out().resolve(sub));
        }
        String limit = "-http.maxBodyDuration=" + MAX_BODY_DURATION.toSeconds() + "s";
        huge = HugeTarget.start();
        // The huge target: scraped every 5 s; its series are dropped after parsing, so the agent does
        // all the work of a scrape of 10^6 series but VictoriaMetrics is not flooded with them.
        String hugeJob = "  - job_name: huge\n    scrape_interval: 5s\n    scrape_timeout: 5s\n"
                + "    static_configs:\n      - targets: ['127.0.0.1:"
                + huge.port() + "']\n"
                + "    metric_relabel_configs:\n      - source_labels: [__name__]\n        regex: 'h[0-9]+'\n"
                + "        action: drop\n";
        try {
            fleet = Fleet.start(cfg, List.of(limit), List.of(limit), hugeJob);
        } catch (IOException | RuntimeException | InterruptedException e) {
            huge.close();
            throw e;
        }
        try {
            robot = fleet.robots.get(0);
            robotToken = Files.readString(cfg.out().resolve("robots/r1/token")).strip();
            attackerToken = addAttackerToken();
            out.println("abuse: fleet up: victoria-metrics " + fleet.vmUrl() + ", central-ingest " + fleet.ingestUrl()
                    + ", edge-agent " + robot.agentUrl());
            Thread.sleep(3000); // some legitimate scrapes before the first attack
            new AbuseAttacks(cfg, fleet, robot, attackerToken, huge).run(this::attack);
            Thread.sleep(3000); // and after the last
            robot.sensor.stopAnswering();
            long stoppedAt = System.currentTimeMillis();
            drain(stoppedAt);
            LossCheck loss = check();
            List<Long> upZero = failedScrapes(stoppedAt);
            long[][] answered = robot.sensor.answered();
            List<Long> failed = new ArrayList<>();
            List<Long> lost = new ArrayList<>();
            for (long[] a : answered) {
                if (loss.lost().contains(a[0])) {
                    boolean recordedFailed =
                            upZero.stream().anyMatch(t -> t <= a[1] && a[1] <= t + FAILED_SCRAPE_SLACK_MS);
                    (recordedFailed ? failed : lost).add(a[0]);
                }
            }
            List<Integer> lostPerRow = new ArrayList<>();
            List<Integer> failedPerRow = new ArrayList<>();
            for (Row r : rows) {
                lostPerRow.add(during(r, answered, lost));
                failedPerRow.add(during(r, answered, failed));
            }
            String table = table(lostPerRow, failedPerRow, loss, failed, lost, upZero.size());
            out.println(table);
            return new Result(List.copyOf(rows), lostPerRow, loss, failed, lost, upZero.size(), table);
        } finally {
            fleet.close();
            huge.close();
        }
    }

    /** How many of {@code seqs} the sensor answered while {@code r} ran. */
    private static int during(Row r, long[][] answered, List<Long> seqs) {
        int n = 0;
        for (long[] a : answered) {
            if (a[1] >= r.startMs() && a[1] <= r.endMs() && seqs.contains(a[0])) {
                n++;
            }
        }
        return n;
    }

    private void attack(String name, AbuseAttacks.Attack a) throws InterruptedException {
        long start = System.currentTimeMillis();
        Answer answer;
        try {
            answer = a.send();
        } catch (IOException | RuntimeException e) {
            answer = new Answer("failed: " + e, false);
        }
        Thread.sleep(500);
        boolean agentAlive = robot.agent.isAlive() && healthy(robot.agentUrl() + "/health");
        boolean ingestAlive = fleet.ingest.isAlive() && healthy(fleet.ingestUrl() + "/health");
        Row row = new Row(
                name, answer.text(), agentAlive, ingestAlive, start, System.currentTimeMillis(), answer.asExpected());
        rows.add(row);
        out.printf(
                Locale.ROOT,
                "abuse: %s -> %s (agent %s, ingest %s)%s%n",
                name,
                answer.text(),
                agentAlive ? "alive" : "DEAD",
                ingestAlive ? "alive" : "DEAD",
                answer.asExpected() ? "" : " UNEXPECTED");
    }

    private static boolean healthy(String url) {
        for (int i = 0; i < 10; i++) {
            try {
                if (Http.get(url, Duration.ofSeconds(5)).status() == 200) {
                    return true;
                }
            } catch (IOException e) {
                // retried: the machine may be loaded
            }
            ChildProcess.pause(500);
        }
        return false;
    }

    /** A robot token for the attacker, added to central-ingest's tokens file (re-read when it changes). */
    private String addAttackerToken() throws IOException, InterruptedException {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        String token = HexFormat.of().formatHex(b);
        Path tokens = cfg.out().resolve("ingest/tokens");
        Files.writeString(tokens, Files.readString(tokens) + "robot attacker 0 sha256:" + Fleet.sha256(token) + "\n");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Http.Response r = post(
                    fleet.ingestUrl() + "/api/v1/import/prometheus",
                    token,
                    "attack_token_check 1\n".getBytes(StandardCharsets.UTF_8),
                    null,
                    "text/plain");
            if (r.status() == 204) {
                return token;
            }
            Thread.sleep(500);
        }
        throw new IOException("central-ingest never took the attacker's token from " + tokens);
    }

    /** Waits until the agent holds nothing from before {@code stoppedAtMs} and the WAL is empty. */
    private void drain(long stoppedAtMs) throws InterruptedException {
        Thread.sleep(2000);
        long deadline = System.nanoTime() + cfg.drainTimeout().toNanos();
        boolean agentDrained = false;
        while (System.nanoTime() < deadline) {
            agentDrained = agentDrained || robot.drainedSince(stoppedAtMs);
            if (agentDrained
                    && fleet.ingestMetric("central_ingest_wal_pending_samples").orElse(-1) == 0) {
                return;
            }
            Thread.sleep(200);
        }
        out.println("abuse: not drained within " + cfg.drainTimeout() + " (agent drained: " + agentDrained + ")");
    }

    private LossCheck check() throws IOException, InterruptedException {
        for (int attempt = 0; ; attempt++) {
            Http.get(fleet.vmUrl() + "/internal/force_flush", Duration.ofSeconds(30));
            LossCheck c = LossCheck.of(
                    robot.name, robot.sensor.answered(), SoakChecks.storedSeqs(fleet, robot.name), robot.kills());
            if (c.lost().isEmpty() || attempt == 4) {
                return c;
            }
            Thread.sleep(2000);
        }
    }

    /** When the scrapes the agent recorded as failed ({@code up} 0) before {@code beforeMs} started. */
    private List<Long> failedScrapes(long beforeMs) throws IOException {
        String match = URLEncoder.encode("up{robot=\"r1\",job=\"sensor\"}", StandardCharsets.UTF_8);
        Http.Response r = Http.get(fleet.vmUrl() + "/api/v1/export?match[]=" + match, Duration.ofMinutes(1));
        Matcher m = Pattern.compile("\"values\":\\[([^\\]]*)\\],\"timestamps\":\\[([^\\]]*)\\]")
                .matcher(r.body());
        List<Long> failed = new ArrayList<>();
        while (m.find()) {
            String[] values = m.group(1).split(",");
            String[] times = m.group(2).split(",");
            for (int i = 0; i < values.length && i < times.length; i++) {
                if (!values[i].isBlank()
                        && Double.parseDouble(values[i].replace("\"", "")) == 0
                        && Long.parseLong(times[i].trim()) < beforeMs) {
                    failed.add(Long.parseLong(times[i].trim()));
                }
            }
        }
        return failed;
    }

    private String table(
            List<Integer> lostPerRow,
            List<Integer> failedPerRow,
            LossCheck loss,
            List<Long> failed,
            List<Long> lost,
            int upZero) {
        StringBuilder sb = new StringBuilder("| case | answer | agent alive | ingest alive | legit data lost |\n");
        sb.append("|---|---|---|---|---|\n");
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            sb.append("| ")
                    .append(r.attack())
                    .append(" | ")
                    .append(r.answer().replace('|', '/'))
                    .append(r.asExpected() ? "" : " (UNEXPECTED)")
                    .append(" | ")
                    .append(r.agentAlive() ? "yes" : "NO")
                    .append(" | ")
                    .append(r.ingestAlive() ? "yes" : "NO")
                    .append(" | ")
                    .append(lostPerRow.get(i))
                    .append(failedPerRow.get(i) > 0 ? " (" + failedPerRow.get(i) + " failed, up=0)" : "")
                    .append(" |\n");
        }
        sb.append(String.format(
                Locale.ROOT,
                "%nabuse: attacks=%d as_expected=%d legit_scrapes=%d stored=%d lost=%d "
                        + "failed=%d (up=0 recorded: %d)",
                rows.size(),
                rows.stream().filter(Row::asExpected).count(),
                loss.answered(),
                loss.stored(),
                lost.size(),
                failed.size(),
                upZero));
        return sb.toString();
    }
}
