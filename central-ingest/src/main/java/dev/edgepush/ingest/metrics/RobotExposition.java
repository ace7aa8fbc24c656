package dev.edgepush.ingest.metrics;

import static dev.edgepush.ingest.metrics.IngestMetrics.header;

import dev.edgepush.ingest.completeness.CompletenessLedger;
import dev.edgepush.ingest.fleet.FleetRegistry.OutOfRange;
import dev.edgepush.ingest.fleet.FleetRegistry.RobotStatus;
import java.util.Comparator;
import java.util.List;

/**
 * The per-robot part of {@link IngestMetrics}' exposition, labeled {@code robot} and {@code
 * tenant}: last push, backlog age and clock skew, samples out of the storage's range, and the
 * completeness of what each robot buffered.
 */
final class RobotExposition {
    private RobotExposition() {}

    static void render(
            StringBuilder sb,
            List<RobotStatus> robots,
            List<OutOfRange> outOfRange,
            List<CompletenessLedger.Summary> completeness) {
        List<RobotStatus> fleet = robots.stream()
                .sorted(Comparator.comparing((RobotStatus r) -> String.valueOf(r.tenant()))
                        .thenComparing(RobotStatus::robot))
                .toList();
        header(
                sb,
                "central_ingest_robot_last_push_timestamp_seconds",
                "When each robot last pushed, by this server's clock (robots pushed since start).",
                "gauge");
        for (RobotStatus r : fleet) {
            line(
                    sb,
                    "central_ingest_robot_last_push_timestamp_seconds",
                    r.robot(),
                    r.tenant(),
                    null,
                    r.lastPushMs() / 1000.0);
        }
        header(
                sb,
                "central_ingest_robot_oldest_pending_age_seconds",
                "Age of the robot's oldest unsent scrape as its last push told (-1: not told).",
                "gauge");
        for (RobotStatus r : fleet) {
            line(
                    sb,
                    "central_ingest_robot_oldest_pending_age_seconds",
                    r.robot(),
                    r.tenant(),
                    null,
                    r.oldestPendingAgeSeconds());
        }
        header(
                sb,
                "central_ingest_robot_clock_skew_seconds",
                "The robot's clock minus this server's, from its last push"
                        + " (X-Edgepush-Agent-Time-Ms; low by the push's transit time): positive when the robot is ahead.",
                "gauge");
        for (RobotStatus r : fleet) {
            if (r.hasClockSkew()) {
                line(
                        sb,
                        "central_ingest_robot_clock_skew_seconds",
                        r.robot(),
                        r.tenant(),
                        null,
                        r.clockSkewMs() / 1000.0);
            }
        }
        List<OutOfRange> refused = outOfRange.stream()
                .sorted(Comparator.comparing((OutOfRange r) -> String.valueOf(r.tenant()))
                        .thenComparing(OutOfRange::robot))
                .toList();
        if (!refused.isEmpty()) {
            header(
                    sb,
                    "central_ingest_robot_samples_out_of_range_total",
                    "central_ingest_samples_out_of_range_total of" + " each robot that has any.",
                    "counter");
            for (OutOfRange r : refused) {
                for (String reason : new String[] {"too_new", "too_old"}) {
                    line(
                            sb,
                            "central_ingest_robot_samples_out_of_range_total",
                            r.robot(),
                            r.tenant(),
                            reason,
                            reason.equals("too_new") ? r.tooNew() : r.tooOld());
                }
            }
        }
        completeness(sb, completeness);
    }

    /** The per-robot completeness gauges (robots whose pushes carry edge-agent's sequence headers). */
    private static void completeness(StringBuilder sb, List<CompletenessLedger.Summary> robots) {
        if (robots.isEmpty()) {
            return;
        }
        header(
                sb,
                "central_ingest_robot_missing_excerpts",
                "Buffered excerpts of the robot (its last "
                        + CompletenessLedger.MAX_EPOCHS
                        + " buffer epochs) not received, by reason: dropped (at the robot: its disk"
                        + " cap or damage), refused (by this server, never retried), pending (still on the robot or in flight),"
                        + " lost (unsent when the robot's buffer started a new epoch).",
                "gauge");
        for (CompletenessLedger.Summary s : robots) {
            s.missingExcerpts()
                    .forEach((reason, n) ->
                            line(sb, "central_ingest_robot_missing_excerpts", s.robot(), s.tenant(), reason, n));
        }
        header(
                sb,
                "central_ingest_robot_missing_samples",
                "Samples of the robot not received, by reason: refused (by"
                        + " this server), pending (on the robot, as its last push said), and what its agent dropped since it started:"
                        + " disk_full, corrupt, too_large, rejected.",
                "gauge");
        for (CompletenessLedger.Summary s : robots) {
            line(sb, "central_ingest_robot_missing_samples", s.robot(), s.tenant(), "refused", s.refusedSamples());
            if (s.pendingSamples() >= 0) {
                line(sb, "central_ingest_robot_missing_samples", s.robot(), s.tenant(), "pending", s.pendingSamples());
            }
            s.robotDroppedSamples()
                    .forEach((reason, n) ->
                            line(sb, "central_ingest_robot_missing_samples", s.robot(), s.tenant(), reason, n));
        }
        header(
                sb,
                "central_ingest_robot_received_excerpts",
                "Buffered excerpts of the robot received (each once, its last" + " buffer epochs).",
                "gauge");
        for (CompletenessLedger.Summary s : robots) {
            line(sb, "central_ingest_robot_received_excerpts", s.robot(), s.tenant(), null, s.receivedExcerpts());
        }
        header(
                sb,
                "central_ingest_robot_duplicate_excerpts",
                "Excerpts of the robot received again (retries, re-sends"
                        + " after a restart): recognised, not counted as received.",
                "gauge");
        for (CompletenessLedger.Summary s : robots) {
            line(sb, "central_ingest_robot_duplicate_excerpts", s.robot(), s.tenant(), null, s.duplicateExcerpts());
        }
        header(
                sb,
                "central_ingest_robot_complete_until_timestamp_seconds",
                "Scrape time (robot clock) up to which"
                        + " everything of the robot's current buffer epoch was received, Unix seconds; 0 when its first excerpt is"
                        + " missing.",
                "gauge");
        for (CompletenessLedger.Summary s : robots) {
            line(
                    sb,
                    "central_ingest_robot_complete_until_timestamp_seconds",
                    s.robot(),
                    s.tenant(),
                    null,
                    s.completeUpToMs() / 1000.0);
        }
    }

    /** One sample: {@code name{robot="…",tenant="…"[,reason="…"]} v}. */
    private static void line(StringBuilder sb, String name, String robot, String tenant, String reason, Object v) {
        sb.append(name)
                .append("{robot=\"")
                .append(escape(robot))
                .append("\",tenant=\"")
                .append(escape(tenant == null ? "" : tenant));
        if (reason != null) {
            sb.append("\",reason=\"").append(reason);
        }
        sb.append("\"} ").append(v).append('\n');
    }

    private static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
