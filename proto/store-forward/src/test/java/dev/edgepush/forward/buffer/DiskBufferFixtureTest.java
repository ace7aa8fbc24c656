package dev.edgepush.forward.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The committed damaged buffer (src/test/resources/damaged-buffer, see its README). */
class DiskBufferFixtureTest {
    @TempDir
    Path dir;

    private void copyFixture() throws IOException, URISyntaxException {
        Path src = Path.of(getClass().getResource("/damaged-buffer/ack.pos").toURI())
                .getParent();
        try (Stream<Path> files = Files.walk(src)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path to = dir.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else if (!p.getFileName().toString().equals("README.md")) {
                    Files.copy(p, to);
                }
            }
        }
    }

    @Test
    void aBufferWithATruncatedFileOpensAndDeliversEverythingStillReadable() throws Exception {
        copyFixture();
        SetTimeProvider clock = new SetTimeProvider(Instant.parse("2026-03-01T10:00:05Z"));
        try (DiskBuffer b = DiskBuffer.open(dir, 0, Duration.ofHours(1), TestRollCycles.TEST_SECONDLY, clock)) {
            byte[] p = new byte[100];
            ByteBuffer.wrap(p).putInt(100);
            assertTrue(b.append(p, p.length, 5, 0) >= 0);
            List<Integer> ids = new ArrayList<>();
            try (BufferReader r = b.reader()) {
                BufferReader.Record rec = new BufferReader.Record();
                while (r.next(rec)) {
                    byte[] out = new byte[rec.uncompressedLength];
                    rec.decompressTo(out, 0);
                    ids.add(ByteBuffer.wrap(out).getInt());
                }
            }
            assertEquals(List.of(3, 4, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 100), ids);
            assertEquals(5, b.corruptSamplesTotal(), "id 5, cut in the middle, counted once");
            assertEquals(13 * 5, b.pendingSamples());
        }
    }

    /**
     * The fixture's excerpts are format 1 (written before sequence numbers): an agent upgraded
     * over it writes format 3 (zstd) after them, since the backlog it finds makes the sender
     * behind, and delivers both, the old ones first.
     */
    @Test
    void anUpgradedAgentWritesFormat3AfterTheFixturesFormat1ExcerptsAndReadsBoth() throws Exception {
        copyFixture();
        SetTimeProvider clock = new SetTimeProvider(Instant.parse("2026-03-01T10:00:05Z"));
        try (DiskBuffer b = DiskBuffer.open(dir, 0, Duration.ofHours(1), TestRollCycles.TEST_SECONDLY, clock)) {
            byte[] p = new byte[100];
            ByteBuffer.wrap(p).putInt(100);
            assertTrue(b.append(p, p.length, 5, 0) >= 0);
            List<Integer> ids = new ArrayList<>();
            List<Byte> versions = new ArrayList<>();
            try (BufferReader r = b.reader()) {
                BufferReader.Record rec = new BufferReader.Record();
                while (r.next(rec)) {
                    byte[] out = new byte[rec.uncompressedLength];
                    rec.decompressTo(out, 0);
                    ids.add(ByteBuffer.wrap(out).getInt());
                    versions.add(rec.version);
                }
            }
            assertEquals(List.of(3, 4, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 100), ids);
            List<Byte> expected = new ArrayList<>(java.util.Collections.nCopies(12, RecordFormat.VERSION_1));
            expected.add(RecordFormat.VERSION);
            assertEquals(expected, versions);
        }
    }
}
