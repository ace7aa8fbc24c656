package dev.edgepush.ingest.completeness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.forward.send.CompletenessHeaders;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-robot interval accounting: duplicates, order, gaps, refusals, epochs, and its files. */
class CompletenessLedgerTest {
    static final String E1 = "00000000000000e1";
    static final String E2 = "00000000000000e2";

    @TempDir
    Path dir;

    static PushSeq push(String epoch, String ranges, long samples, long timeMs, long next) {
        return new PushSeq(
                epoch,
                CompletenessHeaders.parseRanges(ranges),
                samples,
                timeMs,
                next,
                "disk_full=0,corrupt=0,too_large=0,rejected=0",
                0);
    }

    static Map<String, Long> missing(long dropped, long refused, long pending, long lost) {
        return Map.of("dropped", dropped, "refused", refused, "pending", pending, "lost", lost);
    }

    @Test
    void inOrderPushesAreCompleteAndARetryIsADuplicate() {
        CompletenessLedger l = CompletenessLedger.inMemory();
        l.record("t", "r1", true, push(E1, "0-9", 100, 1_000, 10), 1);
        l.record("t", "r1", true, push(E1, "10-19", 100, 2_000, 25), 2);
        l.record("t", "r1", true, push(E1, "10-19", 100, 2_000, 25), 3); // a retry whose answer was lost
        CompletenessLedger.Summary s = l.get("t", "r1");
        assertEquals(20, s.receivedExcerpts());
        assertEquals(200, s.receivedSamples());
        assertEquals(10, s.duplicateExcerpts());
        assertEquals(100, s.duplicateSamples());
        assertEquals(19, s.completeThroughSeq());
        assertEquals(2_000, s.completeUpToMs());
        assertEquals(missing(0, 0, 5, 0), s.missingExcerpts(), "20..24 were numbered and not sent yet");
        assertEquals(List.of(new MissingRange(20, 24, "pending")), s.missingRanges());
    }

    @Test
    void aGapBelowWhatArrivedWasDroppedAtTheRobotAndAPartlyNewPushCountsOnlyItsNewPart() {
        CompletenessLedger l = CompletenessLedger.inMemory();
        l.record("t", "r1", true, push(E1, "0-4", 50, 1_000, 5), 1);
        l.record("t", "r1", true, push(E1, "12-15", 40, 3_000, 16), 2); // 5..11 deleted by the disk cap
        l.record("t", "r1", true, push(E1, "14-17", 40, 4_000, 18), 3); // read again after a trim: 14, 15 again
        CompletenessLedger.Summary s = l.get("t", "r1");
        assertEquals(11, s.receivedExcerpts());
        assertEquals(2, s.duplicateExcerpts());
        assertEquals(50 + 40 + 20, s.receivedSamples());
        assertEquals(20, s.duplicateSamples());
        assertEquals(missing(7, 0, 0, 0), s.missingExcerpts());
        assertEquals(List.of(new MissingRange(5, 11, "dropped")), s.missingRanges());
        assertEquals(4, s.completeThroughSeq());
        assertEquals(1_000, s.completeUpToMs());
    }

    @Test
    void outOfOrderPushesFillTheirGapsAndARefusalIsMissingUntilItArrives() {
        CompletenessLedger l = CompletenessLedger.inMemory();
        l.record("t", "r1", true, push(E1, "5-9", 5, 2_000, 10), 1);
        assertEquals(-1, l.get("t", "r1").completeThroughSeq(), "0..4 not here yet");
        l.record("t", "r1", false, push(E1, "10-11", 2, 2_500, 12), 2);
        l.record("t", "r1", true, push(E1, "0-4", 5, 1_000, 12), 3);
        CompletenessLedger.Summary s = l.get("t", "r1");
        assertEquals(9, s.completeThroughSeq());
        assertEquals(2_000, s.completeUpToMs());
        assertEquals(missing(0, 2, 0, 0), s.missingExcerpts());
        assertEquals(2, s.refusedSamples());
        assertEquals(List.of(new MissingRange(10, 11, "refused")), s.missingRanges());
        l.record("t", "r1", true, push(E1, "10-11", 2, 2_500, 12), 4); // e.g. sent again as 1.0 after a 2.0 refusal
        assertEquals(missing(0, 0, 0, 0), l.get("t", "r1").missingExcerpts());
    }

