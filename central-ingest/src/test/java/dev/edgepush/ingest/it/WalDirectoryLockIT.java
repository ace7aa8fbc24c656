package dev.edgepush.ingest.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.ingest.auth.TokensFile;
import dev.edgepush.testsupport.Loopback;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real central-ingest processes on one {@code -wal.path}: the second stops at start (exit 2,
 * one line naming the directory) and the first keeps answering; a {@code kill -9}'d holder does
 * not block the next start.
 */
class WalDirectoryLockIT {
    @TempDir
    Path dir;

    @Test
    void aSecondIngestOnTheSameWalExitsAndAKilledHolderDoesNotBlockTheNextStart() throws Exception {
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, "robot r1 0 " + TokensFile.hashOf("r1-secret") + "\n");
        Path wal = dir.resolve("wal");
        String[] flags = {
            "-remoteWrite.url=http://127.0.0.1:9/api/v1/write", "-auth.tokensFile=" + tokens, "-wal.path=" + wal
        };
        IngestProcess first = IngestProcess.start(dir, Loopback.freePort(), flags);
        try {
            String secondLog;
            int exit;
            try (IngestProcess second = IngestProcess.launch(dir, Loopback.freePort(), flags)) {
                exit = second.awaitExit(Duration.ofSeconds(60));
                secondLog = second.logText();
            }
            System.out.println("second ingest: exit=" + exit + " output=" + secondLog.strip());
            assertEquals(2, exit, secondLog);
            assertEquals(
                    List.of("central-ingest: -wal.path=" + wal + " is in use: another process (pid " + first.pid()
                            + ") holds its lock " + wal.resolve("flock.lock")
                            + "; stop that process or give this one its own -wal.path"),
                    secondLog.strip().lines().toList());
            assertEquals("ok\n", first.get("/health"), "the first keeps running");

            first.kill9();
            assertTrue(Files.exists(wal.resolve("flock.lock")), "kill -9 leaves the lock file behind");
            try (IngestProcess third = IngestProcess.start(dir, Loopback.freePort(), flags)) {
                assertEquals("ok\n", third.get("/health"));
            }
        } finally {
            first.close();
        }
    }
}
