package dev.edgepush.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.testsupport.CountingTarget;
import dev.edgepush.testsupport.Loopback;
import dev.edgepush.testsupport.VictoriaMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The core promise end to end, against a real VictoriaMetrics: the central goes away, the agent
 * is {@code kill -9}'d during the outage and restarted, the central comes back, and every
 * scrape the target answered is in storage. The agent collects its host's metrics too ({@code
 * -host.collectors=default}, issue 14): they go through the same buffer, so every host collection
 * but the ones while the agent was dead is stored, including those made during the outage.
 *
 * <p>On a loaded machine the agent can be starved: scrapes and collections then start late or
 * time out. Neither check is loosened for it; each gap must be explained ({@link ScrapeLedger}
 * for the target's scrapes, {@link CollectionGaps} for the host collections), and a host
 * collection may only fail for want of CPU (its timeout), which the agent logs.
 */
class DeliveryAcrossOutageAndKill9IT {
    @TempDir
    Path dir;

    @Test
    void everyAnsweredScrapeArrivesAfterOutageAndKill9() throws Exception {
        try (VictoriaMetrics vm = new VictoriaMetrics(dir);
                CountingTarget target = new CountingTarget(50)) {
            Path config = dir.resolve("scrape.yml");
            Files.writeString(
                    config,
                    "global:\n  scrape_interval: 200ms\nscrape_configs:\n  - job_name: t\n"
                            + "    static_configs:\n      - targets: ['127.0.0.1:" + target.port() + "']\n");
            int statusPort = Loopback.freePort();
            String[] flags = {
                "-promscrape.config=" + config,
                "-remoteWrite.url=" + vm.writeUrl(),
                "-remoteWrite.tmpDataPath=" + dir.resolve("agent-data"),
                "-remoteWrite.flushInterval=200ms",
                "-host.collectors=default",
                "-host.interval=" + HOST_INTERVAL_MS + "ms"
            };
            long outageFromMs;
            long outageToMs;
            List<Long> killsMs = new ArrayList<>();
            long stoppedServingMs;
            List<AgentProcess> agents = new ArrayList<>();
            AgentProcess agent = AgentProcess.start(dir, statusPort, flags);
            agents.add(agent);
            try {
                awaitAnswered(target, 5);
                vm.stop(); // the central goes away
                outageFromMs = System.currentTimeMillis();
                awaitAnswered(target, target.answered.size() + 10);
                agent.kill9(); // during the outage, with a backlog on disk
                killsMs.add(
                        System.currentTimeMillis()); // once it is gone: a scrape answered while it died was in flight
                agent = AgentProcess.start(dir, statusPort, flags);
                agents.add(agent);
                awaitAnswered(target, target.answered.size() + 10);
                outageToMs = System.currentTimeMillis();
                vm.start(); // the central comes back
                awaitAnswered(target, target.answered.size() + 5);
                stoppedServingMs = System.currentTimeMillis();
                target.stopServing();
                long deadline = System.nanoTime() + 120_000_000_000L; // a poll: generous for a loaded machine
                // Oldest first once the lanes of a fresh-first drain merged: once the last answered scrape is
                // stored with one lane, so is all that ever will be.
                long last = target.lastAnswered();
                while (System.nanoTime() < deadline
                        && !(firstTimestampOfEachValue(vm, "test_seq{job=\"t\"}")
                                        .containsKey(last)
                                && AgentProcess.oneLane(dir.resolve("agent-data")))) {
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
            StringBuilder logs = new StringBuilder();
            for (AgentProcess a : agents) {
                logs.append(a.logText());
            }
            assertHostMetricsComplete(vm, target, killsMs, outageFromMs, outageToMs, stoppedServingMs, logs.toString());
        }
    }

    static final long HOST_INTERVAL_MS = 500;

    /** The only reasons a host collection may fail here: the machine did not give it the CPU in time. */
    static final List<String> STARVED =
            List.of("host collection timed out after", "the previous host collection has not finished");

    /**
     * Host collections are not counted outside the agent, so completeness is read from their
     * timestamps: one each {@link #HOST_INTERVAL_MS}, so a gap of more than three intervals (up to
     * the end) is a lost collection unless {@link CollectionGaps} finds it explained (a kill -9, a
     * recorded failure, an agent-wide stall seen by the scrape target). Collections made during the
     * outage must be there (they were buffered), and a failed one (up 0) must have failed for want
     * of CPU, as the agent's log says, never for another reason.
     */
    private static void assertHostMetricsComplete(
            VictoriaMetrics vm,
            CountingTarget target,
            List<Long> killsMs,
            long outageFromMs,
            long outageToMs,
            long endMs,
            String agentLogs)
            throws IOException {
        List<Long> ts = vm.exportTimestamps("node_time_seconds{job=\"node\"}");
        assertTrue(ts.size() >= 5, "host collections stored: " + ts);
        List<Long> failed = zeroTimestamps(vm, "up{job=\"node\"}");
        CollectionGaps gaps = new CollectionGaps(HOST_INTERVAL_MS, ts, failed, killsMs, target.arrivalsMs, endMs);
        System.out.printf("host collections: stored=%d failed=%d %s%n", ts.size(), failed.size(), gaps);
        assertEquals(
                List.of(), gaps.unexplained, "host collections missing (gaps no kill -9, failure or stall explains)");
        List<String> reasons = agentLogs
                .lines()
                .filter(l -> l.contains("(job node) is down: "))
                .map(l -> l.substring(l.indexOf("(job node) is down: ") + "(job node) is down: ".length()))
                .toList();
        assertEquals(
                List.of(),
                reasons.stream()
                        .filter(r -> STARVED.stream().noneMatch(r::startsWith))
                        .toList(),
                "host collections failed for a reason other than a starved machine");
        assertTrue(
                failed.isEmpty() || !reasons.isEmpty(),
                "failed host collections " + failed + " the agent never logged");
        long duringOutage =
                ts.stream().filter(t -> outageFromMs <= t && t <= outageToMs).count();
        assertTrue(
                duringOutage >= 2,
                "host collections made during the outage were buffered and delivered: " + duringOutage);
        assertTrue(
                vm.exportValues("node_cpu_seconds_total{job=\"node\",mode=\"idle\"}")
                                .size()
                        > 0,
                "cpu series");
        assertTrue(
                vm.exportValues("namedprocess_namegroup_memory_bytes{job=\"node\",memtype=\"resident\"}")
                                .size()
                        > 0,
                "top processes");
    }

    private static ScrapeLedger ledger(
            VictoriaMetrics vm, CountingTarget target, List<Long> killsMs, long stoppedServingMs) throws IOException {
        // up 0 after the target stopped serving are its 503s, not excuses for earlier scrapes.
        return new ScrapeLedger(
                target.answered.keySet(),
                firstTimestampOfEachValue(vm, "test_seq{job=\"t\"}"),
                zeroTimestamps(vm, "up{job=\"t\"}").stream()
                        .filter(t -> t < stoppedServingMs)
                        .toList(),
                killsMs);
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

    /** Timestamps of the stored samples equal to 0 (up 0: a failed scrape) of the series matching {@code selector}. */
    private static List<Long> zeroTimestamps(VictoriaMetrics vm, String selector) throws IOException {
        List<Long> out = new ArrayList<>();
        for (VictoriaMetrics.Series s : vm.export(selector)) {
            for (int i = 0; i < s.values().size(); i++) {
                if (s.values().get(i) == 0) {
                    out.add(s.timestamps().get(i));
                }
            }
        }
        return out;
    }

    /** Each value of {@code selector}'s samples (read as a whole number) -> its first timestamp. */
    private static Map<Long, Long> firstTimestampOfEachValue(VictoriaMetrics vm, String selector) throws IOException {
        Map<Long, Long> out = new HashMap<>();
        for (VictoriaMetrics.Series s : vm.export(selector)) {
            for (int i = 0; i < s.values().size(); i++) {
                out.putIfAbsent(s.values().get(i).longValue(), s.timestamps().get(i));
            }
        }
        return out;
    }
}
