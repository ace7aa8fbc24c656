package dev.edgepush.testbed.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.testbed.soak.Fault.Kind;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FaultScheduleTest {
    @Test
    void everyKindAndEverySensorModeAtLeastOnceEvenInShortRuns() {
        for (int robots = 1; robots <= 6; robots++) {
            for (long seed = 0; seed < 30; seed++) {
                for (long ms : new long[] {30_000, 60_000, 180_000, 3_600_000}) {
                    List<Fault> plan = FaultSchedule.plan(seed, robots, ms);
                    Set<Kind> kinds = EnumSet.noneOf(Kind.class);
                    Set<String> modes = new HashSet<>();
                    boolean killDuringOutage = false;
                    for (Fault f : plan) {
                        kinds.add(f.kind());
                        if (f.kind() == Kind.SENSOR) {
                            modes.add(f.detail());
                        }
                        killDuringOutage |= f.kind() == Kind.OUTAGE && f.killsAgent();
                    }
                    String what = "seed " + seed + ", " + robots + " robots, " + ms + " ms";
                    assertEquals(EnumSet.allOf(Kind.class), kinds, what);
                    assertEquals(Set.copyOf(FaultSchedule.SENSOR_MODES), modes, what);
                    assertTrue(killDuringOutage, what);
                }
            }
        }
    }

    @Test
    void faultsStayInTheWindowAndNeverOverlapWithinALane() {
        for (long seed = 0; seed < 50; seed++) {
            long ms = 180_000;
            List<Fault> plan = FaultSchedule.plan(seed, 4, ms);
            for (Fault f : plan) {
                assertTrue(f.startMs() >= FaultSchedule.windowStartMs(ms), f.describe());
                assertTrue(f.endMs() <= FaultSchedule.windowEndMs(ms) + 1, f.describe());
                assertTrue(f.durationMs() >= 1000, f.describe());
                assertEquals(f.kind().perRobot, f.robot() > 0, f.describe());
                for (Fault g : plan) {
                    if (f != g && f.robot() == g.robot()) {
                        assertTrue(
                                f.endMs() <= g.startMs() || g.endMs() <= f.startMs(),
                                f.describe() + " / " + g.describe());
                    }
                }
            }
        }
    }

    @Test
    void theSameSeedGivesTheSamePlanAndAnotherSeedAnother() {
        assertEquals(FaultSchedule.plan(42, 4, 3_600_000), FaultSchedule.plan(42, 4, 3_600_000));
        assertTrue(!FaultSchedule.plan(42, 4, 180_000).equals(FaultSchedule.plan(43, 4, 180_000)));
    }

    @Test
    void anHourLongSoakKeepsInjectingUntilTheEnd() {
        List<Fault> plan = FaultSchedule.plan(5, 4, 3_600_000);
        assertTrue(plan.size() > 100, "faults: " + plan.size());
        long last = plan.stream().mapToLong(Fault::startMs).max().orElseThrow();
        assertTrue(last > 3_000_000, "last fault starts at " + last);
    }
}
