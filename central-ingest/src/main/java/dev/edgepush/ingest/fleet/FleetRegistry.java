package dev.edgepush.ingest.fleet;

import dev.edgepush.ingest.auth.Identity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * What the ingest knows about each robot that pushed since start, per tenant: its last push, the
 * backlog its agent reported in {@code X-Edgepush-Pending-Samples} and {@code
 * X-Edgepush-Oldest-Pending-Age-Seconds}, and the samples it got acknowledged over the last
 * minute. In memory only (a restart forgets it until each robot's next push, about a second
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
   */
  public record RobotStatus(String robot, String tenant, long lastPushMs, long pendingSamples,
      double oldestPendingAgeSeconds) {}

  /** A robot as the fleet view shows it at some moment. */
  public record RobotView(RobotStatus status, double samplesPerSecond, boolean online) {}

  private static final class Robot {
    volatile RobotStatus status;
    final SampleRate rate = new SampleRate();

    Robot(RobotStatus status) {
      this.status = status;
    }
  }

  private final ConcurrentMap<String, Robot> robots = new ConcurrentHashMap<>();
  private final long offlineAfterMs;

  public FleetRegistry() {
    this(DEFAULT_OFFLINE_AFTER);
  }

  public FleetRegistry(Duration offlineAfter) {
    if (offlineAfter.isNegative() || offlineAfter.isZero()) {
      throw new IllegalArgumentException("offlineAfter must be positive, got " + offlineAfter);
    }
    this.offlineAfterMs = offlineAfter.toMillis();
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
  public void recordPush(String robot, String tenant, long nowMs, String pendingSamplesHeader,
      String oldestPendingAgeHeader) {
    RobotStatus s = new RobotStatus(robot, tenant, nowMs, parseLong(pendingSamplesHeader),
        parseDouble(oldestPendingAgeHeader));
    robots.compute(key(tenant, robot), (k, r) -> {
      if (r == null) {
        return new Robot(s);
      }
      r.status = s;
      return r;
    });
  }

  /** Counts {@code samples} the robot got acknowledged at {@code nowMs} (after the WAL write). */
  public void recordSamples(String robot, String tenant, long samples, long nowMs) {
    Robot r = robots.get(key(tenant, robot));
    if (r != null) { // recordPush always came first, from the same request's head
      r.rate.add(nowMs, samples);
    }
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
        out.add(new RobotView(s, r.rate.perSecond(nowMs), isOnline(s, nowMs)));
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
