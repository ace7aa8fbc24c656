package dev.edgepush.agent;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.forward.buffer.DiskBuffer;
import dev.edgepush.forward.send.Backoff;
import dev.edgepush.forward.send.PushOutcome;
import dev.edgepush.forward.send.Sender;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TargetsPageDiskFullTest {
    @TempDir
    Path dir;

    @Test
    void showsAFullDiskAndThatItIsWritableAgain() throws Exception {
        try (DiskBuffer buffer = DiskBuffer.open(dir)) {
            AgentMetrics m = new AgentMetrics(() -> 0);
            Sender sender = new Sender(
                    buffer,
                    new Sender.Transport() {
                        @Override
                        public PushOutcome push(byte[] body, int offset, int length) {
                            return new PushOutcome.Delivered(204);
                        }

                        @Override
                        public long lastRequestBytes() {
                            return 0;
                        }
                    },
                    new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), new SplittableRandom(1)),
                    m,
                    () -> 0,
                    Duration.ofSeconds(1),
                    100,
                    1000,
                    "r");
            String full = TargetsPage.render(List.of(), m, sender, "No space left on device <x>", "r", 0);
            assertTrue(full.contains("DISK FULL</span>: No space left on device &lt;x&gt;"), full);
            String ok = TargetsPage.render(List.of(), m, sender, null, "r", 0);
            assertTrue(ok.contains("writable"), ok);
        }
    }
}
