package dev.edgepush.testbed.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CompletenessCheckTest {
    static String metrics(String robot, long dropped, long pending, long lost) {
        return "# TYPE central_ingest_robot_missing_excerpts gauge\n"
                + "central_ingest_robot_missing_excerpts{robot=\"" + robot + "\",tenant=\"0\",reason=\"dropped\"} "
                + dropped + "\n"
                + "central_ingest_robot_missing_excerpts{robot=\"" + robot + "\",tenant=\"0\",reason=\"refused\"} 0\n"
                + "central_ingest_robot_missing_excerpts{robot=\"" + robot + "\",tenant=\"0\",reason=\"pending\"} "
                + pending + "\n"
                + "central_ingest_robot_missing_excerpts{robot=\"" + robot + "\",tenant=\"0\",reason=\"lost\"} " + lost
                + "\n";
    }

    static LossCheck loss(String robot, int lost) {
        List<Long> seqs = lost == 0 ? List.of() : List.of(7L);
        return new LossCheck(robot, 10, 10 - lost, seqs, List.of());
    }

    @Test
    void agreesWhenNothingIsLostAndOnlyPendingExcerptsAreMissing() {
        List<CompletenessCheck> c = CompletenessCheck.of(List.of(loss("r1", 0)), metrics("r1", 0, 3, 0), false);
        assertNull(c.get(0).mismatch());
        assertEquals(
                Map.of("dropped", 0L, "refused", 0L, "pending", 3L, "lost", 0L),
                c.get(0).missing());
    }

    @Test
    void aGapCentralIngestSeesWithNothingLostIsAMismatchAndSoIsALossItDoesNotSee() {
        assertTrue(CompletenessCheck.of(List.of(loss("r1", 0)), metrics("r1", 2, 0, 0), false)
                .get(0)
                .mismatch()
                .contains("every answered scrape is stored"));
        assertTrue(CompletenessCheck.of(List.of(loss("r1", 1)), metrics("r1", 0, 0, 0), false)
                .get(0)
                .mismatch()
                .contains("reports none missing"));
        assertNull(CompletenessCheck.of(List.of(loss("r1", 1)), metrics("r1", 0, 0, 4), false)
                .get(0)
                .mismatch());
        assertNull(
                CompletenessCheck.of(List.of(loss("r1", 1)), metrics("r1", 0, 0, 0), true)
                        .get(0)
                        .mismatch(),
                "with -breakAgent a wipe can hide what was buffered after the last push");
    }

    @Test
    void aRobotCentralIngestDoesNotAccountIsAMismatch() {
        assertTrue(CompletenessCheck.of(List.of(loss("r2", 0)), metrics("r1", 0, 0, 0), false)
                .get(0)
                .mismatch()
                .contains("no completeness accounting"));
    }

    static String diskFull(String robot, long samples) {
        return "central_ingest_robot_missing_samples{robot=\"" + robot + "\",tenant=\"0\",reason=\"disk_full\"} "
                + samples + "\n";
    }

    static LossCheck capped(int droppedScrapes, long diskFullSamples, int perScrape) {
        List<Long> seqs = new java.util.ArrayList<>();
        for (long s = 1; s <= droppedScrapes; s++) {
            seqs.add(s);
        }
        return new LossCheck(
                "r5", 100, 100 - droppedScrapes, List.of(), List.of(), List.of(), seqs, diskFullSamples, perScrape);
    }

    @Test
    void theDiskCapsDropsMustBeExactlyTheExcerptsCentralIngestMissesAndTheAgentsCount() {
        assertNull(
                CompletenessCheck.of(List.of(capped(3, 150, 50)), metrics("r5", 3, 1, 0) + diskFull("r5", 150), false)
                        .get(0)
                        .mismatch());
        assertTrue(
                CompletenessCheck.of(List.of(capped(3, 150, 50)), metrics("r5", 4, 1, 0) + diskFull("r5", 150), false)
                        .get(0)
                        .mismatch()
                        .contains("except the 3 its agent dropped for the disk cap"));
        assertTrue(
                CompletenessCheck.of(List.of(capped(3, 175, 50)), metrics("r5", 3, 1, 0) + diskFull("r5", 175), false)
                        .get(0)
                        .mismatch()
                        .contains("dropped 175 samples for the disk cap"));
        assertTrue(
                CompletenessCheck.of(List.of(capped(3, 150, 50)), metrics("r5", 3, 1, 0) + diskFull("r5", 100), false)
                        .get(0)
                        .mismatch()
                        .contains("central-ingest shows 100 disk_full samples"));
        assertTrue(
                CompletenessCheck.of(List.of(loss("r1", 0)), metrics("r1", 0, 0, 0) + diskFull("r1", 50), false)
                        .get(0)
                        .mismatch()
                        .contains("central-ingest shows 50 disk_full samples"),
                "central-ingest relays the agent's count: a count the agent does not have is a mismatch");
    }
}
