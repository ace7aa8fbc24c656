package dev.edgepush.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ScrapeLedgerTest {
    @Test
    void aScrapeTheAgentTimedOutIsAccountedForHoweverLateTheTargetSawIt() {
        // Seq 2's request reached a busy target 900 ms after the agent started (and gave up on) it.
        ScrapeLedger ledger =
                new ScrapeLedger(List.of(1L, 2L, 3L), Map.of(1L, 1_000L, 3L, 2_000L), List.of(1_100L), List.of());
        assertEquals(Set.of(), ledger.lost);
        assertEquals(Set.of(2L), ledger.failedByAgent);
    }

    @Test
    void aMissingScrapeWithNoUpZeroOrKillInItsWindowIsLost() {
        ScrapeLedger ledger = new ScrapeLedger(
                List.of(1L, 2L, 3L, 4L, 5L), Map.of(1L, 1_000L, 3L, 2_000L, 5L, 3_000L), List.of(2_500L), List.of());
        // The up 0 at 2,500 ms belongs between seq 3 and 5: it excuses seq 4, never seq 2.
        assertEquals(Set.of(2L), ledger.lost);
        assertEquals(Set.of(4L), ledger.failedByAgent);
    }

    @Test
    void aKillExcusesOneScrapeInItsWindowOnly() {
        ScrapeLedger ledger =
                new ScrapeLedger(List.of(1L, 2L, 3L, 4L), Map.of(1L, 1_000L, 4L, 2_000L), List.of(), List.of(1_500L));
        assertEquals(Set.of(2L), ledger.inFlightAtKill);
        assertEquals(Set.of(3L), ledger.lost);
    }

    @Test
    void scrapesAnsweredAfterTheLastDeliveredOneNeedExcusesToo() {
        ScrapeLedger ledger = new ScrapeLedger(List.of(1L, 2L, 3L), Map.of(1L, 1_000L), List.of(1_200L), List.of());
        assertEquals(Set.of(2L), ledger.failedByAgent);
        assertEquals(Set.of(3L), ledger.lost);
    }
}
