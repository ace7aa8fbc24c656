package dev.edgepush.testbed.soak;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A soak's checks once everything is drained: every answered scrape looked up in VictoriaMetrics
 * ({@link LossCheck}), central-ingest's completeness accounting set against that ({@link
 * CompletenessCheck}), and the verdict line.
 */
final class SoakChecks {
    private final SoakConfig cfg;
    private final Consumer<String> log;
    private final Consumer<String> say;

    /**
     * @param log a line for the soak's log file only
     * @param say a line for the log file and the console
     */
    SoakChecks(SoakConfig cfg, Consumer<String> log, Consumer<String> say) {
        this.cfg = cfg;
        this.log = log;
        this.say = say;
    }

    /** Every robot's answered scrapes against VictoriaMetrics; a few retries while something is missing. */
    List<LossCheck> check(Fleet fleet) throws IOException, InterruptedException {
        List<LossCheck> checks = new ArrayList<>();
        for (int attempt = 0; ; attempt++) {
            checks.clear();
            Http.get(fleet.vmUrl() + "/internal/force_flush", Duration.ofSeconds(30));
            for (Robot r : fleet.robots) {
                long diskFull = (long) r.agentMetric("edge_agent_samples_dropped_total", "reason=\"disk_full\"")
                        .orElse(0);
                int perScrape = diskFull > 0 ? samplesPerScrape(fleet, r.name) : 0;
                if (diskFull > 0) {
                    log.accept("check: edge-agent " + r.name + " dropped " + diskFull
                            + " samples for its disk cap; its scrapes are stored with " + perScrape + " samples each");
                }
                checks.add(LossCheck.of(
                        r.name,
                        r.sensor.answered(),
                        storedSeqs(fleet, r.name),
                        r.kills(),
                        timedOutScrapes(fleet, r.name),
                        diskFull,
                        perScrape));
            }
            int lost = checks.stream().mapToInt(c -> c.lost().size()).sum();
            if (lost == 0 || attempt == 4) {
                return checks;
            }
            log.accept(
                    "check: " + lost + " scrapes not found yet; looking again in 2 s (attempt " + (attempt + 1) + ")");
            Thread.sleep(2000);
        }
    }

    /**
     * central-ingest's completeness accounting of every robot against the soak's own findings
     * ({@link CompletenessCheck}); each robot's numbers go to the log, a mismatch to the console.
     */
    List<CompletenessCheck> compareAccounting(Fleet fleet, List<LossCheck> checks) throws IOException {
        Http.Response r = Http.get(fleet.ingestUrl() + "/metrics", Duration.ofSeconds(30));
        if (r.status() != 200) {
            throw new IOException("central-ingest's /metrics answered " + r.status() + ": " + r.body());
        }
        List<CompletenessCheck> out = CompletenessCheck.of(checks, r.body(), cfg.breakAgent());
        for (CompletenessCheck c : out) {
            log.accept("completeness: " + c.robot() + " central-ingest reports missing excerpts " + c.missing());
            if (c.mismatch() != null) {
                say.accept("soak: completeness MISMATCH for " + c.robot() + ": " + c.mismatch());
            }
        }
        return out;
    }

    /**
     * The robot whose clock runs ahead, if any ({@link ClockCheck}); its numbers go to the log, a
     * problem to the console.
     */
    ClockCheck checkClock(Fleet fleet) throws IOException {
        if (cfg.clockRobot() == 0) {
            return null;
        }
        Robot r = fleet.robots.get(cfg.clockRobot() - 1);
        OptionalDouble skew = fleet.ingestMetrics()
                .map(m -> Http.metric(m, "central_ingest_robot_clock_skew_seconds", "robot=\"" + r.name + "\""))
                .orElse(OptionalDouble.empty());
        ClockCheck c = ClockCheck.of(r.name, cfg.clockAhead(), skew, r.sensor.answered(), storedTimes(fleet, r.name));
        log.accept(String.format(
                Locale.ROOT,
                "clock: %s runs %.0f s ahead; central-ingest measured %.3f s; %d stored scrapes, at most %.3f s from"
                        + " when its sensor answered",
                c.robot(),
                c.expectedSeconds(),
                c.skewSeconds(),
                c.stored(),
                c.maxOffsetMs() / 1000.0));
        if (c.problem() != null) {
            say.accept("soak: clock check FAILED for " + c.robot() + ": " + c.problem());
        }
        return c;
    }

