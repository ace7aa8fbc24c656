package dev.edgepush.forward.send;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.forward.buffer.DiskBuffer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/**
 * Fresh-first delivery, stepped with a fake clock: a scrape (two series, one sample each, in one
 * excerpt "a17;b17;") every second, a rate limit that lets about two pushes a second through, an
 * outage, then the link back.
 */
class SenderFreshFirstTest {
    static final long FLUSH_MS = 1000;
    /** A scrape written by {@link #padded}: "#17#" and random letters. */
    static final java.util.regex.Pattern PADDED = java.util.regex.Pattern.compile("#(\\d+)#");
    /** Bytes of random letters per scrape when {@link #padded} (Snappy cannot shrink them much). */
    int padded;
    /** Housekeeping (the disk cap) once a second, as the agent's scheduler does, when set. */
    boolean housekeeping;

    long nextHousekeepingMs;
    final SplittableRandom random = new SplittableRandom(3);

    @TempDir
    Path dir;

    final SetTimeProvider clock = new SetTimeProvider(Instant.parse("2026-03-01T10:00:00Z"));
    long now = clock.currentTimeMillis();
    long nextScrapeMs = now;
    int scrapes;
    boolean linkUp = true;
    boolean scraping = true;
    DiskBuffer buffer;
    SendCounters metrics = new SendCounters("samples_dropped_total{reason=\"rejected\"}");
    /** Each delivered push: when, the scrape ids it carried. */
    final List<long[]> pushes = new ArrayList<>();

    final List<Long> indexOfScrape = new ArrayList<>();

    final Sender.Transport transport = new Sender.Transport() {
        @Override
        public PushOutcome push(byte[] body, int offset, int length) {
            if (!linkUp) {
                return new PushOutcome.Retry(0, null, "connection refused");
            }
            String text;
            try {
                text = new String(
                        Snappy.uncompress(java.util.Arrays.copyOfRange(body, offset, offset + length)),
                        StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            List<Long> ids = new ArrayList<>();
            for (String part : text.split(";")) {
                if (part.startsWith("a")) {
                    ids.add(Long.parseLong(part.substring(1)));
                }
            }
            java.util.regex.Matcher m = PADDED.matcher(text);
            while (m.find()) {
                ids.add(Long.parseLong(m.group(1)));
            }
            long[] row = new long[ids.size() + 1];
            row[0] = now;
            for (int i = 0; i < ids.size(); i++) {
                row[i + 1] = ids.get(i);
            }
            pushes.add(row);
            return new PushOutcome.Delivered(204);
        }

        @Override
        public long lastRequestBytes() {
            return 10;
        }
    };

    @AfterEach
    void close() {
        if (buffer != null) {
            buffer.close();
        }
    }

    private DiskBuffer open() throws IOException {
        return DiskBuffer.open(dir, 0, TestRollCycles.TEST_SECONDLY, clock);
    }

    private Sender sender(boolean freshFirst) {
        Sender s = new Sender(
                buffer,
                transport,
                new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), new SplittableRandom(1)),
                metrics,
                () -> now,
                Duration.ofMillis(FLUSH_MS),
                4, // two scrapes a batch
                1 << 20,
                "test");
        s.rateLimiter(new RateLimiter(20)); // 10 bytes a push: about two pushes a second
        s.freshFirst(freshFirst);
        return s;
    }

    /** Runs scrapes and the sender until {@code untilMs}. */
    private void run(Sender s, long untilMs) throws IOException {
        for (int steps = 0; now < untilMs; steps++) {
            assertTrue(steps < 1_000_000, "the sender makes progress");
            while (scraping && now >= nextScrapeMs) {
                int id = scrapes++;
                byte[] b;
                if (padded > 0) {
                    StringBuilder sb = new StringBuilder("#" + id + "#");
                    for (int i = 0; i < padded; i++) {
                        sb.append((char) ('a' + random.nextInt(26)));
                    }
                    b = sb.toString().getBytes(StandardCharsets.UTF_8);
                } else {
                    b = ("a" + id + ";b" + id + ";").getBytes(StandardCharsets.UTF_8);
                }
                indexOfScrape.add(buffer.append(b, b.length, 2, nextScrapeMs));
                nextScrapeMs += 1000;
            }
            if (housekeeping && now >= nextHousekeepingMs) {
                buffer.enforceCap();
                nextHousekeepingMs = now + 1000;
            }
            long wait = s.runOnce();
            if (wait > 0) {
                long to = Math.min(Math.min(now + wait, scraping ? nextScrapeMs : Long.MAX_VALUE), untilMs);
                clock.advanceMillis(to - now);
                now = to;
            }
        }
    }

