package dev.edgepush.forward.send;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.forward.buffer.DiskBuffer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/** Steps the send loop with a fake clock and a scripted transport. */
class SenderTest {
    @TempDir
    Path dir;

    long now = 1_000_000;
    DiskBuffer buffer;
    SendCounters metrics;
    final List<String> sent = new ArrayList<>();
    final Deque<PushOutcome> script = new ArrayDeque<>();

    final Sender.Transport transport = new Sender.Transport() {
        @Override
        public PushOutcome push(byte[] body, int offset, int length) {
            // The body is one Snappy block; the tests assert on what it decompresses to.
            try {
                sent.add(new String(
                        Snappy.uncompress(Arrays.copyOfRange(body, offset, offset + length)), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("the pushed body is not a valid Snappy block", e);
            }
            duringPush.run();
            return script.isEmpty() ? new PushOutcome.Delivered(204) : script.poll();
        }

        @Override
        public long lastRequestBytes() {
            return 10;
        }
    };

    @BeforeEach
    void open() throws IOException {
        buffer = DiskBuffer.open(dir);
        metrics = new SendCounters("samples_dropped_total{reason=\"rejected\"}");
    }

    /** Done before a push returns, as if the scheduler's trim ran while the request was in flight. */
    Runnable duringPush = () -> {};

    @AfterEach
    void close() {
        buffer.close();
    }

    private Sender sender(int maxSamples, int maxBytes) {
        return new Sender(
                buffer,
                transport,
                new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), new SplittableRandom(1)),
                metrics,
                () -> now,
                Duration.ofSeconds(1),
                maxSamples,
                maxBytes,
                "test");
    }

