package dev.edgepush.testbed.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.testbed.soak.Fault.Kind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScriptedFaultsTest {
    static SoakConfig config(boolean diskCap, boolean cappedLink) {
        return new SoakConfig(
                Duration.ofMinutes(3),
                4,
                1,
                Path.of("out"),
                false,
                Duration.ofMinutes(3),
                0,
                Path.of("a.jar"),
                Path.of("edge-agent"),
                Path.of("i.jar"),
                "victoria-metrics",
                List.of(),
                Duration.ZERO,
                null,
                diskCap,
                cappedLink);
    }

    @Test
    void theDiskCapOutageStartsJustAfterAWallClockMinuteAndTheCappedLinkFollowsItsOutage() {
        SoakConfig cfg = config(true, true);
        assertEquals(6, cfg.totalRobots());
        long start = 1_800_000_017_000L; // 17 s into a minute
        List<Fault> f = ScriptedFaults.plan(cfg, start);
        assertEquals(3, f.size());
        Fault disk = f.get(0);
        assertEquals(new Fault(Kind.OUTAGE, 5, 44_000, 131_000, Fault.DISK_CAP), disk);
        assertEquals(1_000, (start + disk.startMs()) % 60_000, "1 s after the minute boundary");
        Fault outage = f.get(1);
        Fault link = f.get(2);
        assertEquals(6, outage.robot());
        assertEquals(Fault.CAPPED_LINK, outage.detail());
        assertEquals(Kind.SLOW_LINK, link.kind());
        assertEquals(outage.endMs(), link.startMs());
        assertTrue(link.endMs() <= FaultSchedule.windowEndMs(180_000), "within the fault window: " + link);
    }

    @Test
    void withoutScriptedRobotsNothingIsPlanned() {
        SoakConfig cfg = config(false, false);
        assertEquals(4, cfg.totalRobots());
        assertEquals(0, cfg.diskCapRobotNumber());
        assertEquals(0, cfg.cappedLinkRobotNumber());
        assertEquals(List.of(), ScriptedFaults.plan(cfg, 0));
        assertEquals(5, config(false, true).cappedLinkRobotNumber());
    }
}
