package dev.edgepush.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills the agent with {@code kill -9} at random moments while it scrapes every 100 ms (so
 * appends are frequent) and pushes to a receiver that holds each request 300 ms (so a push is
 * usually in flight), restarts it each time, and checks that every scrape it answered arrives
 * at least once.
 */
class Kill9MidAppendAndMidPushTest {
  @TempDir Path dir;

  @Test
  void everyBufferedSampleArrivesAtLeastOnceAcrossRepeatedKill9() throws Exception {
    SplittableRandom random = new SplittableRandom(42);
    try (SlowReceiver receiver = new SlowReceiver(300);
        CountingTarget target = new CountingTarget(500)) {
      Path config = dir.resolve("scrape.yml");
      Files.writeString(config, "global:\n  scrape_interval: 100ms\nscrape_configs:\n  - job_name: t\n"
          + "    static_configs:\n      - targets: ['127.0.0.1:" + target.port() + "']\n");
      int statusPort = VictoriaMetrics.freePort();
      String[] flags = {
        "-promscrape.config=" + config, "-remoteWrite.url=" + receiver.url(),
        "-remoteWrite.tmpDataPath=" + dir.resolve("agent-data"), "-remoteWrite.flushInterval=100ms",
        "-remoteWrite.maxRowsPerBlock=2000"
      };
      List<Long> kills = new ArrayList<>();
      StringBuilder timeline = new StringBuilder();
      long stoppedServingMs;
      for (int i = 0; i < 5; i++) {
        try (AgentProcess agent = AgentProcess.start(dir, statusPort, flags)) {
          timeline.append("agent healthy at ").append(System.currentTimeMillis()).append(" ms\n");
          AgentProcess.pause(500 + random.nextInt(1000));
          agent.kill9();
          // Taken once the process is gone, not before the signal: the target can still finish
          // answering a scrape while the SIGKILL is being delivered, and that scrape is the one
          // that may be in flight.
          kills.add(System.nanoTime());
          timeline.append("kill -9 done at ").append(System.currentTimeMillis()).append(" ms\n");
        }
      }
      long requestsBefore = receiver.requests.get();
      try (AgentProcess agent = AgentProcess.start(dir, statusPort, flags)) {
        timeline.append("last agent healthy at ").append(System.currentTimeMillis()).append(" ms\n");
        AgentProcess.pause(500);
        stoppedServingMs = System.currentTimeMillis();
        target.stopServing();
        assertEquals("ok\n", agent.get("/health"));
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline && !missing(target, receiver).isEmpty()) {
          AgentProcess.pause(100);
        }
        assertTrue(receiver.requests.get() > requestsBefore, "the last agent pushed");
      }
      TreeSet<Long> missing = missing(target, receiver);
      TreeSet<Long> inFlight = new TreeSet<>(missing);
      inFlight.retainAll(target.lastAnsweredBefore(kills));
      missing.removeAll(inFlight);
      final long stopped = stoppedServingMs;
      java.util.Set<Long> failedByAgent = target.failedByAgent(missing,
          receiver.upZeroMs.stream().filter(t -> t < stopped).toList());
      missing.removeAll(failedByAgent);
      for (long seq : inFlight) {
        long at = target.answered.get(seq);
        long kill = kills.stream().filter(k -> k >= at).min(Long::compare).orElseThrow();
        System.out.printf("seq %d was answered %d ms before a kill -9 and never written%n", seq, (kill - at) / 1_000_000);
      }
      System.out.printf("kills=%d answered=%d received_seqs=%d lost=%d in_flight_at_kill=%d failed_by_agent=%d samples_received=%d%n",
          kills.size(), target.answered.size(), receiver.seqs.size(), missing.size(), inFlight.size(), failedByAgent.size(),
          receiver.samples.get());
      assertTrue(target.answered.size() > 30, "enough scrapes to mean something");
      if (!missing.isEmpty()) {
        // Everything needed to tell a lost write from a test artefact, printed with the failure.
        for (long seq : missing) {
          timeline.append("missing seq ").append(seq).append(" requested at ")
              .append(target.requestedAtMs.get(seq)).append(" ms\n");
        }
        timeline.append("up=0 timestamps received before the target stopped serving: ")
            .append(new TreeSet<>(receiver.upZeroMs).headSet(stopped)).append('\n');
        try (java.util.stream.Stream<Path> logs = Files.list(dir)) {
          for (Path log : logs.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().toList()) {
            timeline.append("--- ").append(log.getFileName()).append('\n').append(Files.readString(log));
          }
        }
        System.out.println(timeline);
      }
      assertEquals(new TreeSet<Long>(), missing, "scrapes answered and buffered but never delivered; timeline in the test output");
      assertTrue(inFlight.size() <= kills.size(), "at most one scrape in flight per kill");
      assertTrue(failedByAgent.size() <= kills.size() + 1, "only cold starts time out: " + failedByAgent);
    }
  }

  private static TreeSet<Long> missing(CountingTarget target, SlowReceiver receiver) {
    TreeSet<Long> missing = new TreeSet<>(target.answered.keySet());
    missing.removeAll(receiver.seqs);
    return missing;
  }
}
