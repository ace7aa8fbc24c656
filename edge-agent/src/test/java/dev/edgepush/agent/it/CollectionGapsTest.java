package dev.edgepush.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class CollectionGapsTest {
    /** Another target scraped every 200 ms from 0 to 10 s, without a pause. */
    private static final List<Long> REGULAR = java.util.stream.LongStream.rangeClosed(0, 50)
            .map(i -> i * 200)
            .boxed()
            .toList();

    @Test
    void aRegularSeriesHasNoGaps() {
        CollectionGaps g =
                new CollectionGaps(500, List.of(1_000L, 1_500L, 2_000L, 3_000L), List.of(), List.of(), REGULAR, 3_000L);
        assertEquals(List.of(), g.unexplained);
        assertEquals(List.of(), g.byStall);
    }

    @Test
    void aGapWhileOtherTargetsWereScrapedOnTimeIsLost() {
        CollectionGaps g = new CollectionGaps(500, List.of(1_000L, 4_000L), List.of(), List.of(), REGULAR, 4_000L);
        assertEquals(1, g.unexplained.size(), g.toString());
    }

    @Test
    void aKillInTheGapExplainsIt() {
        CollectionGaps g =
                new CollectionGaps(500, List.of(1_000L, 4_000L), List.of(), List.of(2_000L), REGULAR, 4_000L);
        assertEquals(List.of(), g.unexplained);
        assertEquals(1, g.byKill.size());
    }

    @Test
    void failedCollectionsCountForTheirOwnSlotOnly() {
        // up 0 at 2,000 ms: 1,000..2,000 is fine, 2,000..5,000 still a lost stretch.
        CollectionGaps g =
                new CollectionGaps(500, List.of(1_000L, 5_000L), List.of(2_000L), List.of(), REGULAR, 5_000L);
        assertEquals(1, g.unexplained.size(), g.toString());
        assertEquals(true, g.unexplained.get(0).startsWith("2000..5000"), g.toString());
        g = new CollectionGaps(500, List.of(1_000L, 3_000L), List.of(2_000L), List.of(), REGULAR, 3_000L);
        assertEquals(List.of(), g.unexplained);
    }

    @Test
    void anAgentWideStallExplainsAGapOnlyAsLongAsTheStall() {
        // The other target got nothing from 1,200 to 3,000 ms: the agent's schedule stood still.
        List<Long> stalled =
                REGULAR.stream().filter(t -> t <= 1_200 || t >= 3_000).toList();
        CollectionGaps g = new CollectionGaps(500, List.of(1_000L, 3_200L), List.of(), List.of(), stalled, 3_200L);
        assertEquals(List.of(), g.unexplained);
        assertEquals(1, g.byStall.size());
        // A 1.8 s stall cannot explain 4 s without collections.
        g = new CollectionGaps(500, List.of(1_000L, 5_000L), List.of(), List.of(), stalled, 5_000L);
        assertEquals(1, g.unexplained.size(), g.toString());
    }

    @Test
    void theStretchToTheEndIsAGapToo() {
        CollectionGaps g = new CollectionGaps(500, List.of(1_000L, 1_500L), List.of(), List.of(), REGULAR, 4_000L);
        assertEquals(1, g.unexplained.size(), g.toString());
    }

    @Test
    void nothingKnownAboutTheOtherTargetExplainsNothing() {
        CollectionGaps g = new CollectionGaps(500, List.of(1_000L, 4_000L), List.of(), List.of(), List.of(), 4_000L);
        assertEquals(1, g.unexplained.size(), g.toString());
    }
}
