package dev.edgepush.testbed.soak;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
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
                checks.add(LossCheck.of(r.name, r.sensor.answered(), storedSeqs(fleet, r.name), r.kills()));
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

    /** The last line of a soak: what was scraped, stored and lost, and the faults that ran. */
    static String verdict(List<LossCheck> checks, List<FaultDriver.Ran> ran, Fleet fleet) {
        int scrapes = 0;
        int stored = 0;
        int lost = 0;
        int inFlight = 0;
        for (LossCheck c : checks) {
            scrapes += c.answered();
            stored += c.stored();
            lost += c.lost().size();
            inFlight += c.inFlightAtKill().size();
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
                "soak: robots=%d scrapes=%d stored=%d lost=%d in_flight_at_kill=%d "
                        + "outages=%d blackholes=%d agent_kills=%d ingest_kills=%d storage_restarts=%d",
                fleet.robots.size(),
                scrapes,
                stored,
                lost,
                inFlight,
                outages,
                blackholes,
                agentKills,
                ingestKills,
                storageRestarts);
    }
}
