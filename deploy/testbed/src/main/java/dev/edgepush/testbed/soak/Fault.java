package dev.edgepush.testbed.soak;

import java.util.Locale;

/**
 * One planned fault: what, to which robot (0 = the central side), when and for how long, in
 * milliseconds since the soak started.
 *
 * @param kind what breaks
 * @param robot robot number 1..N, or 0 for central-ingest and VictoriaMetrics
 * @param startMs when it starts
 * @param durationMs how long the fault lasts (for kills and restarts: how long the process is down)
 * @param detail the sensor failure mode for {@link Kind#SENSOR}; for {@link Kind#OUTAGE},
 *     {@code agent_kill} when the robot's agent is also killed during the outage; {@code
 *     disk_cap} and {@code capped_link} for the scripted robots' faults ({@link ScriptedFaults});
 *     else empty
 */
record Fault(Kind kind, int robot, long startMs, long durationMs, String detail) {
    /** Fault kinds; robot faults hit one robot, the rest the central side. */
    enum Kind {
        OUTAGE(true),
        BLACKHOLE(true),
        SLOW_LINK(true),
        AGENT_KILL(true),
        SENSOR(true),
        INGEST_KILL(false),
        STORAGE_RESTART(false);

        final boolean perRobot;

        Kind(boolean perRobot) {
            this.perRobot = perRobot;
        }

        String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Detail of an outage during which the agent is also {@code kill -9}'d and restarted. */
    static final String AGENT_KILL_DURING = "agent_kill";
    /** Detail of the outage that lasts until the robot's disk cap overflowed (a few seconds more). */
    static final String DISK_CAP = "disk_cap";
    /**
     * Detail of the outage before a capped link (it notes the robot's live upload rate) and of the
     * capped link itself ({@link Kind#SLOW_LINK}: no latency, the cap {@link FaultDriver} set from that rate).
     */
    static final String CAPPED_LINK = "capped_link";

    long endMs() {
        return startMs + durationMs;
    }

    boolean killsAgent() {
        return kind == Kind.AGENT_KILL || AGENT_KILL_DURING.equals(detail);
    }

    /** Where the agent kill of an outage lands (40 % in) and how long the agent stays down. */
    long killOffsetMs() {
        return kind == Kind.AGENT_KILL ? 0 : durationMs * 2 / 5;
    }

    long killDownMs() {
        return kind == Kind.AGENT_KILL ? durationMs : Math.max(500, durationMs / 5);
    }

    String target() {
        return robot == 0 ? "central" : "r" + robot;
    }

    /** One-line description for logs, e.g. {@code outage r2 +12.0s for 20.0s (agent_kill)}. */
    String describe() {
        return String.format(
                Locale.ROOT,
                "%s %s +%.1fs for %.1fs%s",
                kind.wireName(),
                target(),
                startMs / 1000.0,
                durationMs / 1000.0,
                detail.isEmpty() ? "" : " (" + detail + ")");
    }
}