    /** Every scrape id delivered, and how many times. */
    private Map<Long, Integer> deliveredCounts() {
        Map<Long, Integer> counts = new TreeMap<>();
        for (long[] p : pushes) {
            for (int i = 1; i < p.length; i++) {
                counts.merge(p[i], 1, Integer::sum);
            }
        }
        return counts;
    }

    /** Stops scraping and lets the sender deliver what is left. */
    private void drain(Sender s) throws IOException {
        scraping = false;
        run(s, now + 10_000);
    }

    private void assertAllDeliveredOnce() {
        Map<Long, Integer> counts = deliveredCounts();
        for (long id = 0; id < scrapes; id++) {
            assertEquals(1, counts.getOrDefault(id, 0), "scrape " + id + " delivered exactly once");
        }
        assertEquals(0, buffer.pendingSamples());
    }

    /** The ids of the pushes whose ids are all below (backfill) or all at or above (live) {@code split}. */
    private static void assertLanesInOrder(List<long[]> pushes, long splitId) {
        long lastBackfill = -1;
        long lastLive = -1;
        for (long[] p : pushes) {
            boolean live = p[1] >= splitId;
            for (int i = 1; i < p.length; i++) {
                assertEquals(live, p[i] >= splitId, "a push carries one lane's excerpts");
                if (live) {
                    assertTrue(p[i] > lastLive, "live lane in order: " + p[i] + " after " + lastLive);
                    lastLive = p[i];
                } else {
                    assertTrue(p[i] > lastBackfill, "backfill in order: " + p[i] + " after " + lastBackfill);
                    lastBackfill = p[i];
                }
            }
        }
    }

    private long scrapeOfIndex(long index) {
        return indexOfScrape.indexOf(index);
    }

    @Test
    void afterAnOutageTheNewestScrapeGoesFirstAndTheBacklogDrainsOldestFirstThenTheLanesMerge() throws IOException {
        buffer = open();
        Sender s = sender(true);
        long start = now;
        run(s, start + 5_000); // steady state: one lane
        assertEquals(-1, buffer.lanes().split());
        int before = pushes.size();
        linkUp = false;
        run(s, start + 65_000); // a minute's outage: a backlog of about 60 scrapes
        linkUp = true;
        long up = now;
        int backlogEnd = scrapes; // scrapes 0 .. backlogEnd - 1 were written before the link came back
        run(s, up + 3 * FLUSH_MS);
        long split = buffer.lanes().split();
        assertTrue(split >= 0, "the backlog split the buffer");
        long splitId = scrapeOfIndex(split);
        assertTrue(
                splitId >= backlogEnd - 2 && splitId <= backlogEnd + 5, // the first 204 comes after a retry wait
                "the live lane starts with the scrapes of the last flush interval: " + splitId);
        long firstLiveMs = pushes.stream()
                .skip(before)
                .filter(p -> p[1] >= splitId)
                .mapToLong(p -> p[0])
                .findFirst()
                .orElseThrow();
        assertTrue(firstLiveMs - up <= 2 * FLUSH_MS, "the newest scrape arrives within two flush intervals");
        assertTrue(
                deliveredCounts().size() < backlogEnd - 10,
                "the backlog is still draining: " + deliveredCounts().size());
        run(s, up + 120_000);
        drain(s);
        assertEquals(-1, buffer.lanes().split(), "the lanes merged");
        assertEquals(16, Files.size(dir.resolve("ack.pos")), "a single lane's ack file again");
        assertAllDeliveredOnce();
        assertLanesInOrder(pushes.subList(before, pushes.size()), splitId);
        // while the backlog drained, live scrapes kept arriving within a few flush intervals
        Map<Long, Long> deliveredAt = new HashMap<>();
        for (long[] p : pushes) {
            for (int i = 1; i < p.length; i++) {
                deliveredAt.putIfAbsent(p[i], p[0]);
            }
        }
        for (long id = splitId + 1; id < scrapes - 3; id++) {
            long scrapedAt = start + id * 1000;
            assertTrue(
                    deliveredAt.get(id) - scrapedAt <= 3 * FLUSH_MS,
                    "live scrape " + id + " took " + (deliveredAt.get(id) - scrapedAt) + " ms");
        }
    }

