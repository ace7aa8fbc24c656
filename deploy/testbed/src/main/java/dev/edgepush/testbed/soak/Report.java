package dev.edgepush.testbed.soak;

import dev.edgepush.testbed.GoDuration;
import dev.edgepush.testbed.json.JsonString;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** Writes {@code report.json}: configuration, seed, the faults as planned and as run, per-robot counts. */
final class Report {
    private Report() {}

    static void write(
            SoakConfig cfg,
            List<Fault> plan,
            List<FaultDriver.Ran> ran,
            List<LossCheck> checks,
            boolean drained,
            long restoreMs,
            long drainedMs,
            long wallStartMs,
            String verdict,
            Timeline timeline,
            ClockCheck clock)
            throws IOException {
        StringBuilder sb = new StringBuilder(16 * 1024);
        sb.append("{\n  \"verdict\": ")
                .append(JsonString.quote(verdict))
                .append(",\n  \"passed\": ")
                .append(checks.stream().allMatch(c -> c.lost().isEmpty()) && drained)
                .append(",\n  \"config\": {\"duration\": ")
                .append(JsonString.quote(GoDuration.format(cfg.duration())))
                .append(", \"robots\": ")
                .append(cfg.robots())
                .append(", \"seed\": ")
                .append(cfg.seed())
                .append(", \"break_agent\": ")
                .append(cfg.breakAgent())
                .append(", \"drain_timeout\": ")
                .append(JsonString.quote(GoDuration.format(cfg.drainTimeout())))
                .append(", \"series\": ")
                .append(cfg.series())
                .append(", \"scrape_interval\": \"1s\", \"agent_jar\": ")
                .append(JsonString.quote(cfg.agentJar().toString()))
                .append(", \"ingest_jvm_opts\": ")
                .append(JsonString.quote(String.join(" ", cfg.ingestJvmOpts())))
                .append(", \"ingest_jar\": ")
                .append(JsonString.quote(cfg.ingestJar().toString()))
                .append(", \"clock_ahead\": ")
                .append(JsonString.quote(GoDuration.format(cfg.clockAhead())))
                .append(", \"disk_cap_robot\": ")
                .append(cfg.diskCapRobot())
                .append(", \"capped_link_robot\": ")
                .append(cfg.cappedLinkRobot())
                .append("},\n")
                .append("  \"started\": ")
                .append(JsonString.quote(Instant.ofEpochMilli(wallStartMs).toString()))
                .append(",\n  \"restore_at_ms\": ")
                .append(restoreMs)
                .append(",\n  \"drained\": ")
                .append(drained)
                .append(",\n  \"drain_ms\": ")
                .append(drainedMs - restoreMs)
                .append(",\n  \"end_to_end_ms\": ")
                .append(System.currentTimeMillis() - wallStartMs)
                .append(",\n  \"delivered_samples\": ")
                .append((long) timeline.delivered())
                .append(",\n  \"robots\": [\n");
        for (int i = 0; i < checks.size(); i++) {
            LossCheck c = checks.get(i);
            sb.append("    {\"robot\": ")
                    .append(JsonString.quote(c.robot()))
                    .append(", \"scrapes\": ")
                    .append(c.answered())
                    .append(", \"stored\": ")
                    .append(c.stored())
                    .append(", \"lost\": ")
                    .append(c.lost().size())
                    .append(", \"in_flight_at_kill\": ")
                    .append(c.inFlightAtKill().size())
                    .append(", \"lost_seqs\": ")
                    .append(c.lost().subList(0, Math.min(100, c.lost().size())))
                    .append(", \"in_flight_seqs\": ")
                    .append(c.inFlightAtKill())
                    .append(", \"scrape_timeouts\": ")
                    .append(c.timedOut().size())
                    .append(", \"disk_full_dropped\": ")
                    .append(c.droppedDiskFull().size())
                    .append(", \"disk_full_samples\": ")
                    .append(c.diskFullSamples())
                    .append(", \"samples_per_scrape\": ")
                    .append(c.samplesPerScrape())
                    .append('}')
                    .append(i + 1 < checks.size() ? ",\n" : "\n");
        }
        sb.append("  ],\n");
        if (clock != null) {
            sb.append(String.format(
                    Locale.ROOT,
                    "  \"clock\": {\"robot\": %s, \"ahead_seconds\": %.0f, \"measured_skew_seconds\": %s, "
                            + "\"stored\": %d, \"misplaced\": %d, \"max_offset_ms\": %d, \"problem\": %s},\n",
                    JsonString.quote(clock.robot()),
                    clock.expectedSeconds(),
                    Double.isNaN(clock.skewSeconds())
                            ? "null"
                            : String.format(Locale.ROOT, "%.3f", clock.skewSeconds()),
                    clock.stored(),
                    clock.misplaced(),
                    clock.maxOffsetMs(),
                    clock.problem() == null ? "null" : JsonString.quote(clock.problem())));
        }
        sb.append("  \"faults\": [\n");
        for (int i = 0; i < ran.size(); i++) {
            FaultDriver.Ran r = ran.get(i);
            Fault f = r.fault();
            sb.append(String.format(
                            Locale.ROOT,
                            "    {\"kind\": %s, \"target\": %s, \"detail\": %s, \"planned_start_ms\": %d, "
                                    + "\"planned_duration_ms\": %d, \"start_ms\": %d, \"end_ms\": %d, \"error\": %s}",
                            JsonString.quote(f.kind().wireName()),
                            JsonString.quote(f.target()),
                            JsonString.quote(f.detail()),
                            f.startMs(),
                            f.durationMs(),
                            r.startedMs(),
                            r.endedMs(),
                            JsonString.quote(r.error())))
                    .append(i + 1 < ran.size() ? ",\n" : "\n");
        }
        sb.append("  ],\n  \"planned_faults\": ").append(plan.size()).append("\n}\n");
        Files.writeString(cfg.out().resolve("report.json"), sb);
    }
}
