package dev.edgepush.agent.scrape;

import dev.edgepush.compat.Relabeler;
import java.net.URI;
import java.time.Duration;
import java.util.SortedMap;

/**
 * One endpoint to scrape, as the scrape config describes it.
 *
 * @param targetLabels labels every series from this target gets: {@code job}, {@code instance}
 *     and the static labels (after target relabeling), sorted by name, empty values removed
 * @param metricRelabeler the job's {@code metric_relabel_configs}, applied by {@link SeriesEncoder}
 */
public record ScrapeTarget(
    String job,
    String instance,
    URI url,
    Duration interval,
    Duration timeout,
    boolean honorLabels,
    boolean honorTimestamps,
    SortedMap<String, String> targetLabels,
    Relabeler metricRelabeler) {

  /** A target without metric relabeling. */
  public ScrapeTarget(String job, String instance, URI url, Duration interval, Duration timeout,
      boolean honorLabels, boolean honorTimestamps, SortedMap<String, String> targetLabels) {
    this(job, instance, url, interval, timeout, honorLabels, honorTimestamps, targetLabels, Relabeler.EMPTY);
  }

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
