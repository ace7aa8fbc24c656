package dev.edgepush.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The core promise end to end, against a real VictoriaMetrics: the central goes away, the agent
 * is {@code kill -9}'d during the outage and restarted, the central comes back, and every
 * scrape the target answered is in storage. The agent collects its host's metrics too ({@code
 * -host.collectors=default}, issue 14): they go through the same buffer, so every host collection
 * but the ones while the agent was dead is stored, including those made during the outage.
 */
class DeliveryAcrossOutageAndKill9Test {
  @TempDir Path dir;

  @Test
  void everyAnsweredScrapeArrivesAfterOutageAndKill9() throws Exception {
    try (VictoriaMetrics vm = new VictoriaMetrics(dir);
        CountingTarget target = new CountingTarget(50)) {
      Path config = dir.resolve("scrape.yml");
      Files.writeString(config, "global:\n  scrape_interval: 200ms\nscrape_configs:\n  - job_name: t\n"
          + "    static_configs:\n      - targets: ['127.0.0.1:" + target.port() + "']\n");
      int statusPort = VictoriaMetrics.freePort();
      String[] flags = {
        "-promscrape.config=" + config, "-remoteWrite.url=" + vm.writeUrl(),
        "-remoteWrite.tmpDataPath=" + dir.resolve("agent-data"), "-remoteWrite.flushInterval=200ms",
        "-host.collectors=default", "-host.interval=" + HOST_INTERVAL_MS + "ms"
      };
      long outageFromMs;
      long outageToMs;
      List<Long> killsMs = new ArrayList<>();
      long stoppedServingMs;
      AgentProcess agent = AgentProcess.start(dir, statusPort, flags);
      try {
        awaitAnswered(target, 5);
        vm.stop(); // the central goes away
        outageFromMs = System.currentTimeMillis();
        awaitAnswered(target, target.answered.size() + 10);
        agent.kill9(); // during the outage, with a backlog on disk
        killsMs.add(System.currentTimeMillis()); // once it is gone: a scrape answered while it died was in flight
        agent = AgentProcess.start(dir, statusPort, flags);
        awaitAnswered(target, target.answered.size() + 10);
        outageToMs = System.currentTimeMillis();
        vm.start(); // the central comes back
        awaitAnswered(target, target.answered.size() + 5);
        stoppedServingMs = System.currentTimeMillis();
        target.stopServing();
        long deadline = System.nanoTime() + 60_000_000_000L;
        // One lane, oldest first: once the last answered scrape is stored, so is all that ever will be.
        long last = target.lastAnswered();
        while (System.nanoTime() < deadline
            && !vm.exportValueTimestamps("test_seq{job=\"t\"}").containsKey(last)) {
          AgentProcess.pause(200);
        }
      } finally {
        agent.close();
      }
      // The scrape in flight when kill -9 lands and scrapes the agent itself recorded as failed
      // (up 0) are the only excuses.
      ScrapeLedger ledger = ledger(vm, target, killsMs, stoppedServingMs);
      System.out.printf("answered=%d %s missing=%s%n", target.answered.size(), ledger, ledger.lost);
      assertTrue(target.answered.size() >= 25, "the scenario scraped enough to mean something");
      assertEquals(Set.of(), ledger.lost, "answered scrapes missing from VictoriaMetrics");
      assertHostMetricsComplete(vm, killsMs, outageFromMs, outageToMs, stoppedServingMs);
    }
  }

  static final long HOST_INTERVAL_MS = 500;

  /**
   * Host collections are not counted outside the agent, so completeness is read from their
   * timestamps: one each {@link #HOST_INTERVAL_MS}, so a gap of more than three intervals is a lost
   * collection unless the agent was dead (a kill -9 lies in it). Collections made during the outage
   * must be there (they were buffered), and none failed (no up 0).
   */
  private static void assertHostMetricsComplete(VictoriaMetrics vm, List<Long> killsMs, long outageFromMs,
      long outageToMs, long endMs) throws IOException {
    List<Long> ts = vm.exportTimestamps("node_time_seconds{job=\"node\"}");
    assertTrue(ts.size() >= 5, "host collections stored: " + ts);
    List<String> gaps = new ArrayList<>();
    for (int i = 1; i < ts.size(); i++) {
      long a = ts.get(i - 1);
      long b = ts.get(i);
      if (b - a > 3 * HOST_INTERVAL_MS && killsMs.stream().noneMatch(k -> a <= k && k <= b)) {
        gaps.add(a + ".." + b);
      }
    }
    assertEquals(List.of(), gaps, "host collections missing (gaps with no kill -9 in them)");
    assertTrue(ts.get(ts.size() - 1) >= endMs - 3 * HOST_INTERVAL_MS, "host metrics stored up to the end");
    long duringOutage = ts.stream().filter(t -> outageFromMs <= t && t <= outageToMs).count();
    assertTrue(duringOutage >= 2, "host collections made during the outage were buffered and delivered: " + duringOutage);
    assertEquals(List.of(), vm.exportZeroTimestamps("up{job=\"node\"}"), "failed host collections");
    assertTrue(vm.exportValues("node_cpu_seconds_total{job=\"node\",mode=\"idle\"}").size() > 0, "cpu series");
    assertTrue(vm.exportValues("namedprocess_namegroup_memory_bytes{job=\"node\",memtype=\"resident\"}").size() > 0,
        "top processes");
  }

  private static ScrapeLedger ledger(VictoriaMetrics vm, CountingTarget target, List<Long> killsMs,
      long stoppedServingMs) throws IOException {
    // up 0 after the target stopped serving are its 503s, not excuses for earlier scrapes.
    return new ScrapeLedger(target.answered.keySet(), vm.exportValueTimestamps("test_seq{job=\"t\"}"),
        vm.exportZeroTimestamps("up{job=\"t\"}").stream().filter(t -> t < stoppedServingMs).toList(), killsMs);
  }

  private static void awaitAnswered(CountingTarget target, int n) throws IOException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (target.answered.size() < n) {
      if (System.nanoTime() > deadline) {
        throw new IOException("the agent stopped scraping: " + target.answered.size() + " < " + n);
      }
      AgentProcess.pause(20);
    }
  }
}