    /** Every stored timestamp (unix ms) of each {@code sensor_scrape_seq} value of {@code robot}. */
    static Map<Long, List<Long>> storedTimes(Fleet fleet, String robot) throws IOException {
        String match = URLEncoder.encode("sensor_scrape_seq{robot=\"" + robot + "\"}", StandardCharsets.UTF_8);
        Http.Response r = Http.get(fleet.vmUrl() + "/api/v1/export?match[]=" + match, Duration.ofMinutes(2));
        if (r.status() != 200) {
            throw new IOException("/api/v1/export answered " + r.status() + ": " + r.body());
        }
        Map<Long, List<Long>> out = new HashMap<>();
        Matcher m = Pattern.compile("\"values\":\\[([^\\]]*)\\],\"timestamps\":\\[([^\\]]*)\\]")
                .matcher(r.body());
        while (m.find()) {
            String[] values = m.group(1).split(",");
            String[] times = m.group(2).split(",");
            for (int i = 0; i < values.length && i < times.length; i++) {
                String v = values[i].replace("\"", "").trim();
                if (!v.isEmpty() && !v.equals("null") && !v.equalsIgnoreCase("NaN")) {
                    out.computeIfAbsent((long) Double.parseDouble(v), k -> new ArrayList<>())
                            .add(Long.parseLong(times[i].trim()));
                }
            }
        }
        return out;
    }

    /** Every {@code sensor_scrape_seq} value VictoriaMetrics holds for {@code robot}. */
    static Set<Long> storedSeqs(Fleet fleet, String robot) throws IOException {
        String match = URLEncoder.encode("sensor_scrape_seq{robot=\"" + robot + "\"}", StandardCharsets.UTF_8);
        Http.Response r = Http.get(fleet.vmUrl() + "/api/v1/export?match[]=" + match, Duration.ofMinutes(2));
        if (r.status() != 200) {
            throw new IOException("/api/v1/export answered " + r.status() + ": " + r.body());
        }
        Set<Long> seqs = new HashSet<>();
        Matcher m = Pattern.compile("\"values\":\\[([^\\]]*)\\]").matcher(r.body());
        while (m.find()) {
            for (String v : m.group(1).split(",")) {
                String s = v.replace("\"", "").trim();
                if (!s.isEmpty() && !s.equals("null") && !s.equalsIgnoreCase("NaN")) { // NaN/null: staleness marker
                    seqs.add((long) Double.parseDouble(s));
                }
            }
        }
        return seqs;
    }

    /**
     * When (stored timestamps, unix ms) the agent of {@code robot} gave up on a scrape of its sensor
     * at the scrape timeout: {@code up} = 0 with {@code scrape_duration_seconds} at least 0.9 s (the
     * timeout is the 1 s scrape interval; an error answer fails much faster).
     */
    static List<Long> timedOutScrapes(Fleet fleet, String robot) throws IOException {
        String match = URLEncoder.encode(
                "{__name__=~\"up|scrape_duration_seconds\",job=\"sensor\",robot=\"" + robot + "\"}",
                StandardCharsets.UTF_8);
        Http.Response r = Http.get(fleet.vmUrl() + "/api/v1/export?match[]=" + match, Duration.ofMinutes(2));
        if (r.status() != 200) {
            throw new IOException("/api/v1/export answered " + r.status() + ": " + r.body());
        }
        Map<Long, Double> up = new HashMap<>();
        Map<Long, Double> duration = new HashMap<>();
        Pattern values = Pattern.compile("\"values\":\\[([^\\]]*)\\],\"timestamps\":\\[([^\\]]*)\\]");
        for (String line : r.body().split("\n")) {
            Matcher m = values.matcher(line);
            if (!m.find()) {
                continue;
            }
            Map<Long, Double> into = line.contains("\"__name__\":\"up\"") ? up : duration;
            String[] v = m.group(1).split(",");
            String[] t = m.group(2).split(",");
            for (int i = 0; i < v.length && i < t.length; i++) {
                String s = v[i].replace("\"", "").trim();
                if (!s.isEmpty() && !s.equals("null") && !s.equalsIgnoreCase("NaN")) {
                    into.put(Long.parseLong(t[i].trim()), Double.parseDouble(s));
                }
            }
        }
        List<Long> out = new ArrayList<>();
        up.forEach((t, v) -> {
            if (v == 0 && duration.getOrDefault(t, 0.0) >= 0.9) {
                out.add(t);
            }
        });
        out.sort(null);
        return out;
    }

