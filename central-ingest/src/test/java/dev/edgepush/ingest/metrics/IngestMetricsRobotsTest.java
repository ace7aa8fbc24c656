package dev.edgepush.ingest.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.ingest.completeness.CompletenessLedger;
import dev.edgepush.ingest.completeness.PushSeq;
import dev.edgepush.ingest.fleet.FleetRegistry;
import org.junit.jupiter.api.Test;

/** The per-robot gauges and the WAL cap that deploy/alerts' rules stand on. */
class IngestMetricsRobotsTest {
    @Test
    void rendersEveryRobotsLastPushAndBacklogAgeAndTheWalCap() {
        FleetRegistry fleet = new FleetRegistry();
        fleet.recordPush("r2", "0", 1_700_000_001_500L, "10", "2.5");
        fleet.recordPush("r1", "0", 1_700_000_000_000L, null, null);
        IngestMetrics m = new IngestMetrics();
        m.bindRobots(fleet::statuses);
        m.walMaxDiskBytes(2048);
        String text = m.render();
        assertTrue(
                text.contains(
                        "# TYPE central_ingest_robot_last_push_timestamp_seconds gauge\n"
                                + "central_ingest_robot_last_push_timestamp_seconds{robot=\"r1\",tenant=\"0\"} 1.7E9\n"
                                + "central_ingest_robot_last_push_timestamp_seconds{robot=\"r2\",tenant=\"0\"} 1.7000000015E9\n"),
                text);
        assertTrue(
                text.contains("central_ingest_robot_oldest_pending_age_seconds{robot=\"r1\",tenant=\"0\"} -1.0\n"
                        + "central_ingest_robot_oldest_pending_age_seconds{robot=\"r2\",tenant=\"0\"} 2.5\n"),
                text);
        assertTrue(text.contains("\ncentral_ingest_wal_max_disk_bytes 2048\n"), text);
    }

    @Test
    void rendersEachAccountedRobotsMissingExcerptsAndSamplesByReason() {
        CompletenessLedger ledger = CompletenessLedger.inMemory();
        ledger.record(
                "0",
                "r1",
                true,
                new PushSeq(
                        "00000000000000aa",
                        new long[] {0, 4, 8, 9},
                        70,
                        1_700_000_000_000L,
                        12,
                        "disk_full=60,corrupt=0",
                        30),
                1);
        ledger.record(
                "0",
                "r1",
                false,
                new PushSeq("00000000000000aa", new long[] {10, 10}, 9, 1_700_000_001_000L, 12, null, 30),
                2);
        IngestMetrics m = new IngestMetrics();
        m.bindCompleteness(ledger::all);
        String text = m.render();
        assertTrue(
                text.contains("central_ingest_robot_missing_excerpts{robot=\"r1\",tenant=\"0\",reason=\"dropped\"} 3\n"
                        + "central_ingest_robot_missing_excerpts{robot=\"r1\",tenant=\"0\",reason=\"refused\"} 1\n"
                        + "central_ingest_robot_missing_excerpts{robot=\"r1\",tenant=\"0\",reason=\"pending\"} 1\n"
                        + "central_ingest_robot_missing_excerpts{robot=\"r1\",tenant=\"0\",reason=\"lost\"} 0\n"),
                text);
        assertTrue(
                text.contains("central_ingest_robot_missing_samples{robot=\"r1\",tenant=\"0\",reason=\"refused\"} 9\n"
                        + "central_ingest_robot_missing_samples{robot=\"r1\",tenant=\"0\",reason=\"pending\"} 30\n"
                        + "central_ingest_robot_missing_samples{robot=\"r1\",tenant=\"0\",reason=\"disk_full\"} 60\n"
                        + "central_ingest_robot_missing_samples{robot=\"r1\",tenant=\"0\",reason=\"corrupt\"} 0\n"),
                text);
        assertTrue(text.contains("central_ingest_robot_received_excerpts{robot=\"r1\",tenant=\"0\"} 7\n"), text);
        assertTrue(
                text.contains(
                        "central_ingest_robot_complete_until_timestamp_seconds{robot=\"r1\",tenant=\"0\"} 1.7E9\n"),
                text);
    }

    @Test
    void noRobotsYetRendersTheFamiliesEmpty() {
        String text = new IngestMetrics().render();
        assertTrue(text.contains("# TYPE central_ingest_robot_last_push_timestamp_seconds gauge\n# HELP"), text);
        assertTrue(text.contains("\ncentral_ingest_wal_max_disk_bytes 0\n"), text);
    }
}