    @Test
    void aDiskCapTrimDuringASplitCountsExactlyWhatWasNeverDelivered() throws IOException {
        buffer = DiskBuffer.open(dir, 4_000_000, TestRollCycles.TEST_SECONDLY, clock);
        padded = 100_000; // a file a second of about 100 kB: the cap keeps some of them
        housekeeping = true;
        Sender s = sender(true);
        s.rateLimiter(new RateLimiter(20));
        run(s, now + 3_000);
        linkUp = false;
        run(s, now + 40_000);
        long droppedDuringOutage = buffer.diskFullSamplesTotal();
        System.out.printf(
                "outage: pending=%d dropped=%d disk=%d%n",
                buffer.pendingSamples(), droppedDuringOutage, buffer.diskBytes());
        assertTrue(droppedDuringOutage > 0, "the cap dropped the oldest of the backlog");
        linkUp = true;
        run(s, now + 3_000);
        assertTrue(buffer.lanes().split() >= 0, "split");
        linkUp = false; // a second outage while split: the trim reaches into both lanes
        run(s, now + 30_000);
        linkUp = true;
        run(s, now + 60_000);
        drain(s);
        assertEquals(-1, buffer.lanes().split());
        assertTrue(buffer.diskFullSamplesTotal() > droppedDuringOutage, "trimmed while split too");
        Map<Long, Integer> counts = deliveredCounts();
        for (Map.Entry<Long, Integer> e : counts.entrySet()) {
            assertEquals(1, e.getValue(), "scrape " + e.getKey() + " delivered once");
        }
        long delivered = 2L * counts.size();
        assertEquals(0, buffer.pendingSamples());
        assertEquals(
                buffer.bufferedSamplesTotal(),
                delivered + buffer.diskFullSamplesTotal(),
                "every sample was delivered or counted as disk_full, exactly");
        assertEquals(delivered, metrics.samplesSent());
    }

    @Test
    void aRestartMidDrainResumesBothLanesWithNothingLostOrSentTwice() throws IOException {
        buffer = open();
        Sender s = sender(true);
        linkUp = false;
        run(s, now + 40_000);
        linkUp = true;
        run(s, now + 8_000);
        long split = buffer.lanes().split();
        assertTrue(split >= 0);
        assertTrue(buffer.lanes().liveAcked() >= split, "the live lane delivered");
        assertTrue(deliveredCounts().containsKey(0L), "the backfill delivered");
        assertTrue(buffer.pendingSamples() > 0);
        s.closeReader();
        buffer.close();
        buffer = open();
        assertEquals(split, buffer.lanes().split(), "the split survives the restart");
        Sender again = sender(true);
        run(again, now + 120_000);
        drain(again);
        assertEquals(-1, buffer.lanes().split());
        assertAllDeliveredOnce();
        assertLanesInOrder(pushes, scrapeOfIndex(split));
    }

    @Test
    void strictModeNeverSplitsAndSendsEverythingOldestFirst() throws IOException {
        buffer = open();
        Sender s = sender(false);
        linkUp = false;
        run(s, now + 40_000);
        linkUp = true;
        run(s, now + 120_000);
        drain(s);
        assertEquals(-1, buffer.lanes().split());
        assertEquals(16, Files.size(dir.resolve("ack.pos")));
        assertAllDeliveredOnce();
        assertLanesInOrder(pushes, Long.MAX_VALUE);
    }

    @Test
    void withoutABacklogFreshFirstSendsTheSameBytesAsStrict() throws IOException {
        List<String> strict = bodies(false);
        List<String> fresh = bodies(true);
        assertEquals(strict, fresh);
        assertFalse(strict.isEmpty());
    }

    /** The pushes of 30 s of scrapes with the link up, as text. */
    private List<String> bodies(boolean freshFirst) throws IOException {
        Path d = dir.resolve(freshFirst ? "fresh" : "strict");
        List<String> out = new ArrayList<>();
        try (DiskBuffer b = DiskBuffer.open(d, 0, TestRollCycles.TEST_SECONDLY, clock)) {
            buffer = b;
            pushes.clear();
            scrapes = 0;
            indexOfScrape.clear();
            run(sender(freshFirst), now + 30_000);
            for (long[] p : pushes) {
                out.add(java.util.Arrays.toString(java.util.Arrays.copyOfRange(p, 1, p.length)));
            }
            assertEquals(-1, b.lanes().split());
        } finally {
            buffer = null;
        }
        return out;
    }

    @Test
    void aStrictSenderFindingASplitDrainsTheBackfillBeforeTheLiveLane() throws IOException {
        buffer = open();
        Sender s = sender(true);
        linkUp = false;
        run(s, now + 40_000);
        linkUp = true;
        run(s, now + 4_000);
        long split = buffer.lanes().split();
        assertTrue(split >= 0);
        int before = pushes.size();
        Sender strict = sender(false);
        s.closeReader();
        run(strict, now + 120_000);
        drain(strict);
        assertAllDeliveredOnce();
        long last = -1;
        long splitId = scrapeOfIndex(split);
        boolean liveSeen = false;
        for (long[] p : pushes.subList(before, pushes.size())) {
            for (int i = 1; i < p.length; i++) {
                if (p[i] < splitId) {
                    assertFalse(liveSeen, "no backfill after the live lane started: " + p[i]);
                } else {
                    liveSeen = true;
                }
            }
        }
        assertEquals(-1, buffer.lanes().split());
    }
}
