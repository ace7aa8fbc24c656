package dev.edgepush.ingest.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class BacklogHistoryTest {
    @Test
    void eachSecondKeepsItsLargestReportSoAPeakDrainedWithinASecondStillShows() {
        BacklogHistory h = new BacklogHistory();
        h.add(10_000, 4_000);
        h.add(10_500, 3_000); // the same second: the 4,000 stays
        h.add(11_200, 2_000);
        h.add(11_900, 2_500);
        assertEquals(
                List.of(new BacklogHistory.Point(10, 4_000), new BacklogHistory.Point(11, 2_500)), h.points(11_999));
        h.add(10_000 + 120_000, 7); // two minutes on, the ring slot of second 10 is a new second
        assertEquals(List.of(new BacklogHistory.Point(130, 7)), h.points(131_000), "second 11 has left the window");
    }
}
