package dev.edgepush.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.testsupport.CountingTarget;
import dev.edgepush.testsupport.Loopback;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fresh-first delivery with a real agent: its remote is down while a backlog builds up, then
 * comes back on a slow link (each push held {@value #DELAY_MS} ms). The newest scrapes must
 * arrive within about two flush intervals of the link coming back while the backlog is still
 * draining; the agent is then {@code kill -9}'d with both lanes delivering, restarted, and every
 * answered scrape must arrive in the end ({@link ScrapeLedger}), each once, except those of the one
 * push in flight at the kill (counted).
 */
class FreshFirstAfterOutageIT {
    static final long FLUSH_MS = 1000;
    static final long DELAY_MS = 300;

    @TempDir
    Path dir;

    @Test
    void newScrapesArriveFirstAfterAnOutageAndNothingIsLostAcrossAKillMidDrain() throws Exception {
        try (OutageReceiver receiver = new OutageReceiver(DELAY_MS);
                CountingTarget target = new CountingTarget(500)) {
            Path config = dir.resolve("scrape.yml");
            Files.writeString(
                    config,
                    "global:\n  scrape_interval: 250ms\nscrape_configs:\n  - job_name: t\n"
                            + "    static_configs:\n      - targets: ['127.0.0.1:" + target.port() + "']\n");
            int statusPort = Loopback.freePort();
            Path data = dir.resolve("agent-data");
            String[] flags = {
                "-promscrape.config=" + config,
                "-remoteWrite.url=" + receiver.url(),
                "-remoteWrite.tmpDataPath=" + data,
                "-remoteWrite.flushInterval=" + FLUSH_MS + "ms",
                "-remoteWrite.maxRowsPerBlock=2000"
            };
            List<Long> killsMs = new ArrayList<>();
            long stoppedServingMs;
            long linkUpMs;
            long liveMs;
            long newestAtUp;
            int backlogLeftAtLive;
            int backlog;
            try (AgentProcess agent = AgentProcess.start(dir, statusPort, flags)) {
                awaitAnswered(target, 8);
                receiver.up = false; // the outage: 503 with Retry-After: 1
                awaitAnswered(target, target.answered.size() + 80); // about 20 s: some 40,000 samples
                newestAtUp = target.lastAnswered();
                backlog = (int) target.answered.keySet().stream()
                        .filter(s -> !receiver.seqs.containsKey(s))
                        .count();
                receiver.comeUp();
                long deadline = System.nanoTime() + 60_000_000_000L;
                while (System.nanoTime() < deadline && firstArrivalFrom(receiver, newestAtUp) == 0) {
                    AgentProcess.pause(20);
                }
                linkUpMs = receiver.firstOkMs.get();
                liveMs = firstArrivalFrom(receiver, newestAtUp);
                assertTrue(liveMs > 0, "the newest scrapes arrived");
                final long live = liveMs;
                backlogLeftAtLive = (int) target.answered.headMap(newestAtUp).keySet().stream()
                        .filter(s -> receiver.arrivedMs.getOrDefault(s, Long.MAX_VALUE) > live)
                        .count();
                // Both lanes delivering: the split is on disk and the backfill has delivered since the link came back.
                final long up = linkUpMs;
                final long newest = newestAtUp;
                while (System.nanoTime() < deadline
                        && receiver.arrivedMs.entrySet().stream()
                                        .filter(e -> e.getKey() < newest && e.getValue() > up)
                                        .count()
                                < 8) {
                    AgentProcess.pause(20);
                }
                assertFalse(AgentProcess.oneLane(data), "the buffer is split while the backlog drains");
                agent.kill9();
                killsMs.add(System.currentTimeMillis());
            }
            int deliveredAtKill = receiver.seqs.size();
            try (AgentProcess agent = AgentProcess.start(dir, statusPort, flags)) {
                awaitAnswered(target, target.answered.size() + 8);
                stoppedServingMs = System.currentTimeMillis();
                target.stopServing();
                long last = target.lastAnswered();
                long deadline = System.nanoTime() + 180_000_000_000L; // a poll: generous for a loaded machine
                while (System.nanoTime() < deadline
                        && !(receiver.seqs.containsKey(last) && AgentProcess.oneLane(data))) {
                    AgentProcess.pause(100);
                }
                assertEquals("ok\n", agent.get("/health"));
            }
            ScrapeLedger ledger = new ScrapeLedger(
                    target.answered.keySet(),
                    receiver.seqs,
                    receiver.upZeroMs.stream().filter(t -> t < stoppedServingMs).toList(),
                    killsMs);
            Map<Long, Integer> duplicates = new TreeMap<>();
            receiver.times.forEach((seq, n) -> {
                if (n > 1) {
                    duplicates.put(seq, n);
                }
            });
            System.out.printf(
                    "fresh first: backlog=%d scrapes, newest at link-up arrived %d ms after the first 204 with %d"
                            + " backlog scrapes still undelivered; delivered at kill=%d; answered=%d %s duplicates=%s%n",
                    backlog,
                    liveMs - linkUpMs,
                    backlogLeftAtLive,
                    deliveredAtKill,
                    target.answered.size(),
                    ledger,
                    duplicates);
            assertTrue(backlog >= 40, "a backlog built up: " + backlog);
            assertTrue(
                    liveMs - linkUpMs <= 2 * FLUSH_MS + 2 * DELAY_MS,
                    "the newest scrapes arrived " + (liveMs - linkUpMs) + " ms after the link came back");
            assertTrue(backlogLeftAtLive >= 10, "the backlog was still draining: " + backlogLeftAtLive + " left");
            assertEquals(Set.of(), ledger.lost, "answered scrapes never delivered");
            // The one push in flight at the kill may arrive twice: at most a batch, 2,000 samples of ~500 a scrape.
            assertTrue(duplicates.size() <= 4, "duplicates only from the push in flight at the kill: " + duplicates);
        }
    }

    /** Wall-clock ms of the first arrival of a scrape at or after {@code seq}, 0 when none yet. */
    private static long firstArrivalFrom(OutageReceiver receiver, long seq) {
        return receiver.arrivedMs.entrySet().stream()
                .filter(e -> e.getKey() >= seq)
                .mapToLong(Map.Entry::getValue)
                .min()
                .orElse(0);
    }

    private static void awaitAnswered(CountingTarget target, int n) throws IOException {
        long deadline = System.nanoTime() + 120_000_000_000L; // a poll: generous for a loaded machine
        while (target.answered.size() < n) {
            if (System.nanoTime() > deadline) {
                throw new IOException("the agent stopped scraping: " + target.answered.size() + " < " + n);
            }
            AgentProcess.pause(20);
        }
    }
}
