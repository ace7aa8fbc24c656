package dev.edgepush.testbed.soak;

import dev.edgepush.testbed.soak.Fault.Kind;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * The seeded random plan of a soak: the same seed, robot count and duration give the same
 * faults.
 *
 * <p>Faults run in lanes: one per robot (link outages, blackholes, slow links, agent kills,
 * sensor failures) and one for the central side (central-ingest kills, VictoriaMetrics
 * restarts). Within a lane faults follow each other with a gap; lanes overlap freely, so a robot
 * can be cut off while central-ingest is down. Every lane starts with its share of the
 * mandatory faults (each kind at least once, every sensor failure mode at least once, and one
 * outage with an agent kill inside it), spread over the robots; if they do not fit in a short
 * run, their durations and gaps shrink to fit. Random faults then fill each lane until the
 * fault window ends. The window leaves a warm-up at the start and a quiet tail at the end
 * before everything is restored.
 */
final class FaultSchedule {
    static final List<String> SENSOR_MODES =
            List.of("cpu_spike", "memory_leak", "latency_spike", "error_burst", "node_crash");

    private FaultSchedule() {}

    /** Start of the fault window: the fleet warms up first (10 s, less for tiny runs). */
    static long windowStartMs(long durationMs) {
        return Math.min(10_000, durationMs / 10);
    }

    /** End of the fault window: a quiet tail of 15 s (less for tiny runs) before restore. */
    static long windowEndMs(long durationMs) {
        return durationMs - Math.min(15_000, durationMs / 10);
    }

    /**
     * Plans the faults.
     *
     * @param seed seed of the plan
     * @param robots number of robots, 1 or more
     * @param durationMs length of the soak
     * @return faults sorted by start time
     */
    static List<Fault> plan(long seed, int robots, long durationMs) {
        Random rnd = new Random(seed);
        long from = windowStartMs(durationMs);
        long to = windowEndMs(durationMs);
        List<List<Fault>> mandatory = new ArrayList<>();
        for (int r = 0; r <= robots; r++) {
            mandatory.add(new ArrayList<>());
        }
        List<Fault> robotFaults = new ArrayList<>();
        robotFaults.add(robotFault(rnd, Kind.OUTAGE, Fault.AGENT_KILL_DURING, durationMs, true));
        robotFaults.add(robotFault(rnd, Kind.BLACKHOLE, "", durationMs, true));
        robotFaults.add(robotFault(rnd, Kind.SLOW_LINK, "", durationMs, true));
        robotFaults.add(robotFault(rnd, Kind.AGENT_KILL, "", durationMs, true));
        for (String mode : SENSOR_MODES) {
            robotFaults.add(robotFault(rnd, Kind.SENSOR, mode, durationMs, true));
        }
        Collections.shuffle(robotFaults, rnd);
        int first = rnd.nextInt(robots);
        for (int i = 0; i < robotFaults.size(); i++) {
            mandatory.get(1 + (first + i) % robots).add(robotFaults.get(i));
        }
        mandatory.get(0).add(centralFault(rnd, Kind.INGEST_KILL, durationMs, true));
        mandatory.get(0).add(centralFault(rnd, Kind.STORAGE_RESTART, durationMs, true));
        Collections.shuffle(mandatory.get(0), rnd);

        List<Fault> out = new ArrayList<>();
        for (int lane = 0; lane <= robots; lane++) {
            List<Fault> must = mandatory.get(lane);
            long gapMin = lane == 0 ? 15_000 : 5_000;
            long gapMax = lane == 0 ? 45_000 : 15_000;
            long[] gaps = new long[must.size() + 1];
            long needed = 0;
            for (int i = 0; i < gaps.length; i++) {
                gaps[i] = i == 0 ? rnd.nextInt(3_000) : gapMin + (long) (rnd.nextDouble() * (gapMax - gapMin));
                needed += gaps[i] + (i < must.size() ? must.get(i).durationMs() : 0);
            }
            double scale = Math.min(1.0, (double) (to - from) / Math.max(1, needed));
            long t = from;
            for (int i = 0; i < must.size(); i++) {
                t += (long) (gaps[i] * scale);
                Fault f = must.get(i);
                long d = Math.max(1_000, (long) (f.durationMs() * scale));
                out.add(new Fault(f.kind(), lane, t, d, f.detail()));
                t += d;
            }
            while (true) {
                t += gapMin + (long) (rnd.nextDouble() * (gapMax - gapMin));
                Fault f = lane == 0
                        ? centralFault(
                                rnd, rnd.nextBoolean() ? Kind.INGEST_KILL : Kind.STORAGE_RESTART, durationMs, false)
                        : randomRobotFault(rnd, durationMs);
                if (t + f.durationMs() > to) {
                    break;
                }
                out.add(new Fault(f.kind(), lane, t, f.durationMs(), f.detail()));
                t += f.durationMs();
            }
        }
        out.sort(Comparator.comparingLong(Fault::startMs).thenComparingInt(Fault::robot));
        return out;
    }

    private static Fault randomRobotFault(Random rnd, long durationMs) {
        int pick = rnd.nextInt(11);
        if (pick < 3) {
            return robotFault(rnd, Kind.OUTAGE, rnd.nextInt(3) == 0 ? Fault.AGENT_KILL_DURING : "", durationMs, false);
        } else if (pick < 5) {
            return robotFault(rnd, Kind.BLACKHOLE, "", durationMs, false);
        } else if (pick < 7) {
            return robotFault(rnd, Kind.SLOW_LINK, "", durationMs, false);
        } else if (pick < 9) {
            return robotFault(rnd, Kind.AGENT_KILL, "", durationMs, false);
        }
        return robotFault(rnd, Kind.SENSOR, SENSOR_MODES.get(rnd.nextInt(SENSOR_MODES.size())), durationMs, false);
    }

    private static long between(Random rnd, long min, long max) {
        return min + (long) (rnd.nextDouble() * (max - min));
    }

    private static Fault robotFault(Random rnd, Kind kind, String detail, long soakMs, boolean mandatory) {
        long d =
                switch (kind) {
                    case OUTAGE -> between(rnd, 10_000, 30_000);
                    case BLACKHOLE -> between(rnd, 8_000, 25_000);
                    case SLOW_LINK -> between(rnd, 15_000, 40_000);
                    case AGENT_KILL -> between(rnd, 1_000, 8_000);
                    default -> between(rnd, 8_000, 25_000);
                };
        // Long soaks also see the long outages robots really have (basements): up to 10 min.
        if (!mandatory && kind == Kind.OUTAGE && soakMs >= 1_800_000 && rnd.nextInt(4) == 0) {
            d = between(rnd, 60_000, Math.min(600_000, soakMs / 10));
        }
        return new Fault(kind, 0, 0, d, detail);
    }

    private static Fault centralFault(Random rnd, Kind kind, long soakMs, boolean mandatory) {
        long d = kind == Kind.INGEST_KILL ? between(rnd, 2_000, 10_000) : between(rnd, 5_000, 20_000);
        if (!mandatory && soakMs >= 1_800_000 && rnd.nextInt(5) == 0) {
            d = between(rnd, 30_000, 180_000); // a longer cloud incident now and then
        }
        return new Fault(kind, 0, 0, d, "");
    }
}
