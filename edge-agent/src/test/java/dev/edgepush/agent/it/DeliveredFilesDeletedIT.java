package dev.edgepush.agent.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.testsupport.CountingTarget;
import dev.edgepush.testsupport.Loopback;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With no disk cap (the default), a running agent deletes a buffer file once everything in it
 * was delivered. Before, delivered data stayed on a robot's disk for good. Buffer files roll
 * every minute, so this waits for one minute boundary (up to ~65 s), bounded by a deadline.
 */
class DeliveredFilesDeletedIT {
    @TempDir
    Path dir;

    private static List<Path> cycleFiles(Path queue) throws Exception {
        if (!Files.isDirectory(queue)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(queue)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".cq4"))
                    .sorted()
                    .toList();
        }
    }

    @Test
    void aFileWhoseDataWasAllDeliveredIsDeletedWithoutACap() throws Exception {
        try (SlowReceiver receiver = new SlowReceiver(0);
                CountingTarget target = new CountingTarget(50)) {
            Path config = dir.resolve("scrape.yml");
            Files.writeString(
                    config,
                    "global:\n  scrape_interval: 200ms\nscrape_configs:\n  - job_name: t\n"
                            + "    static_configs:\n      - targets: ['127.0.0.1:" + target.port() + "']\n");
            Path data = dir.resolve("agent-data");
            Path queue = data.resolve("buffer/queue");
            try (AgentProcess agent = AgentProcess.start(
                    dir,
                    Loopback.freePort(),
                    "-promscrape.config=" + config,
                    "-remoteWrite.url=" + receiver.url(),
                    "-remoteWrite.tmpDataPath=" + data,
                    "-remoteWrite.flushInterval=200ms")) {
                long deadline = System.nanoTime() + 120_000_000_000L;
                while (cycleFiles(queue).isEmpty() && System.nanoTime() < deadline) {
                    AgentProcess.pause(100);
                }
                List<Path> first = cycleFiles(queue);
                assertFalse(first.isEmpty(), "the agent wrote a buffer file");
                Path firstFile = first.get(0);
                deadline = System.nanoTime() + 90_000_000_000L;
                while (Files.exists(firstFile) && System.nanoTime() < deadline) {
                    AgentProcess.pause(200); // polling for the minute to roll and the file to be delivered
                }
                List<Path> now = cycleFiles(queue);
                assertFalse(
                        Files.exists(firstFile),
                        "the delivered file " + firstFile.getFileName() + " is gone after its minute; files now: " + now
                                + "\n" + agent.logText());
                assertTrue(!now.isEmpty(), "the current minute's file stays");
                assertTrue(receiver.seqs.size() > 0, "scrapes were delivered");
            }
        }
    }
}