    @Test
    void aNewEpochKeepsTheOldOnesMissingAsLost() {
        CompletenessLedger l = CompletenessLedger.inMemory();
        l.record("t", "r1", true, push(E1, "0-9", 10, 1_000, 15), 1); // 10..14 never sent: the buffer was wiped
        l.record("t", "r1", true, push(E2, "0-2", 3, 5_000, 3), 2);
        CompletenessLedger.Summary s = l.get("t", "r1");
        assertEquals(E2, s.epoch());
        assertEquals(2, s.epochs());
        assertEquals(13, s.receivedExcerpts());
        assertEquals(missing(0, 0, 0, 5), s.missingExcerpts());
        assertEquals(2, s.completeThroughSeq());
        assertEquals(5_000, s.completeUpToMs());
    }

    @Test
    void onlyTheMostRecentlySeenEpochsAreKept() {
        CompletenessLedger l = CompletenessLedger.inMemory();
        for (int i = 1; i <= CompletenessLedger.MAX_EPOCHS + 2; i++) {
            l.record("t", "r1", true, push(String.format("%016x", i), "0-1", 2, i, 3), i); // each leaves 1 unsent
        }
        CompletenessLedger.Summary s = l.get("t", "r1");
        assertEquals(String.format("%016x", CompletenessLedger.MAX_EPOCHS + 2), s.epoch());
        assertEquals(CompletenessLedger.MAX_EPOCHS, s.epochs());
        assertEquals(missing(0, 0, 1, CompletenessLedger.MAX_EPOCHS - 1), s.missingExcerpts());
    }

    @Test
    void robotsAndTenantsAreKeptApartAndUnaccountedPushesAreIgnored() {
        CompletenessLedger l = CompletenessLedger.inMemory();
        l.record("a", "r1", true, push(E1, "0-1", 2, 1, 2), 1);
        l.record("b", "r1", true, push(E1, "5-5", 1, 1, 6), 1);
        l.record("a", "r2", true, null, 1);
        assertEquals(2, l.get("a", "r1").receivedExcerpts());
        assertEquals(missing(5, 0, 0, 0), l.get("b", "r1").missingExcerpts());
        assertNull(l.get("a", "r2"));
        assertNull(PushSeq.of(h -> null), "vmagent sends none of the headers");
        Map<String, String> headers = new HashMap<>();
        headers.put(CompletenessHeaders.EPOCH, E1);
        assertNull(PushSeq.of(headers::get), "an epoch without ranges is not accounted");
        headers.put(CompletenessHeaders.SEQ, "3-1");
        assertNull(PushSeq.of(headers::get), "nor are malformed ranges");
        headers.put(CompletenessHeaders.SEQ, "1-3");
        headers.put(CompletenessHeaders.SEQ_SAMPLES, "30");
        assertEquals(30, PushSeq.of(headers::get).samples());
    }

    @Test
    void theIntervalCapStillCountsForgottenGapsAndKeepsTheCompletePrefix() throws IOException {
        CompletenessLedger l = CompletenessLedger.open(dir, 4);
        for (int i = 0; i < 10; i++) {
            l.record("t", "r1", true, push(E1, (3 * i) + "-" + (3 * i + 1), 2, i, 3 * i + 2), i); // a gap after each
        }
        CompletenessLedger.Summary s = l.get("t", "r1");
        assertEquals(20, s.receivedExcerpts());
        assertEquals(missing(9, 0, 0, 0), s.missingExcerpts(), "every gap still counted");
        assertEquals(1, s.completeThroughSeq(), "0..1 is all that is complete");
        l.close();
        CompletenessLedger again = CompletenessLedger.open(dir, 4);
        assertEquals(s, again.get("t", "r1"), "the same after a restart");
        again.close();
    }

