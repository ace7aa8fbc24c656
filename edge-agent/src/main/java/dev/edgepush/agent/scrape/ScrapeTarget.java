package dev.edgepush.agent.scrape;

import java.net.URI;
import java.time.Duration;
import java.util.SortedMap;

/**
 * One endpoint to scrape, as the scrape config describes it.
 *
 * @param targetLabels labels every series from this target gets: {@code job}, {@code instance}
 *     and the static labels, sorted by name, empty values removed
 */
public record ScrapeTarget(
    String job,
    String instance,
    URI url,
    Duration interval,
    Duration timeout,
    boolean honorLabels,
    boolean honorTimestamps,
    SortedMap<String, String> targetLabels) {

  /**
   * A stable offset within the interval, derived from the target's identity, so that targets
   * with the same interval do not all fire at the same instant (no thundering herd) and a
   * restarted agent keeps the same phase.
   */
  public long offsetMs() {
    long h = (job + "\u0000" + url).hashCode() & 0x7fffffffL;
    return h % Math.max(1, interval.toMillis());
  }
}