    /**
     * How many samples one scrape of {@code robot} has in storage: the most frequent number of
     * samples sharing a timestamp among all its series (a scrape's samples share its timestamp).
     */
    static int samplesPerScrape(Fleet fleet, String robot) throws IOException {
        String match = URLEncoder.encode("{robot=\"" + robot + "\"}", StandardCharsets.UTF_8);
        Http.Response r = Http.get(fleet.vmUrl() + "/api/v1/export?match[]=" + match, Duration.ofMinutes(2));
        if (r.status() != 200) {
            throw new IOException("/api/v1/export answered " + r.status() + ": " + r.body());
        }
        Map<Long, Integer> perTimestamp = new HashMap<>();
        Matcher m = Pattern.compile("\"timestamps\":\\[([^\\]]*)\\]").matcher(r.body());
        while (m.find()) {
            for (String t : m.group(1).split(",")) {
                if (!t.isBlank()) {
                    perTimestamp.merge(Long.parseLong(t.trim()), 1, Integer::sum);
                }
            }
        }
        Map<Integer, Integer> frequency = new HashMap<>();
        perTimestamp.values().forEach(n -> frequency.merge(n, 1, Integer::sum));
        return frequency.entrySet().stream()
                .max(Map.Entry.<Integer, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
                .map(Map.Entry::getKey)
                .orElse(0);
    }

    /** The last line of a soak: what was scraped, stored and lost, and the faults that ran. */
    static String verdict(List<LossCheck> checks, List<FaultDriver.Ran> ran, Fleet fleet) {
        int scrapes = 0;
        int stored = 0;
        int lost = 0;
        int inFlight = 0;
        int timedOut = 0;
        int diskFull = 0;
        for (LossCheck c : checks) {
            scrapes += c.answered();
            stored += c.stored();
            lost += c.lost().size();
            inFlight += c.inFlightAtKill().size();
            timedOut += c.timedOut().size();
            diskFull += c.droppedDiskFull().size();
        }
        int outages = 0;
        int blackholes = 0;
        int ingestKills = 0;
        int storageRestarts = 0;
        for (FaultDriver.Ran r : ran) {
            switch (r.fault().kind()) {
                case OUTAGE -> outages++;
                case BLACKHOLE -> blackholes++;
                case INGEST_KILL -> ingestKills++;
                case STORAGE_RESTART -> storageRestarts++;
                default -> {}
            }
        }
        int agentKills = fleet.robots.stream().mapToInt(r -> r.kills().size()).sum();
        return String.format(
                Locale.ROOT,
                "soak: robots=%d scrapes=%d stored=%d lost=%d in_flight_at_kill=%d scrape_timeouts=%d disk_full_dropped=%d "
                        + "outages=%d blackholes=%d agent_kills=%d ingest_kills=%d storage_restarts=%d",
                fleet.robots.size(),
                scrapes,
                stored,
                lost,
                inFlight,
                timedOut,
                diskFull,
                outages,
                blackholes,
                agentKills,
                ingestKills,
                storageRestarts);
    }
}
