package dev.edgepush.forward.send;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.edgepush.forward.buffer.DiskBuffer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The completeness headers of each push: the batch's ranges, the same on a retry. */
class SenderSeqRangesTest {
    @TempDir
    Path dir;

    long now = 1_000_000;
    final List<Map<String, String>> headers = new ArrayList<>();
    final Deque<PushOutcome> script = new ArrayDeque<>();
    DiskBuffer buffer;
    Sender sender;

    @Test
    void eachPushNamesItsExcerptsAndARetryNamesTheSame() throws IOException {
        try (DiskBuffer b = DiskBuffer.open(dir)) {
            buffer = b;
            sender = new Sender(
                    b,
                    new Sender.Transport() {
                        @Override
                        public PushOutcome push(byte[] body, int offset, int length) {
                            headers.add(CompletenessHeaders.of(sender, "disk_full=0"));
                            return script.isEmpty() ? new PushOutcome.Delivered(204) : script.poll();
                        }

                        @Override
                        public long lastRequestBytes() {
                            return 1;
                        }
                    },
                    new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), new SplittableRandom(1)),
                    new SendCounters("x"),
                    () -> now,
                    Duration.ofSeconds(1),
                    10,
                    1 << 20,
                    "test");
            for (int i = 0; i < 5; i++) {
                byte[] p = {(byte) i};
                b.append(p, 1, 3, now); // 3 samples each: 3 excerpts fill a batch of 10 samples at most
            }
            script.add(new PushOutcome.Retry(503, null, "busy"));
            sender.runOnce(); // full batch: pushed at once, answered 503
            now += 60_000;
            sender.runOnce(); // the retry
            now += 60_000;
            sender.runOnce(); // reads the rest
            now += 2_000;
            sender.runOnce(); // and pushes it after the flush interval
            assertEquals(3, headers.size());
            Map<String, String> first = headers.get(0);
            assertEquals(b.epoch(), first.get(CompletenessHeaders.EPOCH));
            assertEquals("0-2", first.get(CompletenessHeaders.SEQ));
            assertEquals("9", first.get(CompletenessHeaders.SEQ_SAMPLES));
            assertEquals("5", first.get(CompletenessHeaders.SEQ_NEXT));
            assertEquals("0", first.get(CompletenessHeaders.SEQ_UNDELIVERED_FROM), "nothing delivered yet");
            assertEquals(first, headers.get(1), "a retry carries the same headers");
            assertEquals("3-4", headers.get(2).get(CompletenessHeaders.SEQ));
            assertEquals("6", headers.get(2).get(CompletenessHeaders.SEQ_SAMPLES));
            assertEquals("3", headers.get(2).get(CompletenessHeaders.SEQ_UNDELIVERED_FROM), "0..2 delivered");
        }
    }

    @Test
    void rangesParseAndMalformedOnesAreRefused() {
        assertEquals(List.of(0L, 2L, 5L, 5L, 7L, 9L), toList(CompletenessHeaders.parseRanges("0-2,5,7-9")));
        assertNull(CompletenessHeaders.parseRanges("3-2"));
        assertNull(CompletenessHeaders.parseRanges("0-5,4-6"), "overlapping");
        assertNull(CompletenessHeaders.parseRanges("5-6,0-1"), "not ascending");
        assertNull(CompletenessHeaders.parseRanges("-1-3"));
        assertNull(CompletenessHeaders.parseRanges("a-b"));
        assertNull(CompletenessHeaders.parseRanges(""));
        assertNull(CompletenessHeaders.parseRanges(null));
        StringBuilder many = new StringBuilder();
        for (int i = 0; i <= CompletenessHeaders.MAX_RANGES; i++) {
            many.append(i == 0 ? "" : ",").append(2 * i);
        }
        assertNull(CompletenessHeaders.parseRanges(many.toString()), "too many ranges");
    }

    private static List<Long> toList(long[] a) {
        List<Long> out = new ArrayList<>();
        for (long v : a) {
            out.add(v);
        }
        return out;
    }
}