    @Test
    void theLedgerSurvivesARestartFromTheJournalAloneAndFromSnapshotPlusJournal() throws IOException {
        CompletenessLedger l = CompletenessLedger.open(dir);
        l.record("t", "r1", true, push(E1, "0-9", 100, 1_000, 10), 1);
        l.record("t", "r1", false, push(E1, "10-11", 20, 1_100, 12), 2);
        CompletenessLedger.Summary before = l.get("t", "r1");
        // No close: as after a kill -9, only the journal is there.
        CompletenessLedger fromJournal = CompletenessLedger.open(dir);
        assertEquals(before, fromJournal.get("t", "r1"));
        fromJournal.compact();
        assertTrue(Files.size(dir.resolve(CompletenessLedger.JOURNAL)) == 0, "compaction empties the journal");
        fromJournal.record("t", "r1", true, push(E1, "12-19", 80, 2_000, 20), 3);
        fromJournal.record("t", "r1", true, push(E1, "12-19", 80, 2_000, 20), 4); // duplicate
        CompletenessLedger.Summary after = fromJournal.get("t", "r1");
        CompletenessLedger reopened = CompletenessLedger.open(dir);
        assertEquals(after, reopened.get("t", "r1"));
        assertEquals(8, after.duplicateExcerpts());
        assertEquals(18, after.receivedExcerpts());
        reopened.close();
    }

    @Test
    void aCrashBetweenSnapshotAndJournalTruncationAppliesNothingTwiceAndATornLineIsSkipped() throws IOException {
        CompletenessLedger l = CompletenessLedger.open(dir);
        l.record("t", "r1", true, push(E1, "0-9", 100, 1_000, 10), 1);
        byte[] journal = Files.readAllBytes(dir.resolve(CompletenessLedger.JOURNAL));
        l.compact();
        CompletenessLedger.Summary s = l.get("t", "r1");
        // As if the process died after the snapshot's rename, before the journal was emptied, and
        // while appending a line.
        Files.write(dir.resolve(CompletenessLedger.JOURNAL), journal);
        Files.writeString(
                dir.resolve(CompletenessLedger.JOURNAL),
                "2\tA\tt\tr1\t" + E1 + "\t10-1",
                StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);
        CompletenessLedger reopened = CompletenessLedger.open(dir);
        assertEquals(s, reopened.get("t", "r1"));
        assertEquals(0, reopened.get("t", "r1").duplicateExcerpts());
        reopened.close();
    }

    /** A push of an agent that says its lowest undelivered number ({@code X-Edgepush-Seq-Undelivered-From}). */
    static PushSeq pushFrom(String epoch, String ranges, long samples, long next, long undeliveredFrom) {
        return new PushSeq(
                epoch,
                CompletenessHeaders.parseRanges(ranges),
                samples,
                1_000,
                next,
                "disk_full=0,corrupt=0,too_large=0,rejected=0",
                0,
                undeliveredFrom);
    }

    @Test
    void freshFirstTheBacklogNotYetDeliveredIsPendingNotDroppedAndNothingIsMissingOnceItArrives() {
        CompletenessLedger l = CompletenessLedger.inMemory();
        // After an outage: 0..99 buffered, the live lane sends the newest first; nothing delivered yet.
        l.record("t", "r1", true, pushFrom(E1, "100-104", 50, 105, 0), 1);
        CompletenessLedger.Summary s = l.get("t", "r1");
        assertEquals(missing(0, 0, 100, 0), s.missingExcerpts(), "the backlog is still on the robot");
        assertEquals(List.of(new MissingRange(0, 99, "pending")), s.missingRanges());
        // The backfill lane drains oldest first, the live lane goes on meanwhile.
        l.record("t", "r1", true, pushFrom(E1, "0-49", 500, 107, 0), 2);
        l.record("t", "r1", true, pushFrom(E1, "105-106", 20, 107, 50), 3);
        s = l.get("t", "r1");
        assertEquals(missing(0, 0, 50, 0), s.missingExcerpts());
        assertEquals(List.of(new MissingRange(50, 99, "pending")), s.missingRanges());
        l.record("t", "r1", true, pushFrom(E1, "50-99", 500, 107, 50), 4);
        s = l.get("t", "r1");
        assertEquals(missing(0, 0, 0, 0), s.missingExcerpts(), "after the drain nothing is missing");
        assertEquals(List.of(), s.missingRanges());
        assertEquals(106, s.completeThroughSeq());
        // An older push arriving late (a lower number) does not move the boundary back.
        l.record("t", "r1", true, pushFrom(E1, "105-106", 20, 107, 0), 5);
        assertEquals(missing(0, 0, 0, 0), l.get("t", "r1").missingExcerpts());
    }

