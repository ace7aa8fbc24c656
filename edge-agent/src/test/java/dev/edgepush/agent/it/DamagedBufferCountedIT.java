package dev.edgepush.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.forward.buffer.BufferReader;
import dev.edgepush.proto.rw1.RemoteWrite;
import dev.edgepush.testsupport.CountingTarget;
import dev.edgepush.testsupport.Loopback;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.rollcycles.LegacyRollCycles;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, item 4: a damaged buffer file loses data, and what it loses is counted, not silent.
 * A real agent scrapes a {@link CountingTarget} every 500 ms while its remote is down (nothing
 * listens on the remote's port), so everything stays in its disk buffer; it is killed with
 * {@code kill -9}, the newest cycle file is damaged (cut in the middle of an excerpt's payload,
 * or zero-filled from the middle of one excerpt's payload to the middle of the third after it),
 * and the agent is started again with a receiver on that port.
 *
 * <p>Before the damage the test reads the buffer itself (every excerpt's sample count, and which
 * {@code test_seq} it holds), so it knows what the damage destroys. Then, exactly: the samples
 * buffered equal the samples delivered plus those counted as dropped ({@code
 * edge_agent_samples_dropped_total{reason="corrupt"}} for an excerpt whose header still tells
 * its samples, which must be above 0, plus the samples of the excerpts counted in {@code
 * edge_agent_buffer_corrupt_excerpts_total}, whose headers the damage took); and every scrape the
 * target answered arrived, was in a destroyed excerpt, or was the one in flight at the kill (or
 * one the agent itself recorded as failed, {@link ScrapeLedger}).
 */
class DamagedBufferCountedIT {
    /** Series the target serves besides {@code test_seq}. */
    private static final int FILLER = 50;
    /** Excerpts wanted in the newest cycle file (a minute's) before the kill. */
    private static final int IN_NEWEST = 12;

    @TempDir
    Path dir;

    enum Damage {
        TRUNCATE,
        ZERO_FILL
    }

    @Test
    void aNewestBufferFileCutInTheMiddleIsCountedSampleForSample() throws Exception {
        run(Damage.TRUNCATE);
    }

    @Test
    void aZeroFilledRegionOfTheNewestBufferFileIsCountedSampleForSample() throws Exception {
        run(Damage.ZERO_FILL);
    }

    private void run(Damage damage) throws Exception {
        int receiverPort = Loopback.freePort();
        try (CountingTarget target = new CountingTarget(FILLER)) {
            Path config = dir.resolve("scrape.yml");
            Files.writeString(
                    config,
                    "global:\n  scrape_interval: 500ms\n  scrape_timeout: 500ms\nscrape_configs:\n  - job_name: t\n"
                            + "    static_configs:\n      - targets: ['127.0.0.1:" + target.port() + "']\n");
            int statusPort = Loopback.freePort();
            String[] flags = {
                "-promscrape.config=" + config,
                "-remoteWrite.url=http://127.0.0.1:" + receiverPort + "/api/v1/write",
                "-remoteWrite.tmpDataPath=" + dir.resolve("agent-data"),
                "-remoteWrite.flushInterval=200ms"
            };
            long killMs;
            try (AgentProcess agent = AgentProcess.start(dir, statusPort, flags)) {
                awaitScrapesInThisMinute(target, IN_NEWEST);
                agent.kill9();
                // Once it is gone: a scrape the target finished answering meanwhile was in flight.
                killMs = System.currentTimeMillis();
            }
            Path queueDir = dir.resolve("agent-data").resolve("buffer").resolve("queue");
            List<Excerpt> all = readBuffer(queueDir);
            int newestCycle = all.get(all.size() - 1).cycle;
            List<Excerpt> newest =
                    all.stream().filter(e -> e.cycle == newestCycle).toList();
            assertTrue(newest.size() >= IN_NEWEST - 2, "enough excerpts in the newest file: " + newest.size());
            Path file = newestCycleFile(queueDir);
            int m = newest.size() / 2;
            if (damage == Damage.TRUNCATE) {
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    ch.truncate(newest.get(m).midPayload());
                }
            } else {
                zeroFill(file, newest.get(m).midPayload(), newest.get(m + 3).midPayload());
            }
            List<Excerpt> destroyed = newest.subList(m, newest.size());
            Set<Long> destroyedSeqs = new TreeSet<>();
            destroyed.stream().filter(e -> e.seq >= 0).forEach(e -> destroyedSeqs.add(e.seq));
            long buffered = all.stream().mapToLong(e -> e.samples).sum();
            Set<Long> bufferedSeqs = new TreeSet<>();
            all.stream().filter(e -> e.seq >= 0).forEach(e -> bufferedSeqs.add(e.seq));
            long withoutSeq = all.stream().filter(e -> e.seq < 0).count();

            long stoppedServingMs;
            long corruptSamples;
            long corruptExcerpts;
            long corruptFiles;
            String log;
            try (SampleReceiver receiver = new SampleReceiver(receiverPort, true);
                    AgentProcess agent = AgentProcess.start(dir, statusPort, flags)) {
                awaitAnswered(target, target.answered.size() + 4);
                stoppedServingMs = System.currentTimeMillis();
                target.stopServing();
                // Oldest first once the lanes of a fresh-first drain merged: once the last answered scrape
                // arrived with one lane, so did all that ever will
                // (a last scrape the agent timed out never arrives: the ledger below excuses it by its up 0).
                long last = target.lastAnswered();
                long deadline = System.nanoTime() + 120_000_000_000L; // a poll: generous for a loaded machine
                while (System.nanoTime() < deadline
                        && !(receiver.seqs.contains(last) && AgentProcess.oneLane(dir.resolve("agent-data")))) {
                    AgentProcess.pause(100);
                }
                String metrics = agent.get("/metrics");
                corruptSamples = metric(metrics, "edge_agent_samples_dropped_total{reason=\"corrupt\"}");
                corruptExcerpts = metric(metrics, "edge_agent_buffer_corrupt_excerpts_total");
                corruptFiles = metric(metrics, "edge_agent_buffer_corrupt_files_total");
                log = agent.logText();

                long delivered = receiver.distinctSamplesBefore(killMs);
                // The excerpts counted without their samples are the last ones: the damage took their headers
                // (or the reader cannot get past it to them).
                long uncountable =
                        newest
                                .subList(newest.size() - (int) Math.min(corruptExcerpts, newest.size()), newest.size())
                                .stream()
                                .mapToLong(e -> e.samples)
                                .sum();
                long destroyedSamples =
                        destroyed.stream().mapToLong(e -> e.samples).sum();
                System.out.printf(
                        "%s: excerpts buffered=%d (newest file %d, destroyed %d) samples buffered=%d delivered=%d"
                                + " corrupt_samples=%d corrupt_excerpts=%d (%d samples) corrupt_files=%d%n",
                        damage,
                        all.size(),
                        newest.size(),
                        destroyed.size(),
                        buffered,
                        delivered,
                        corruptSamples,
                        corruptExcerpts,
                        uncountable,
                        corruptFiles);
                assertTrue(
                        corruptSamples > 0, "the damaged excerpt whose header survived is counted in samples:\n" + log);
                assertEquals(1, corruptFiles, "one damaged file:\n" + log);
                assertEquals(
                        destroyedSamples,
                        corruptSamples + uncountable,
                        "every destroyed excerpt counted once, in samples or as an excerpt:\n" + log);
                assertEquals(buffered, delivered + corruptSamples + uncountable, "buffered = delivered + counted");
                assertEquals(
                        Set.of(),
                        intersection(destroyedSeqs, receiver.seqs),
                        "a destroyed excerpt's scrape cannot arrive");

                // The target's side: run 1's answered scrapes are all in the buffer but the one in flight at
                // the kill (and those the agent timed out, buffered as an excerpt without test_seq).
                List<Long> answeredBeforeKill = target.requestedAtMs.entrySet().stream()
                        .filter(e -> e.getValue() < killMs && target.answered.containsKey(e.getKey()))
                        .map(java.util.Map.Entry::getKey)
                        .filter(s -> !bufferedSeqs.contains(s))
                        .toList();
                assertTrue(
                        answeredBeforeKill.size() <= 1 + withoutSeq,
                        "answered before the kill but not buffered: " + answeredBeforeKill);
                // Every answered scrape arrived, or was destroyed (and counted above), or is excused.
                Set<Long> answered = new TreeSet<>(target.answered.keySet());
                answered.removeAll(destroyedSeqs);
                List<Long> upZero = receiver.up.getOrDefault("t", java.util.Map.of()).entrySet().stream()
                        .filter(e -> e.getValue() == 0 && e.getKey() < stoppedServingMs)
                        .map(java.util.Map.Entry::getKey)
                        .toList();
                ScrapeLedger ledger = new ScrapeLedger(answered, receiver.seqTimestamps, upZero, List.of(killMs));
                System.out.printf(
                        "%s: answered=%d destroyed=%s %s%n", damage, target.answered.size(), destroyedSeqs, ledger);
                assertEquals(Set.of(), ledger.lost, "answered scrapes neither delivered nor counted:\n" + log);
            }
        }
    }

    private static Set<Long> intersection(Set<Long> a, Set<Long> b) {
        Set<Long> out = new TreeSet<>(a);
        out.retainAll(b);
        return out;
    }

    /** One excerpt as the test read it: where it is in its file, its sample count and its test_seq. */
    record Excerpt(int cycle, long start, long end, int samples, long seq) {
        /** A byte in the middle of its payload: after its Chronicle header and its own header. */
        long midPayload() {
            long payload = start + 4 + 33;
            return payload + (end - payload) / 2;
        }
    }

    /**
     * Every complete excerpt of the buffer, oldest first, read with Chronicle (read-only; the agent
     * is dead) and decoded as the buffer's reader decodes it ({@link BufferReader.Record#readFrom}:
     * any record format, checksum checked): its sample count and its WriteRequest.
     */
    private static List<Excerpt> readBuffer(Path queueDir) throws IOException {
        List<Excerpt> out = new ArrayList<>();
        try (SingleChronicleQueue q = SingleChronicleQueueBuilder.binary(queueDir)
                        .rollCycle(LegacyRollCycles.MINUTELY)
                        .blockSize(1 << 20)
                        .readOnly(true)
                        .build();
                ExcerptTailer t = q.createTailer()) {
            while (true) {
                try (DocumentContext dc = t.readingDocument()) {
                    if (!dc.isPresent()) {
                        break;
                    }
                    Bytes<?> b = dc.wire().bytes();
                    long start = b.readPosition() - 4;
                    long end = b.readLimit();
                    byte[] record = new byte[(int) (end - b.readPosition())];
                    b.read(record);
                    BufferReader.Record r = new BufferReader.Record();
                    assertEquals(null, r.readFrom(record), "an intact excerpt");
                    int samples = r.sampleCount;
                    byte[] payload = new byte[r.uncompressedLength];
                    assertEquals(payload.length, r.decompressTo(payload, 0));
                    out.add(new Excerpt(q.rollCycle().toCycle(dc.index()), start, end, samples, seqOf(payload)));
                }
            }
        }
        assertTrue(!out.isEmpty(), "the buffer holds excerpts");
        return out;
    }

    /** The test_seq value in a WriteRequest, or -1 (a failed scrape's excerpt has none). */
    private static long seqOf(byte[] writeRequest) throws IOException {
        for (RemoteWrite.TimeSeries ts :
                RemoteWrite.WriteRequest.parseFrom(writeRequest).getTimeseriesList()) {
            for (RemoteWrite.Label l : ts.getLabelsList()) {
                if (l.getName().equals("__name__") && l.getValue().equals("test_seq")) {
                    return (long) ts.getSamples(0).getValue();
                }
            }
        }
        return -1;
    }

    private static Path newestCycleFile(Path queueDir) throws IOException {
        try (Stream<Path> s = Files.list(queueDir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".cq4"))
                    .max(java.util.Comparator.comparing(p -> p.getFileName().toString()))
                    .orElseThrow();
        }
    }

    private static void zeroFill(Path f, long from, long to) throws IOException {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ByteBuffer zeros = ByteBuffer.allocate(64 * 1024);
            for (long at = from; at < to; ) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), to - at));
                at += ch.write(zeros, at);
            }
        }
    }

    private static long metric(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(metrics);
        if (!m.find()) {
            throw new IllegalStateException("no metric " + name + " in:\n" + metrics);
        }
        return (long) Double.parseDouble(m.group(1));
    }

    /**
     * Waits until {@code n} scrapes were answered in the current UTC minute, so that the newest
     * cycle file (one per minute) holds that many excerpts.
     */
    private static void awaitScrapesInThisMinute(CountingTarget target, int n) throws IOException {
        long deadline = System.nanoTime() + 180_000_000_000L; // a poll: generous for a loaded machine
        while (true) {
            long minute = System.currentTimeMillis() / 60_000 * 60_000;
            long inMinute = target.requestedAtMs.entrySet().stream()
                    .filter(e -> e.getValue() >= minute + 100 && target.answered.containsKey(e.getKey()))
                    .count();
            if (inMinute >= n) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("the agent did not scrape enough: " + target.answered.size());
            }
            AgentProcess.pause(50);
        }
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
