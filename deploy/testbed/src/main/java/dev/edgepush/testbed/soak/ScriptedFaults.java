package dev.edgepush.testbed.soak;

import dev.edgepush.testbed.soak.Fault.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * The faults of the scripted robots, planned once the fleet is up (in milliseconds since the soak
 * started at wall-clock {@code wallAtStartMs}); the central side's random faults hit them too.
 *
 * <ul>
 *   <li>The disk-cap robot ({@link SoakConfig#diskCapRobotNumber}): an outage from 1 s after a
 *       wall-clock minute boundary (its buffer writes one file per minute) until its agent counts
 *       samples dropped for the disk cap, plus 3 s; at most until 5 s before the fault window
 *       closes. Its sensor never fails, so each of its excerpts is one answered scrape.
 *   <li>The capped-link robot ({@link SoakConfig#cappedLinkRobotNumber}): an outage (up to 40 s),
 *       then its link capped at one and a half times its live upload rate plus the requests'
 *       headers (up to 2 min), so the backlog drains at about half the live rate while new scrapes
 *       keep coming.
 * </ul>
 */
final class ScriptedFaults {
    private ScriptedFaults() {}

    static List<Fault> plan(SoakConfig cfg, long wallAtStartMs) {
        long durationMs = cfg.duration().toMillis();
        long from = FaultSchedule.windowStartMs(durationMs);
        long to = FaultSchedule.windowEndMs(durationMs);
        List<Fault> out = new ArrayList<>();
        int disk = cfg.diskCapRobotNumber();
        if (disk > 0) {
            long earliest = wallAtStartMs + from / 2;
            long boundary = (earliest / 60_000 + 1) * 60_000;
            long start = boundary - wallAtStartMs + 1_000;
            long latest = Math.max(start + 1_000, durationMs - 5_000);
            out.add(new Fault(Kind.OUTAGE, disk, start, latest - start, Fault.DISK_CAP));
        }
        int capped = cfg.cappedLinkRobotNumber();
        if (capped > 0) {
            long span = to - from;
            long start = from + Math.min(5_000, span / 20);
            long outage = Math.max(1_000, Math.min(40_000, span / 5));
            long link = Math.max(1_000, Math.min(120_000, span * 3 / 5));
            out.add(new Fault(Kind.OUTAGE, capped, start, outage, Fault.CAPPED_LINK));
            out.add(new Fault(Kind.SLOW_LINK, capped, start + outage, link, Fault.CAPPED_LINK));
        }
        return out;
    }
}