    @Test
    void aDiskCapTrimWhileSplitMakesExactlyTheTrimmedExcerptsDropped() throws IOException {
        CompletenessLedger l = CompletenessLedger.open(dir);
        l.record("t", "r1", true, pushFrom(E1, "100-104", 50, 105, 0), 1); // live lane first
        l.record("t", "r1", true, pushFrom(E1, "0-19", 200, 105, 0), 2); // backfill
        // The disk cap deletes the file holding 20..59 (the agent counts them as disk_full): the
        // robot's lowest undelivered number moves past them.
        l.record("t", "r1", true, pushFrom(E1, "60-79", 200, 110, 60), 3);
        CompletenessLedger.Summary s = l.get("t", "r1");
        assertEquals(missing(40, 0, 25, 0), s.missingExcerpts(), "20..59 dropped; 80..99 and 105..109 pending");
        assertEquals(
                List.of(
                        new MissingRange(20, 59, "dropped"),
                        new MissingRange(80, 99, "pending"),
                        new MissingRange(105, 109, "pending")),
                s.missingRanges());
        // The number is kept durably: from the journal (as after a kill -9) and from the snapshot.
        CompletenessLedger fromJournal = CompletenessLedger.open(dir);
        assertEquals(s, fromJournal.get("t", "r1"));
        fromJournal.compact();
        CompletenessLedger fromSnapshot = CompletenessLedger.open(dir);
        assertEquals(s, fromSnapshot.get("t", "r1"));
        fromSnapshot.record("t", "r1", true, pushFrom(E1, "80-99", 200, 110, 80), 4);
        fromSnapshot.record("t", "r1", true, pushFrom(E1, "105-109", 50, 110, 105), 5);
        assertEquals(missing(40, 0, 0, 0), fromSnapshot.get("t", "r1").missingExcerpts(), "exactly the trimmed");
        fromSnapshot.close();
        l.close();
    }

    @Test
    void withoutTheHeaderAGapBelowTheHighestIsDroppedAsBeforeAndAnOldLedgerFileStillReads() throws IOException {
        CompletenessLedger l = CompletenessLedger.inMemory();
        l.record("t", "r1", true, push(E1, "100-104", 50, 1_000, 105), 1); // an agent before the header
        assertEquals(missing(100, 0, 0, 0), l.get("t", "r1").missingExcerpts());
        // A snapshot and a journal line as written before the number existed.
        Files.writeString(
                dir.resolve(CompletenessLedger.SNAPSHOT),
                "edgepush-completeness 1 1\n"
                        + "R\tt\tr1\t" + E1 + "\tdisk_full=0\t0\n"
                        + "E\t" + E1 + "\t1\t1\t105\t50\t0\t0\t0\t0\t0\n"
                        + "I\t100\t104\t1000\n"
                        + "end\n");
        Files.writeString(
                dir.resolve(CompletenessLedger.JOURNAL),
                "2\tA\tt\tr1\t" + E1 + "\t0-9\t100\t1000\t105\tdisk_full=0\t0\t2\n");
        CompletenessLedger old = CompletenessLedger.open(dir);
        assertEquals(missing(90, 0, 0, 0), old.get("t", "r1").missingExcerpts(), "10..99 below the highest");
        old.record("t", "r1", true, pushFrom(E1, "10-19", 100, 105, 20), 3); // the agent was upgraded
        assertEquals(missing(0, 0, 80, 0), old.get("t", "r1").missingExcerpts());
        old.close();
    }
}
