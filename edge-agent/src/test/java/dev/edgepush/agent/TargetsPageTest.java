package dev.edgepush.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

/** What a person reads on /targets: human sizes, the URL as typed, the version and the uptime. */
class TargetsPageTest {
    @TempDir
    Path dir;

    @Test
    void diskIsInHumanUnitsWithTheExactCountAsTitleAndTheUrlHasNoBarePrefix() throws Exception {
        try (DiskBuffer buffer = DiskBuffer.open(dir)) {
            AgentMetrics m = new AgentMetrics(() -> 0);
            m.bindBuffer(() -> 0, () -> 0, () -> 12_900_000, () -> 0, () -> 0, () -> 0);
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
            long started = 1_700_000_000_000L;
            String page = TargetsPage.render(
                    List.of(), m, sender, null, "2:http://ingest:8427/api/v1/write", started, started + 3_723_000);
            assertTrue(page.contains("<span title=\"12900000 bytes\">12.3 MiB</span>"), page);
            assertTrue(page.contains("<td>http://ingest:8427/api/v1/write (-remoteWrite.url #2)</td>"), page);
            assertFalse(page.contains(">2:http"), page);
            assertTrue(page.contains("<h1>edge-agent " + Agent.VERSION + "</h1>"), page);
            assertTrue(page.contains("<p>up 1 h 2 min, since 2023-11-14T22:13:20Z</p>"), page);
            String single =
                    TargetsPage.render(List.of(), m, sender, null, "http://ingest:8427/api/v1/write", started, started);
            assertTrue(single.contains("<td>http://ingest:8427/api/v1/write</td>"), single);
        }
    }

    @Test
    void humanBytesAndUptime() {
        assertEquals("0 B", TargetsPage.humanBytes(0));
        assertEquals("1023 B", TargetsPage.humanBytes(1023));
        assertEquals("1.0 KiB", TargetsPage.humanBytes(1024));
        assertEquals("500.0 MiB", TargetsPage.humanBytes(500L << 20));
        assertEquals("1.5 GiB", TargetsPage.humanBytes(3L << 29));
        assertEquals("42 s", TargetsPage.uptime(42_999));
        assertEquals("5 min 3 s", TargetsPage.uptime(303_000));
        assertEquals("3 d 4 h", TargetsPage.uptime((3 * 86_400 + 4 * 3600 + 59) * 1000L));
    }
}
