package dev.edgepush.forward.buffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.SplittableRandom;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;

/**
 * Generates the committed fixture {@code src/test/resources/damaged-buffer/} (see the README
 * there). Run once; the bytes are committed, so the test does not depend on this program:
 *
 * <pre>
 * ./mvnw -B -q -o -pl proto/store-forward -am install -DskipTests
 * ./mvnw -B -q -o -pl proto/store-forward test-compile
 * java $(chronicle flags) -cp proto/store-forward/target/test-classes:proto/store-forward/target/classes:$(deps) \
 *     dev.edgepush.forward.buffer.DamagedBufferFixture proto/store-forward/src/test/resources/damaged-buffer
 * </pre>
 */
public final class DamagedBufferFixture {
    /** Where the older file is cut: inside its 6th excerpt (each ~3 kB, data from byte 524544). */
    static final long CUT_AT = 540_000;

    private DamagedBufferFixture() {}

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args[0]);
        if (Files.exists(out)) {
            throw new IOException(out + " exists; remove it first");
        }
        SetTimeProvider clock = new SetTimeProvider(Instant.parse("2026-03-01T10:00:00Z"));
        SplittableRandom random = new SplittableRandom(7);
        try (DiskBuffer b = DiskBuffer.open(out, 0, Duration.ZERO, TestRollCycles.TEST_SECONDLY, clock)) {
            long third = -1;
            for (int id = 0; id < 20; id++) {
                if (id == 10) {
                    clock.advanceMillis(1000);
                }
                byte[] p = new byte[3000];
                random.nextBytes(p);
                ByteBuffer.wrap(p).putInt(id);
                long index = b.append(p, p.length, 5, 1_772_359_200_000L + id);
                if (id == 2) {
                    third = index;
                }
            }
            b.ack(third, 15); // ids 0..2 were delivered
        }
        Path older = out.resolve("queue").resolve("20260301-100000T.cq4");
        try (FileChannel ch = FileChannel.open(older, StandardOpenOption.WRITE)) {
            ch.truncate(CUT_AT);
        }
        System.out.println("wrote " + out + "; cut " + older.getFileName() + " at byte " + CUT_AT);
    }
}
