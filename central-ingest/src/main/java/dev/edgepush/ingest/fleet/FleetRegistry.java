package dev.edgepush.ingest.fleet;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * What the ingest knows about each robot that pushed since start: its last push and the backlog
 * its agent reported in {@code X-Edgepush-Pending-Samples} and {@code
 * X-Edgepush-Oldest-Pending-Age-Seconds}. In memory only (a restart forgets it until each
 * robot's next push, about a second later). Thread-safe: each push replaces the robot's
 * immutable {@link RobotStatus}.
 */
public final class FleetRegistry {
  /** A robot counts as online when it pushed within this window (agents push every second). */
  public static final Duration ONLINE_WINDOW = Duration.ofMinutes(2);

  /**
   * One robot's latest report.
   *
   * @param pendingSamples from the last push's header, or -1 when the agent did not send it
   * @param oldestPendingAgeSeconds from the last push's header, or -1 when absent
   */
  public record RobotStatus(String robot, String tenant, long lastPushMs, long pendingSamples,
      double oldestPendingAgeSeconds) {}

  private final ConcurrentMap<String, RobotStatus> robots = new ConcurrentHashMap<>();

  /**
   * Records a push by {@code robot} at {@code nowMs}; the header values may be null or
   * malformed (then -1 is kept: a bad header must not fail the push).
   */
  public void recordPush(String robot, String tenant, long nowMs, String pendingSamplesHeader,
      String oldestPendingAgeHeader) {
    robots.put(robot, new RobotStatus(robot, tenant, nowMs, parseLong(pendingSamplesHeader),
        parseDouble(oldestPendingAgeHeader)));
  }

  /** The robot's latest report, or null if it has not pushed since start. */
  public RobotStatus get(String robot) {
    return robots.get(robot);
  }

  /** Every robot, by name. */
  public List<RobotStatus> snapshot() {
    List<RobotStatus> out = new ArrayList<>(robots.values());
    out.sort(Comparator.comparing(RobotStatus::robot));
    return out;
  }

  /** Robots that pushed within {@link #ONLINE_WINDOW} before {@code nowMs}. */
  public int onlineCount(long nowMs) {
    long since = nowMs - ONLINE_WINDOW.toMillis();
    int n = 0;
    for (RobotStatus s : robots.values()) {
      if (s.lastPushMs() >= since) {
        n++;
      }
    }
    return n;
  }

  public static boolean isOnline(RobotStatus s, long nowMs) {
    return s.lastPushMs() >= nowMs - ONLINE_WINDOW.toMillis();
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
