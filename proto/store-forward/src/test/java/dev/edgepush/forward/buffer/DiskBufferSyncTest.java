package dev.edgepush.forward.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** -buffer.syncInterval: the sync thread forces what was appended; 0 forces every append. */
class DiskBufferSyncTest {
    @TempDir
    Path dir;

    private final byte[] payload = "sample".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    @Test
    void theSyncThreadForcesTheBufferAfterAnAppend() throws Exception {
        try (DiskBuffer buffer = DiskBuffer.open(dir, 0, Duration.ofMillis(20))) {
            assertEquals(0, buffer.syncsTotal(), "nothing appended, nothing synced");
            buffer.append(payload, payload.length, 1, 1);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (buffer.syncsTotal() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5); // polling for the background thread, not timing it
            }
            assertTrue(buffer.syncsTotal() >= 1, "the sync thread ran after an append");
        }
    }

    @Test
    void aSyncWithNothingAppendedForcesNothing() throws IOException {
        try (DiskBuffer buffer = DiskBuffer.open(dir, 0, Duration.ofHours(1))) {
            buffer.append(payload, payload.length, 1, 1);
            buffer.sync();
            assertEquals(1, buffer.syncsTotal());
            buffer.sync();
            assertEquals(1, buffer.syncsTotal(), "idle: no fsync (battery, flash wear)");
        }
    }

    @Test
    void zeroSyncIntervalForcesEveryAppendBeforeItReturns() throws IOException {
        try (DiskBuffer buffer = DiskBuffer.open(dir, 0, Duration.ZERO)) {
            assertEquals(0, buffer.syncIntervalMs());
            buffer.append(payload, payload.length, 1, 1);
            assertEquals(1, buffer.syncsTotal());
            buffer.append(payload, payload.length, 1, 2);
            assertEquals(2, buffer.syncsTotal());
        }
    }

    @Test
    void closeSyncsWhatTheThreadHadNotYet() throws IOException {
        DiskBuffer buffer = DiskBuffer.open(dir, 0, Duration.ofHours(1));
        buffer.append(payload, payload.length, 1, 1);
        assertEquals(0, buffer.syncsTotal());
        buffer.close();
        assertEquals(1, buffer.syncsTotal());
    }
}
