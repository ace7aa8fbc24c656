package dev.edgepush.forward.send;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.forward.buffer.DiskBuffer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Progress while draining a backlog, stepped with a fake clock. */
class SenderProgressTest {
    @TempDir
    Path dir;

    long now = 1_000_000;

    @Test
    void reportsPendingRateAndTimeLeftAtMostEvery30sWhileABacklogDrains() throws IOException {
        try (DiskBuffer buffer = DiskBuffer.open(dir)) {
            SendCounters metrics = new SendCounters("samples_dropped_total{reason=\"rejected\"}");
            Sender sender = new Sender(
                    buffer,
                    new Sender.Transport() {
                        @Override
                        public PushOutcome push(byte[] body, int offset, int length) {
                            return new PushOutcome.Delivered(204);
                        }

                        @Override
                        public long lastRequestBytes() {
                            return 1;
                        }
                    },
                    new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), new SplittableRandom(1)),
                    metrics,
                    () -> now,
                    Duration.ofSeconds(1),
                    10,
                    1 << 20,
                    "test");
            List<Sender.Progress> reports = new ArrayList<>();
            sender.progressListener(reports::add);
            assertEquals(100, sender.progressThresholdSamples());
            byte[] p = {1};
            for (int i = 0; i < 100; i++) {
                buffer.append(p, 1, 10, now); // 1000 samples: one batch of 10 per excerpt
            }
            // One batch every 5 s = 2 samples/s; 1000 samples.
            int steps = 0;
            while (buffer.pendingSamples() > 0 && steps++ < 1000) {
                sender.runOnce();
                now += 5_000;
            }
            assertEquals(0, buffer.pendingSamples());
            // Draining from 990 pending down to 100 takes 445 s: a report at 30 s, 60 s, ... never closer.
            assertTrue(reports.size() >= 10 && reports.size() <= 15, "reports: " + reports);
            Sender.Progress first = reports.get(0);
            assertEquals(2.0, first.sentPerSecond(), 1e-9);
            assertEquals(2.0, first.drainPerSecond(), 1e-9);
            assertNotNull(first.estimatedLeft());
            assertEquals(first.pendingSamples() / 2, first.estimatedLeft().toSeconds());
            for (int i = 1; i < reports.size(); i++) {
                assertTrue(reports.get(i).pendingSamples() < reports.get(i - 1).pendingSamples());
            }
            assertTrue(
                    reports.get(reports.size() - 1).pendingSamples() > 100,
                    "silent once pending is under the threshold");
            assertTrue(first.toString().contains("samples pending, sending 2 samples/s, about "), first.toString());
        }
    }

    @Test
    void saysNotShrinkingWhenScrapesArriveAsFastAsTheyAreSent() {
        Sender.Progress p = new Sender.Progress(5000, 100, 0, null);
        assertTrue(p.toString().contains("not shrinking"), p.toString());
        assertEquals("2h03m", Sender.Progress.formatDuration(Duration.ofSeconds(7380 + 59)));
    }
}
