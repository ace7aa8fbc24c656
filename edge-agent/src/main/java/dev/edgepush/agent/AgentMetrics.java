package dev.edgepush.agent;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The agent's own metrics, rendered on {@code /metrics} in Prometheus text format. Counters are
 * cumulative since start; gauges are read from their owners when rendered. Thread-safe.
 */
public final class AgentMetrics {
  public final LongAdder samplesScraped = new LongAdder();
  public final LongAdder samplesSent = new LongAdder();
  public final LongAdder remoteWriteBytes = new LongAdder();
  private final Map<String, LongAdder> dropped = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
  private volatile LongSupplier bufferedTotal = () -> 0;
  private volatile LongSupplier pendingSamples = () -> 0;
  private volatile LongSupplier diskBytes = () -> 0;
  private volatile LongSupplier corruptSamples = () -> 0;
  private volatile LongSupplier diskFullSamples = () -> 0;
  private final AtomicLong oldestPendingMs = new AtomicLong();
  private final LongSupplier clockMs;

  public AgentMetrics(LongSupplier clockMs) {
    this.clockMs = clockMs;
    for (String reason : new String[] {"rejected", "disk_full"}) {
      dropped.put(reason, new LongAdder());
    }
  }

  /** Wires the gauges that the disk buffer owns. */
  public void bindBuffer(
      LongSupplier bufferedTotal, LongSupplier pending, LongSupplier diskBytes, LongSupplier corrupt,
      LongSupplier diskFull) {
    this.diskFullSamples = diskFull;
    this.bufferedTotal = bufferedTotal;
    this.pendingSamples = pending;
    this.diskBytes = diskBytes;
    this.corruptSamples = corrupt;
  }

  public void dropped(String reason, long samples) {
    dropped.computeIfAbsent(reason, r -> new LongAdder()).add(samples);
  }

  public long droppedTotal(String reason) {
    if ("corrupt".equals(reason)) {
      return corruptSamples.getAsLong();
    }
    LongAdder a = dropped.get(reason);
    long extra = "disk_full".equals(reason) ? diskFullSamples.getAsLong() : 0;
    return (a == null ? 0 : a.sum()) + extra;
  }

  public void request(String code) {
    requests.computeIfAbsent(code, c -> new LongAdder()).increment();
  }

  public long requests(String code) {
    LongAdder a = requests.get(code);
    return a == null ? 0 : a.sum();
  }

  /** The scrape time of the oldest unsent excerpt, or 0 when nothing is pending. */
  public void oldestPendingTimestampMs(long ms) {
    oldestPendingMs.set(ms);
  }

  public long pendingSamples() {
    return pendingSamples.getAsLong();
  }

  public double oldestPendingAgeSeconds() {
    long ts = oldestPendingMs.get();
    if (ts <= 0 || pendingSamples.getAsLong() == 0) {
      return 0;
    }
    return Math.max(0, clockMs.getAsLong() - ts) / 1000.0;
  }

  public long diskBytes() {
    return diskBytes.getAsLong();
  }

  /** Prometheus text exposition 0.0.4 of every metric above. */
  public String render() {
    StringBuilder sb = new StringBuilder(2048);
    counter(sb, "edge_agent_samples_scraped_total", "Samples parsed from targets, including the synthetic per-scrape series.", samplesScraped.sum());
    counter(sb, "edge_agent_samples_buffered_total", "Samples written to the disk buffer since start.", bufferedTotal.getAsLong());
    counter(sb, "edge_agent_samples_sent_total", "Samples the remote answered 2xx for.", samplesSent.sum());
    header(sb, "edge_agent_samples_dropped_total", "Samples given up on, by reason: rejected (a 4xx that can never succeed), disk_full (the disk cap or a full disk), corrupt (a damaged buffer excerpt).", "counter");
    Map<String, Long> drops = new TreeMap<>();
    dropped.forEach((k, v) -> drops.put(k, droppedTotal(k)));
    drops.put("corrupt", corruptSamples.getAsLong());
    drops.forEach((k, v) -> sb.append("edge_agent_samples_dropped_total{reason=\"").append(k).append("\"} ").append(v).append('\n'));
    gauge(sb, "edge_agent_buffer_pending_samples", "Samples in the disk buffer not yet acknowledged by the remote.", pendingSamples.getAsLong());
    gauge(sb, "edge_agent_buffer_disk_bytes", "Disk blocks allocated by the buffer (as du reports, not the sparse apparent size).", diskBytes.getAsLong());
    header(sb, "edge_agent_buffer_oldest_pending_age_seconds", "Age of the oldest unsent scrape.", "gauge");
    sb.append("edge_agent_buffer_oldest_pending_age_seconds ").append(oldestPendingAgeSeconds()).append('\n');
    header(sb, "edge_agent_remote_write_requests_total", "Remote-write requests by HTTP status code; code=\"error\" for network errors.", "counter");
    new TreeMap<>(requests).forEach((k, v) -> sb.append("edge_agent_remote_write_requests_total{code=\"").append(k).append("\"} ").append(v.sum()).append('\n'));
    counter(sb, "edge_agent_remote_write_bytes_total", "Compressed remote-write bytes sent on the wire.", remoteWriteBytes.sum());
    return sb.toString();
  }

  private static void header(StringBuilder sb, String name, String help, String type) {
    sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
    sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  private static void counter(StringBuilder sb, String name, String help, long v) {
    header(sb, name, help, "counter");
    sb.append(name).append(' ').append(v).append('\n');
  }

  private static void gauge(StringBuilder sb, String name, String help, long v) {
    header(sb, name, help, "gauge");
    sb.append(name).append(' ').append(v).append('\n');
  }
}
