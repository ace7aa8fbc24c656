package dev.edgepush.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.agent.it.SigtermStopAndResumeIT.CountingReceiver;
import dev.edgepush.testsupport.CountingTarget;
import dev.edgepush.testsupport.Loopback;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real agents on one {@code -remoteWrite.tmpDataPath}: the second stops at start with a
 * one-line message and exit code 2 while the first keeps delivering; after a {@code kill -9} of
 * the holder (its {@code flock.lock} file left behind) the next agent starts, because the lock is
 * the OS's and died with the process.
 */
class DataDirectoryLockIT {
    @TempDir
    Path dir;

    @Test
    void aSecondAgentOnTheSameDirectoryExitsAndAKilledHolderDoesNotBlockTheNextStart() throws Exception {
        try (CountingReceiver receiver = new CountingReceiver();
                CountingTarget target = new CountingTarget(5)) {
            Path config = dir.resolve("scrape.yml");
            Files.writeString(
                    config,
                    "global:\n  scrape_interval: 100ms\nscrape_configs:\n  - job_name: t\n"
                            + "    static_configs:\n      - targets: ['127.0.0.1:" + target.port() + "']\n");
            Path data = dir.resolve("agent-data");
            String[] flags = {
                "-promscrape.config=" + config,
                "-remoteWrite.url=" + receiver.url(),
                "-remoteWrite.tmpDataPath=" + data,
                "-remoteWrite.flushInterval=100ms"
            };
            AgentProcess first = AgentProcess.start(dir, Loopback.freePort(), flags);
            try {
                awaitReceived(receiver, 3);
                String secondLog;
                int exit;
                try (AgentProcess second = AgentProcess.launch(dir, Loopback.freePort(), List.of(), flags)) {
                    exit = second.awaitExit(Duration.ofSeconds(60));
                    secondLog = second.logText();
                }
                System.out.println("second agent: exit=" + exit + " output=" + secondLog.strip());
                assertEquals(2, exit, secondLog);
                assertEquals(
                        List.of("edge-agent: -remoteWrite.tmpDataPath=" + data + " is in use: another process (pid "
                                + first.pid + ") holds its lock " + data.resolve("flock.lock")
                                + "; stop that process or give this one"
                                + " its own -remoteWrite.tmpDataPath"),
                        secondLog.strip().lines().toList(),
                        "one line naming the directory");

                int before = receiver.arrivals.size();
                awaitReceived(receiver, before + 5);
                assertTrue(first.isAlive(), "the first agent keeps working");

                first.kill9();
                assertTrue(Files.exists(data.resolve("flock.lock")), "kill -9 leaves the lock file behind");
                try (AgentProcess third = AgentProcess.start(dir, Loopback.freePort(), flags)) {
                    int after = receiver.arrivals.size();
                    awaitReceived(receiver, after + 3);
                    assertTrue(third.isAlive());
                }
            } finally {
                first.close();
            }
        }
    }

    private static void awaitReceived(CountingReceiver r, int n) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (r.arrivals.size() < n) {
            if (System.nanoTime() > deadline) {
                throw new IOException("only " + r.arrivals.size() + " of " + n + " scrapes arrived");
            }
            AgentProcess.pause(20);
        }
    }
}
