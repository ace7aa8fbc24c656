package dev.edgepush.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The core promise end to end, against a real VictoriaMetrics: the central goes away, the agent
 * is {@code kill -9}'d during the outage and restarted, the central comes back, and every
 * scrape the target answered is in storage.
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
        "-remoteWrite.tmpDataPath=" + dir.resolve("agent-data"), "-remoteWrite.flushInterval=200ms"
      };
      List<Long> killNanos = new ArrayList<>();
      long stoppedServingMs;
      AgentProcess agent = AgentProcess.start(dir, statusPort, flags);
      try {
        awaitAnswered(target, 5);
        vm.stop(); // the central goes away
        awaitAnswered(target, target.answered.size() + 10);
        agent.kill9(); // during the outage, with a backlog on disk
        killNanos.add(System.nanoTime()); // once it is gone: a scrape answered while it died was in flight
        agent = AgentProcess.start(dir, statusPort, flags);
        awaitAnswered(target, target.answered.size() + 10);
        vm.start(); // the central comes back
        awaitAnswered(target, target.answered.size() + 5);
        stoppedServingMs = System.currentTimeMillis();
        target.stopServing();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline && !missing(vm, target).isEmpty()) {
          AgentProcess.pause(200);
        }
      } finally {
        agent.close();
      }
      Set<Long> stored = stored(vm);
      Set<Long> missing = new TreeSet<>(target.answered.keySet());
      missing.removeAll(stored);
      // The one scrape that may be answered but not yet written when kill -9 lands is the only excuse.
      Set<Long> inFlightAtKill = new TreeSet<>(missing);
      inFlightAtKill.retainAll(target.lastAnsweredBefore(killNanos));
      missing.removeAll(inFlightAtKill);
      final long stopped = stoppedServingMs;
      Set<Long> failedByAgent = target.failedByAgent(missing,
          vm.exportZeroTimestamps("up{job=\"t\"}").stream().filter(t -> t < stopped).toList());
      missing.removeAll(failedByAgent);
      System.out.printf("answered=%d stored=%d lost=%d in_flight_at_kill=%d failed_by_agent=%d missing=%s%n",
          target.answered.size(), stored.size(), missing.size(), inFlightAtKill.size(), failedByAgent.size(), missing);
      assertTrue(target.answered.size() >= 25, "the scenario scraped enough to mean something");
      assertEquals(Set.of(), missing, "answered scrapes missing from VictoriaMetrics");
      assertTrue(inFlightAtKill.size() <= killNanos.size(), "at most one scrape in flight per kill");
      assertTrue(failedByAgent.size() <= 2, "only the two cold starts may time out: " + failedByAgent);
    }
  }

  private static Set<Long> stored(VictoriaMetrics vm) throws IOException {
    Set<Long> stored = new HashSet<>();
    for (double v : vm.exportValues("test_seq{job=\"t\"}")) {
      stored.add((long) v);
    }
    return stored;
  }

  private static Set<Long> missing(VictoriaMetrics vm, CountingTarget target) throws IOException {
    Set<Long> missing = new TreeSet<>(target.answered.keySet());
    missing.removeAll(stored(vm));
    return missing;
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
