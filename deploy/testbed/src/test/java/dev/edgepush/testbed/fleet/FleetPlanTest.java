package dev.edgepush.testbed.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The seeded schedule and offline planner: deterministic, within the run, bounded. */
class FleetPlanTest {
    @Test
    void sameSeedSamePlanOtherSeedOtherPlan() {
        FleetPlan a = FleetPlan.plan(500, 120_000, 10_000, 0.2, 1000, 7);
        FleetPlan b = FleetPlan.plan(500, 120_000, 10_000, 0.2, 1000, 7);
        FleetPlan c = FleetPlan.plan(500, 120_000, 10_000, 0.2, 1000, 8);
        assertEquals(a.robots, b.robots);
        assertNotEquals(a.robots, c.robots);
    }

    @Test
    void offsetsAreStableWithinTheIntervalAndTicksFitTheRun() {
        FleetPlan p = FleetPlan.plan(2000, 120_000, 10_000, 0.2, 1000, 1);
        Set<Long> offsets = new HashSet<>();
        for (FleetPlan.RobotPlan r : p.robots) {
            assertTrue(r.offsetMs() >= 0 && r.offsetMs() < 10_000, "offset " + r.offsetMs());
            offsets.add(r.offsetMs());
            // Batch k is due at offset + k * interval: the last one within the run, the next one past it.
            assertTrue(r.offsetMs() + (r.ticks() - 1) * 10_000L < 120_000);
            assertTrue(r.offsetMs() + r.ticks() * 10_000L >= 120_000);
            assertEquals(12, r.ticks());
        }
        assertTrue(offsets.size() > 1500, "offsets spread: " + offsets.size());
        assertEquals(2000 * 12L, p.totalTicks());
    }

    @Test
    void exactlyTheFractionGoesOfflineInBoundedNonOverlappingSpansThatEndBeforeTheLastBatch() {
        for (long seed = 0; seed < 20; seed++) {
            FleetPlan p = FleetPlan.plan(1000, 300_000, 5_000, 0.25, 8, seed);
            int offlineRobots = 0;
            for (FleetPlan.RobotPlan r : p.robots) {
                if (r.offline().isEmpty()) {
                    continue;
                }
                offlineRobots++;
                assertTrue(r.offline().size() <= 2);
                int prevEnd = -1;
                for (FleetPlan.Span s : r.offline()) {
                    assertTrue(s.length() >= 1 && s.length() <= 8, "bounded span " + s);
                    assertTrue(s.fromTick() > prevEnd, "spans apart and in order " + r.offline());
                    assertTrue(s.toTick() <= r.ticks() - 1, "last batch online " + s + " of " + r.ticks());
                    prevEnd = s.toTick();
                }
                assertFalse(r.offlineAt(r.ticks() - 1));
                assertTrue(r.offlineAt(r.offline().get(0).fromTick()));
            }
            assertEquals(250, offlineRobots);
            assertEquals(
                    p.offlinePeriods(),
                    p.robots.stream().mapToInt(r -> r.offline().size()).sum());
        }
    }

    @Test
    void noOfflineAndTinyRuns() {
        assertEquals(0, FleetPlan.plan(100, 60_000, 10_000, 0, 10, 1).offlinePeriods());
        // One batch per robot: nowhere to be offline.
        assertEquals(0, FleetPlan.plan(100, 1_000, 10_000, 1, 10, 1).offlinePeriods());
        assertEquals(1, FleetPlan.ticks(1_000, 10_000, 999));
        assertEquals(0, FleetPlan.ticks(1_000, 10_000, 1_000));
        assertThrows(IllegalArgumentException.class, () -> FleetPlan.plan(10, 60_000, 10_000, 1.5, 10, 1));
    }
}
