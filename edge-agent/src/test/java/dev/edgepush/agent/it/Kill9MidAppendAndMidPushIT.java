package dev.edgepush.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.testsupport.CountingTarget;
import dev.edgepush.testsupport.Loopback;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills the agent with {@code kill -9} at random moments while it scrapes every 100 ms (so
 * appends are frequent) and pushes to a receiver that holds each request 300 ms (so a push is
 * usually in flight), restarts it each time, and checks that every scrape it answered arrives
 * at least once, or is accounted for by the agent itself ({@code up 0}) or by a kill that
 * interrupted it ({@link ScrapeLedger}: exact, so it holds on a loaded machine where scrapes
 * time out).
 */
class Kill9MidAppendAndMidPushIT {
    @TempDir
    Path dir;

    @Test
    void everyBufferedSampleArrivesAtLeastOnceAcrossRepeatedKill9() throws Exception {
        SplittableRandom random = new SplittableRandom(42);
        try (SlowReceiver receiver = new SlowReceiver(300);
                CountingTarget target = new CountingTarget(500)) {
            Path config = dir.resolve("scrape.yml");
            Files.writeString(
                    config,
                    "global:\n  scrape_interval: 100ms\nscrape_configs:\n  - job_name: t\n"
                            + "    static_configs:\n      - targets: ['127.0.0.1:" + target.port() + "']\n");
            int statusPort = Loopback.freePort();
            String[] flags = {
                "-promscrape.config=" + config,
                "-remoteWrite.url=" + receiver.url(),
                "-remoteWrite.tmpDataPath=" + dir.resolve("agent-data"),
                "-remoteWrite.flushInterval=100ms",
                "-remoteWrite.maxRowsPerBlock=2000"
            };
            List<Long> killsMs = new ArrayList<>();
            StringBuilder timeline = new StringBuilder();
            long stoppedServingMs;
            for (int i = 0; i < 5; i++) {
                try (AgentProcess agent = AgentProcess.start(dir, statusPort, flags)) {
                    timeline.append("agent healthy at ")
                            .append(System.currentTimeMillis())
                            .append(" ms\n");
                    // Some scrapes first (counted, not timed: a loaded machine scrapes fewer per second),
                    // then a random moment, mid-append or mid-push.
                    awaitAnswered(target, target.answered.size() + 7);
                    AgentProcess.pause(random.nextInt(1000));
                    agent.kill9();
                    // Taken once the process is gone, not before the signal: the target can still finish
                    // answering a scrape while the SIGKILL is being delivered, and that scrape is the one
                    // that may be in flight.
                    killsMs.add(System.currentTimeMillis());
                    timeline.append("kill -9 done at ")
                            .append(System.currentTimeMillis())
                            .append(" ms\n");
                }
            }
            long requestsBefore = receiver.requests.get();
            try (AgentProcess agent = AgentProcess.start(dir, statusPort, flags)) {
                timeline.append("last agent healthy at ")
                        .append(System.currentTimeMillis())
                        .append(" ms\n");
                AgentProcess.pause(500);
                stoppedServingMs = System.currentTimeMillis();
                target.stopServing();
                assertEquals("ok\n", agent.get("/health"));
                long deadline = System.nanoTime() + 120_000_000_000L;
                // Oldest first once the lanes of a fresh-first drain merged: once the last answered scrape
                // arrived with one lane, so did all that ever will.
                long last = target.lastAnswered();
                while (System.nanoTime() < deadline
                        && !(receiver.seqs.containsKey(last) && AgentProcess.oneLane(dir.resolve("agent-data")))) {
                    AgentProcess.pause(100);
                }
                assertTrue(receiver.requests.get() > requestsBefore, "the last agent pushed");
            }
            final long stopped = stoppedServingMs;
            ScrapeLedger ledger = ledger(target, receiver, killsMs, stopped);
            System.out.printf(
                    "kills=%d answered=%d received_seqs=%d %s samples_received=%d%n",
                    killsMs.size(), target.answered.size(), receiver.seqs.size(), ledger, receiver.samples.get());
            assertTrue(target.answered.size() > 30, "enough scrapes to mean something");
            if (!ledger.lost.isEmpty()) {
                // Everything needed to tell a lost write from a test artefact, printed with the failure.
                for (long seq : ledger.lost) {
                    timeline.append("missing seq ")
                            .append(seq)
                            .append(" requested at ")
                            .append(target.requestedAtMs.get(seq))
                            .append(" ms\n");
                }
                timeline.append("delivered seq -> scrape ms: ")
                        .append(new java.util.TreeMap<>(receiver.seqs))
                        .append('\n');
                timeline.append("up=0 timestamps received before the target stopped serving: ")
                        .append(new TreeSet<>(receiver.upZeroMs).headSet(stopped))
                        .append('\n');
                try (java.util.stream.Stream<Path> logs = Files.list(dir)) {
                    for (Path log : logs.filter(p -> p.getFileName().toString().endsWith(".log"))
                            .sorted()
                            .toList()) {
                        timeline.append("--- ")
                                .append(log.getFileName())
                                .append('\n')
                                .append(Files.readString(log));
                    }
                }
                System.out.println(timeline);
            }
            assertEquals(
                    Set.of(),
                    ledger.lost,
                    "scrapes answered and buffered but never delivered; timeline in the test output");
        }
    }

    private static void awaitAnswered(CountingTarget target, int n) throws java.io.IOException {
        long deadline = System.nanoTime() + 120_000_000_000L; // a poll: generous for a loaded machine
        while (target.answered.size() < n) {
            if (System.nanoTime() > deadline) {
                throw new java.io.IOException("the agent stopped scraping: " + target.answered.size() + " < " + n);
            }
            AgentProcess.pause(20);
        }
    }

    private static ScrapeLedger ledger(
            CountingTarget target, SlowReceiver receiver, List<Long> killsMs, long stoppedServingMs) {
        // up 0 after the target stopped serving are its 503s, not excuses for earlier scrapes.
        return new ScrapeLedger(
                target.answered.keySet(),
                receiver.seqs,
                receiver.upZeroMs.stream().filter(t -> t < stoppedServingMs).toList(),
                killsMs);
    }
}