    private void append(String s, int samples) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        buffer.append(b, b.length, samples, now);
    }

    @Test
    void waitsForTheFlushIntervalThenSendsExcerptsJoined() throws IOException {
        Sender s = sender(1000, 1 << 20);
        append("a", 1);
        append("b", 2);
        s.runOnce();
        assertTrue(sent.isEmpty(), "a batch below the limits waits for the flush interval");
        now += 1000;
        s.runOnce();
        assertEquals(List.of("ab"), sent);
        assertEquals(3, metrics.samplesSent());
        assertEquals(0, buffer.pendingSamples());
    }

    @Test
    void aFullBatchGoesAtOnceAndTheNextExcerptStartsTheNextBatch() throws IOException {
        Sender s = sender(3, 1 << 20);
        append("a", 2);
        append("b", 2);
        append("c", 1);
        s.runOnce();
        assertEquals(List.of("a"), sent, "b would pass 3 samples: it waits for the next batch");
        s.runOnce();
        assertEquals(List.of("a", "bc"), sent);
    }

    @Test
    void retryResendsTheSameBytesAfterRetryAfterAndAcksOnlyOnSuccess() throws IOException {
        Sender s = sender(1, 1 << 20);
        append("x", 1);
        script.add(new PushOutcome.Retry(503, Duration.ofSeconds(5), "HTTP 503"));
        long wait = s.runOnce();
        assertEquals(5000, wait, "Retry-After is honoured");
        assertEquals(1, buffer.pendingSamples(), "nothing is acknowledged on a retry");
        now += 4999;
        s.runOnce();
        assertEquals(1, sent.size(), "no resend before Retry-After");
        now += 1;
        s.runOnce();
        assertEquals(List.of("x", "x"), sent, "a re-sent batch is byte-identical");
        assertEquals(0, buffer.pendingSamples());
        assertEquals(1, metrics.requests("503"));
        assertEquals(1, metrics.requests("204"));
    }

    @Test
    void networkErrorsBackOffExponentiallyUpToTwoSeconds() throws IOException {
        Sender s = sender(1, 1 << 20);
        append("x", 1);
        for (int i = 0; i < 4; i++) {
            script.add(new PushOutcome.Retry(0, null, "Connection refused"));
        }
        long w1 = s.runOnce();
        now += w1;
        long w2 = s.runOnce();
        now += w2;
        long w3 = s.runOnce();
        assertTrue(w1 >= 500 && w1 <= 1000, "first backoff in [0.5s, 1s]: " + w1);
        assertTrue(w2 >= 1000 && w2 <= 2000, "second in [1s, 2s]: " + w2);
        assertTrue(w3 >= 1000 && w3 <= 2000, "third capped: in [1s, 2s]: " + w3);
        assertEquals(3, metrics.requests("error"));
    }

    @Test
    void networkErrorsWaitAtMostTwoSecondsButServerErrorsBackOffToTheCap() throws IOException {
        Sender s = sender(1, 1 << 20);
        append("x", 1);
        for (int i = 0; i < 10; i++) {
            script.add(new PushOutcome.Retry(0, null, "Connection refused"));
        }
        long max = 0;
        for (int i = 0; i < 10; i++) {
            long w = s.runOnce();
            max = Math.max(max, w);
            now += w;
        }
        assertTrue(max <= 2000, "a central that comes back is found within 2 s: " + max);
        for (int i = 0; i < 10; i++) {
            script.add(new PushOutcome.Retry(503, null, "HTTP 503"));
        }
        for (int i = 0; i < 10; i++) {
            long w = s.runOnce();
            max = Math.max(max, w);
            now += w;
        }
        assertTrue(max > 30_000, "a failing server (the batch travelled) backs off towards 60 s: " + max);
    }

    @Test
    void rejectedBatchIsCountedAndNotResent() throws IOException {
        Sender s = sender(1, 1 << 20);
        append("bad", 4);
        append("good", 1);
        script.add(new PushOutcome.Rejected(400, "invalid label"));
        s.runOnce();
        s.runOnce();
        s.runOnce();
        assertEquals(List.of("bad", "good"), sent);
        assertEquals(4, metrics.samplesRejected());
        assertEquals(1, metrics.samplesSent());
    }

    @Test
    void aRestartedSenderResumesAfterTheLastAcknowledgedBatch() throws IOException {
        Sender s = sender(1, 1 << 20);
        append("one", 1);
        append("two", 1);
        s.runOnce();
        assertEquals(List.of("one"), sent);
        s.closeReader();
        buffer.close();
        buffer = DiskBuffer.open(dir);
        Sender again = sender(1, 1 << 20);
        again.runOnce();
        assertEquals(List.of("one", "two"), sent, "'one' is not sent twice, 'two' is not lost");
    }

    // --- disk cap: files roll every fake second; 'a' excerpts are big, the others small ---

    final SetTimeProvider chronicleClock = new SetTimeProvider(Instant.parse("2026-03-01T10:00:00Z"));
    final SplittableRandom random = new SplittableRandom(3);

    private void reopenWithCap(long cap) throws IOException {
        buffer.close();
        buffer = DiskBuffer.open(dir.resolve("capped"), cap, TestRollCycles.TEST_SECONDLY, chronicleClock);
    }

    /** An excerpt "tag|filler\n" of one sample; the filler does not compress. */
    private void appendTagged(String tag, int fillerBytes) throws IOException {
        StringBuilder b = new StringBuilder(tag).append('|');
        for (int i = 0; i < fillerBytes; i++) {
            b.append((char) ('a' + random.nextInt(26)));
        }
        append(b.append('\n').toString(), 1);
    }

    private static List<String> tags(String body) {
        List<String> tags = new ArrayList<>();
        for (String line : body.split("\n")) {
            tags.add(line.substring(0, line.indexOf('|')));
        }
        return tags;
    }

    private long cycleFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve("capped").resolve("queue"))) {
            return s.filter(p -> p.toString().endsWith(".cq4")).count();
        }
    }

    /**
     * File A: a0 (sent), a1..a9 (~2 MB); file B: b0, b1. The sender holds a1..b1 in a batch that
     * waits for a retry; file C gets c0; the cap deletes A.
     */
    private Sender holdBatchAcrossFilesThenTrimTheOldest() throws IOException {
        reopenWithCap(1_000_000);
        Sender s = sender(100, 8 << 20);
        appendTagged("a0", 200_000);
        s.runOnce();
        now += 1000;
        s.runOnce();
        assertEquals(List.of("a0"), tags(sent.get(0)));
        for (int i = 1; i <= 9; i++) {
            appendTagged("a" + i, 200_000);
        }
        chronicleClock.advanceMillis(1000);
        appendTagged("b0", 10);
        appendTagged("b1", 10);
        s.runOnce();
        now += 1000;
        script.add(new PushOutcome.Retry(503, Duration.ofSeconds(5), "HTTP 503"));
        assertEquals(5000, s.runOnce());
        assertEquals(List.of("a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "b0", "b1"), tags(sent.get(1)));
        chronicleClock.advanceMillis(1000);
        appendTagged("c0", 10);
        assertEquals(3, cycleFiles());
        return s;
    }

    @Test
    void aBatchWaitingForARetryWhoseFileIsTrimmedIsReadAgainFromWhatIsLeft() throws IOException {
        Sender s = holdBatchAcrossFilesThenTrimTheOldest();
        assertEquals(1, buffer.enforceCap(), "file A goes; B and C fit under the cap");
        assertEquals(2, cycleFiles());
        assertEquals(9, buffer.diskFullSamplesTotal(), "a1..a9 were unsent; a0 was sent");
        assertEquals(3, buffer.pendingSamples());

        now += 2000;
        assertEquals(3000, s.runOnce(), "the retry time still holds after the batch is dropped");
        assertEquals(2, sent.size());
        now += 3000;
        s.runOnce(); // reads b0, b1, c0 again from the new acknowledged position
        now += 1000;
        s.runOnce();
        assertEquals(3, sent.size());
        assertEquals(List.of("b0", "b1", "c0"), tags(sent.get(2)), "the newest data, in order, once");
        assertEquals(4, metrics.samplesSent(), "a0, b0, b1, c0: nothing counted twice");
        assertEquals(0, buffer.pendingSamples());
        assertEquals(
                buffer.bufferedSamplesTotal(),
                metrics.samplesSent() + buffer.diskFullSamplesTotal() + buffer.pendingSamples());
        s.runOnce();
        now += 5000;
        s.runOnce();
        assertEquals(3, sent.size(), "nothing more to send");
    }

    @Test
    void aBatchDeliveredWhileATrimDroppedPartOfItIsNotCountedAndTheRestIsSentAgain() throws IOException {
        Sender s = holdBatchAcrossFilesThenTrimTheOldest();
        duringPush = () -> {
            try {
                duringPush = () -> {};
                assertEquals(1, buffer.enforceCap());
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        };
        long generation = buffer.trimGeneration();
        now += 5000;
        s.runOnce(); // the retry of a1..b1 is delivered, but A was trimmed while it was in flight
        assertEquals(3, sent.size());
        assertEquals(generation + 1, buffer.trimGeneration());
        assertEquals(1, metrics.samplesSent(), "only a0: the invalidated batch is not counted");
        assertEquals(9, buffer.diskFullSamplesTotal());
        assertEquals(3, buffer.pendingSamples(), "b0, b1 and c0 are still to be sent");
        s.runOnce();
        now += 1000;
        s.runOnce();
        assertEquals(List.of("b0", "b1", "c0"), tags(sent.get(3)), "what still exists is sent again, in order");
        assertEquals(4, metrics.samplesSent());
        assertEquals(0, buffer.pendingSamples());
        assertEquals(buffer.bufferedSamplesTotal(), metrics.samplesSent() + buffer.diskFullSamplesTotal());
    }
}
