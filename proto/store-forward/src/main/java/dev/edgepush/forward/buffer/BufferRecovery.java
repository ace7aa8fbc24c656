package dev.edgepush.forward.buffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@link DiskBuffer#open} does with a damaged directory, so that the process always starts
 * (never a crash loop) and delivers everything that is still readable.
 *
 * <p>Policy, in the order it is applied at open:
 *
 * <ol>
 *   <li>Cycle files ({@code *.cq4}) and {@code metadata.cq4t} whose first header is not a complete Chronicle metadata
 *       header (empty, short, or garbage at offset 0) are moved aside as {@code
 *       <name>.corrupt-<UTC timestamp>}. Chronicle would otherwise wait forever for that header
 *       to complete. Their samples are lost and only the file can be counted (nothing in them is readable; see
 *       {@link DamageCount}).
 *       Garbage further inside {@code metadata.cq4t} makes Chronicle wait about 10 s for a lock
 *       before it fails (step 2).
 *   <li>If Chronicle cannot open the queue (for example a damaged {@code metadata.cq4t}: "Unable
 *       to claim exclusive lock"), {@code metadata.cq4t} is moved aside and the queue opened
 *       again; Chronicle rebuilds it from the directory. If that fails too, the whole {@code
 *       queue/} directory is moved aside and the buffer starts empty.
 *   <li>Each cycle file that may hold unacknowledged excerpts is read through (headers only) and
 *       compared with what its own index and header say ({@link DiskBuffer}). A cycle whose
 *       excerpts cannot all be read (truncated, garbage over the index or over an excerpt
 *       header) is damaged. An older damaged cycle stays: its readable part is sent and the
 *       reader steps over the rest to the next file. The newest damaged cycle, which the
 *       appender would otherwise keep writing to past the damage where no reader can see it,
 *       is salvaged: its readable unacknowledged excerpts are copied into a fresh file, and the
 *       damaged file is moved aside. The unacknowledged excerpts a damaged file's header or index
 *       says it held but that cannot be read are counted in {@link DamageCount#excerpts}.
 *   <li>Excerpts whose header is intact but whose payload is not (checksum, lengths, version)
 *       are skipped by the reader and their samples counted as corrupt ({@link BufferReader}).
 *   <li>A damaged {@code ack.pos} means "nothing acknowledged": everything left is sent again
 *       (duplicates, never loss; see {@link AckFile}).
 * </ol>
 *
 * <p>Every step logs what it found, with the values found, and what it did.
 */
final class BufferRecovery {
    private static final Logger log = LoggerFactory.getLogger(BufferRecovery.class);
    /** Chronicle wire header bits: the length is the low 30 bits. */
    private static final int NOT_COMPLETE = 0x8000_0000;

    private static final int META_DATA = 0x4000_0000;
    private static final int LENGTH_MASK = 0x3FFF_FFFF;
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

    private BufferRecovery() {}

    /** Step 1: moves aside files Chronicle would hang on. Returns how many cycle files. */
    static int quarantineUnopenableCycleFiles(Path queueDir) throws IOException {
        if (!Files.isDirectory(queueDir)) {
            return 0;
        }
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(queueDir)) {
            s.filter(p -> p.getFileName().toString().endsWith(SingleChronicleQueue.SUFFIX))
                    .sorted()
                    .forEach(files::add);
        }
        Path meta = queueDir.resolve(SingleChronicleQueue.QUEUE_METADATA_FILE);
        if (Files.exists(meta)) {
            String problem = firstHeaderProblem(meta);
            if (problem != null) {
                Path to = quarantine(meta);
                log.error(
                        "buffer queue metadata {} is damaged ({}): moved aside to {}; Chronicle rebuilds it",
                        meta,
                        problem,
                        to.getFileName());
            }
        }
        int moved = 0;
        for (Path f : files) {
            String problem = firstHeaderProblem(f);
            if (problem != null) {
                Path to = quarantine(f);
                log.error(
                        "buffer file {} is damaged ({}): moved aside to {}; nothing in it can be read, not even how"
                                + " many samples it held (counted in corrupt files)",
                        f,
                        problem,
                        to.getFileName());
                moved++;
            }
        }
        return moved;
    }

    /** Why Chronicle cannot open {@code f}, or null when its first header looks complete. */
    static String firstHeaderProblem(Path f) throws IOException {
        long size = Files.size(f);
        if (size < 8) {
            return "size " + size + " bytes, shorter than a file header";
        }
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            ch.read(b, 0);
        }
        int header = b.getInt(0);
        int length = header & LENGTH_MASK;
        if ((header & NOT_COMPLETE) != 0 || (header & META_DATA) == 0 || length == 0 || length + 4L > size) {
            return String.format(
                    "first header 0x%08x (length %d, size %d bytes) is not a complete file header",
                    header, length, size);
        }
        return null;
    }

    /**
     * Step 2: builds the queue; on failure moves {@code metadata.cq4t} aside and tries again,
     * then the whole queue directory.
     */
    static SingleChronicleQueue build(Path queueDir, Supplier<SingleChronicleQueue> builder, DamageCount damage)
            throws IOException {
        try {
            return builder.get();
        } catch (RuntimeException first) {
            Path meta = queueDir.resolve(SingleChronicleQueue.QUEUE_METADATA_FILE);
            if (Files.exists(meta)) {
                Path to = quarantine(meta);
                log.error(
                        "cannot open the buffer queue {} ({}): moved {} aside to {} and trying again",
                        queueDir,
                        first.toString(),
                        meta.getFileName(),
                        to.getFileName());
                try {
                    return builder.get();
                } catch (RuntimeException second) {
                    first.addSuppressed(second);
                }
            }
            long files = countCycleFiles(queueDir);
            damage.files.addAndGet(files);
            Path to = quarantine(queueDir);
            log.error(
                    "cannot open the buffer queue {} ({}): moved the whole directory aside to {};"
                            + " starting with an empty buffer",
                    queueDir,
                    first.toString(),
                    to.getFileName());
            return builder.get();
        }
    }

    /**
     * What {@link #quarantine} moved aside under {@code bufferDir} ({@code queue/*.corrupt-*} files,
     * {@code queue.corrupt-*} directories), oldest first (the names end in a sortable UTC stamp).
     */
    static List<Path> quarantined(Path bufferDir) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path d : List.of(bufferDir, bufferDir.resolve("queue"))) {
            if (!Files.isDirectory(d)) {
                continue;
            }
            try (Stream<Path> list = Files.list(d)) {
                list.filter(p -> p.getFileName().toString().contains(".corrupt-"))
                        .forEach(out::add);
            }
        }
        out.sort(Comparator.comparing(p -> p.getFileName().toString().replaceAll(".*\\.corrupt-", "")));
        return out;
    }

    private static long countCycleFiles(Path queueDir) throws IOException {
        try (Stream<Path> s = Files.list(queueDir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(SingleChronicleQueue.SUFFIX))
                    .count();
        }
    }

    /** Deletes a quarantined file or directory tree. */
    static void deleteQuarantined(Path p) throws IOException {
        if (Files.isDirectory(p)) {
            try (Stream<Path> walk = Files.walk(p)) {
                for (Path q : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                    Files.deleteIfExists(q);
                }
            }
        } else {
            Files.deleteIfExists(p);
        }
    }

    /** Renames {@code f} to {@code <f>.corrupt-<timestamp>} in the same directory. */
    static Path quarantine(Path f) throws IOException {
        Path to = f.resolveSibling(f.getFileName() + ".corrupt-" + STAMP.format(Instant.now()));
        Files.move(f, to);
        AckFile.forceDirectory(f.getParent());
        return to;
    }
}
