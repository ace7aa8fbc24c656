package dev.edgepush.ingest.fleet;

import dev.edgepush.ingest.auth.Identity;
import dev.edgepush.ingest.completeness.CompletenessLedger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * What the ingest knows about each robot that pushed since start, per tenant: its last push, the
 * backlog its agent reported in {@code X-Edgepush-Pending-Samples} and {@code
 * X-Edgepush-Oldest-Pending-Age-Seconds} (and that backlog's last two minutes, {@link
 * BacklogHistory}), its drops ({@code X-Edgepush-Dropped-Samples}) and clock skew ({@code
 * X-Edgepush-Agent-Time-Ms}), and the samples it got acknowledged over the last minute. In memory only (a restart forgets it until each robot's next push, about a second
 * later). Thread-safe: a push replaces the robot's immutable {@link RobotStatus}; its {@link
 * SampleRate} locks itself.
 *
 * <p>A robot is online when it pushed within {@code offlineAfter}; the fleet view and {@code
 * central_ingest_robots_online} both ask {@link #isOnline}, so they agree.
 */
public final class FleetRegistry {
    /** Agents push every second; two minutes rides out a short dead zone without flapping. */
    public static final Duration DEFAULT_OFFLINE_AFTER = Duration.ofMinutes(2);

    /**
     * One robot's latest report.
     *
     * @param pendingSamples from the last push's header, or -1 when the agent did not send it
     * @param oldestPendingAgeSeconds from the last push's header, or -1 when absent
     * @param droppedSamples total samples the agent gave up on since it started ({@code
     *     X-Edgepush-Dropped-Samples}), or -1 when absent
     * @param clockSkewMs the agent's clock ({@code X-Edgepush-Agent-Time-Ms}) minus ours when the
     *     push arrived: positive when the robot's clock is ahead; {@link Long#MIN_VALUE} when absent
     */
    public record RobotStatus(
            String robot,
            String tenant,
            long lastPushMs,
            long pendingSamples,
            double oldestPendingAgeSeconds,
            long droppedSamples,
            long clockSkewMs) {
        /** A report without the drop and clock headers (agents before they were sent). */
        public RobotStatus(
                String robot, String tenant, long lastPushMs, long pendingSamples, double oldestPendingAgeSeconds) {
            this(robot, tenant, lastPushMs, pendingSamples, oldestPendingAgeSeconds, -1, NO_SKEW);
        }

        public boolean hasClockSkew() {
            return clockSkewMs != NO_SKEW;
        }
    }

    /** {@link RobotStatus#clockSkewMs} when the agent did not send its clock. */
    public static final long NO_SKEW = Long.MIN_VALUE;

    /**
     * A robot that is online but whose oldest pending sample is older than this is {@link
     * State#DRAINING}: it is sending a backlog (after a dead zone or an outage), not just the batch
     * of the last second or two that every push carries.
     */
    public static final double DRAINING_AFTER_SECONDS = 10;

    /** What the fleet page shows as a robot's state. */
    public enum State {
        ONLINE,
        DRAINING,
        OFFLINE;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * A robot as the fleet view shows it at some moment; {@code backlog} is its reported pending
     * samples over the last {@link BacklogHistory#SECONDS} seconds, oldest first.
     */
    public record RobotView(
            RobotStatus status,
            double samplesPerSecond,
            boolean online,
            List<BacklogHistory.Point> backlog,
            long tooOldSamples,
            long tooNewSamples) {
        public RobotView(RobotStatus status, double samplesPerSecond, boolean online) {
            this(status, samplesPerSecond, online, List.of(), 0, 0);
        }

        public RobotView(
                RobotStatus status, double samplesPerSecond, boolean online, List<BacklogHistory.Point> backlog) {
            this(status, samplesPerSecond, online, backlog, 0, 0);
        }

        public State state() {
            if (!online) {
                return State.OFFLINE;
            }
            return status.oldestPendingAgeSeconds() >= DRAINING_AFTER_SECONDS ? State.DRAINING : State.ONLINE;
        }
    }

    /**
     * A robot's samples that the storage would refuse since this server started, by reason (see
     * {@link dev.edgepush.ingest.decode.SampleClock}); they were acknowledged and forwarded.
     */
    public record OutOfRange(String robot, String tenant, long tooOld, long tooNew) {}

    private static final class Robot {
        volatile RobotStatus status;
        final java.util.concurrent.atomic.LongAdder tooOld = new java.util.concurrent.atomic.LongAdder();
        final java.util.concurrent.atomic.LongAdder tooNew = new java.util.concurrent.atomic.LongAdder();
        final SampleRate rate = new SampleRate();
        final BacklogHistory backlog = new BacklogHistory();

        Robot(RobotStatus status) {
            this.status = status;
        }
    }

    private final ConcurrentMap<String, Robot> robots = new ConcurrentHashMap<>();
    private final long offlineAfterMs;
    private final CompletenessLedger completeness;

    public FleetRegistry() {
        this(DEFAULT_OFFLINE_AFTER);
    }

    public FleetRegistry(Duration offlineAfter) {
        this(offlineAfter, CompletenessLedger.inMemory());
    }

    /** With the robots' completeness accounting kept in {@code completeness} (durable, unlike the rest). */
    public FleetRegistry(Duration offlineAfter, CompletenessLedger completeness) {
        this.completeness = completeness;
        if (offlineAfter.isNegative() || offlineAfter.isZero()) {
            throw new IllegalArgumentException("offlineAfter must be positive, got " + offlineAfter);
        }
        this.offlineAfterMs = offlineAfter.toMillis();
    }

    /** The robots' completeness accounting ({@link CompletenessLedger}). */
    public CompletenessLedger completeness() {
        return completeness;
    }

    public Duration offlineAfter() {
        return Duration.ofMillis(offlineAfterMs);
    }

    private static String key(String tenant, String robot) {
        return Identity.normalizeTenant(tenant) + "/" + robot;
    }

    /**
     * Records a push by {@code robot} at {@code nowMs}; the header values may be null or
     * malformed (then -1 is kept: a bad header must not fail the push).
     */
    public void recordPush(
            String robot, String tenant, long nowMs, String pendingSamplesHeader, String oldestPendingAgeHeader) {
        recordPush(robot, tenant, nowMs, pendingSamplesHeader, oldestPendingAgeHeader, null, null);
    }

    /**
     * Records a push with every header the agent sends: also its total of dropped samples and its
     * clock (milliseconds since the epoch), from which the robot's clock skew is kept.
     */
    public void recordPush(
            String robot,
            String tenant,
            long nowMs,
            String pendingSamplesHeader,
            String oldestPendingAgeHeader,
            String droppedSamplesHeader,
            String agentTimeMsHeader) {
        long agentTime = parseLong(agentTimeMsHeader);
        RobotStatus s = new RobotStatus(
                robot,
                tenant,
                nowMs,
                parseLong(pendingSamplesHeader),
                parseDouble(oldestPendingAgeHeader),
                parseLong(droppedSamplesHeader),
                agentTime <= 0 ? NO_SKEW : agentTime - nowMs);
        Robot robotNow = robots.compute(key(tenant, robot), (k, r) -> {
            if (r == null) {
                return new Robot(s);
            }
            r.status = s;
            return r;
        });
        if (s.pendingSamples() >= 0) {
            robotNow.backlog.add(nowMs, s.pendingSamples());
        }
    }

    /** Counts {@code samples} the robot got acknowledged at {@code nowMs} (after the WAL write). */
    public void recordSamples(String robot, String tenant, long samples, long nowMs) {
        Robot r = robots.get(key(tenant, robot));
        if (r != null) { // recordPush always came first, from the same request's head
            r.rate.add(nowMs, samples);
        }
    }

    /** Counts a push's samples that the storage would refuse (after the WAL write, as {@link #recordSamples}). */
    public void recordOutOfRange(String robot, String tenant, long tooOld, long tooNew) {
        Robot r = robots.get(key(tenant, robot));
        if (r != null) {
            r.tooOld.add(tooOld);
            r.tooNew.add(tooNew);
        }
    }

    /** Every robot with samples out of the storage's range since start, unordered. */
    public List<OutOfRange> outOfRange() {
        List<OutOfRange> out = new ArrayList<>();
        for (Robot r : robots.values()) {
            long old = r.tooOld.sum();
            long future = r.tooNew.sum();
            if (old + future > 0) {
                out.add(new OutOfRange(r.status.robot(), r.status.tenant(), old, future));
            }
        }
        return out;
    }

    /** The robot's latest report, or null if it has not pushed since start. */
    public RobotStatus get(String tenant, String robot) {
        Robot r = robots.get(key(tenant, robot));
        return r == null ? null : r.status;
    }

    /** Every robot of {@code tenant}, by name, as of {@code nowMs}. */
    public List<RobotView> view(String tenant, long nowMs) {
        List<RobotView> out = new ArrayList<>();
        for (Robot r : robots.values()) {
            RobotStatus s = r.status;
            if (Identity.sameTenant(s.tenant(), tenant)) {
                out.add(new RobotView(
                        s,
                        r.rate.perSecond(nowMs),
                        isOnline(s, nowMs),
                        r.backlog.points(nowMs),
                        r.tooOld.sum(),
                        r.tooNew.sum()));
            }
        }
        out.sort(Comparator.comparing((RobotView v) -> v.status().robot()));
        return out;
    }

    /** The latest report of every robot of every tenant (for per-robot metrics), unordered. */
    public List<RobotStatus> statuses() {
        List<RobotStatus> out = new ArrayList<>();
        for (Robot r : robots.values()) {
            out.add(r.status);
        }
        return out;
    }

    /** Robots of every tenant that are online at {@code nowMs}. */
    public int onlineCount(long nowMs) {
        int n = 0;
        for (Robot r : robots.values()) {
            if (isOnline(r.status, nowMs)) {
                n++;
            }
        }
        return n;
    }

    /** Pushed within {@code offlineAfter} before {@code nowMs}. */
    public boolean isOnline(RobotStatus s, long nowMs) {
        return s.lastPushMs() >= nowMs - offlineAfterMs;
    }

    private static long parseLong(String s) {
        if (s == null) {
            return -1;
        }
        try {
            return Math.max(-1, Long.parseLong(s.strip()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static double parseDouble(String s) {
        if (s == null) {
            return -1;
        }
        try {
            double d = Double.parseDouble(s.strip());
            return Double.isFinite(d) && d >= 0 ? d : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
