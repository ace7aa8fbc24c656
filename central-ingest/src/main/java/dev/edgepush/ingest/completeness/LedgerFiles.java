package dev.edgepush.ingest.completeness;

import java.io.BufferedWriter;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The {@link CompletenessLedger}'s files: the journal's lines (one accounted push each, numbered)
 * and the snapshot (a first line naming the last journal line it includes, then one {@code R}
 * line per robot, each followed by its epochs' {@code E} lines with their received {@code I} and
 * refused {@code J} intervals, then {@code end}). Tenants and robots are URL-encoded ({@code ~}
 * for none).
 *
 * <p>Versions. A journal line's 13th field and an {@code E} line's 12th are the robot's lowest
 * undelivered number ({@link PushSeq#undeliveredFrom}, {@link EpochAccount#undeliveredFrom}),
 * written only when known: files written before it (or by robots that never sent it) read as
 * before, and an older central-ingest reading a newer file ignores the extra field (so the
 * snapshot's first line stays {@code edgepush-completeness 1}).
 */
final class LedgerFiles {
    private static final String MAGIC = "edgepush-completeness 1";

    private LedgerFiles() {}

    static String journalLine(long no, String tenant, String robot, boolean accepted, PushSeq p, long nowMs) {
        StringBuilder sb = new StringBuilder(160);
        sb.append(no)
                .append('\t')
                .append(accepted ? 'A' : 'R')
                .append('\t')
                .append(enc(tenant))
                .append('\t')
                .append(enc(robot))
                .append('\t')
                .append(p.epoch())
                .append('\t');
        long[] r = p.ranges();
        for (int i = 0; i < r.length; i += 2) {
            sb.append(i == 0 ? "" : ",").append(r[i]).append('-').append(r[i + 1]);
        }
        sb.append('\t')
                .append(p.samples())
                .append('\t')
                .append(p.timeMs())
                .append('\t')
                .append(p.seqNext())
                .append('\t')
                .append(p.dropped() == null ? "-" : p.dropped())
                .append('\t')
                .append(p.pendingSamples())
                .append('\t')
                .append(nowMs);
        if (p.undeliveredFrom() >= 0) {
            sb.append('\t').append(p.undeliveredFrom());
        }
        sb.append('\n');
        return sb.toString();
    }

    /**
     * Writes the snapshot of {@code robots} up to journal line {@code lastEvent}: to a temporary
     * file, forced, renamed over {@code dir}'s snapshot, the directory forced.
     */
    static void writeSnapshot(Path dir, long lastEvent, Collection<CompletenessLedger.Robot> robots)
            throws IOException {
        Path tmp = dir.resolve(CompletenessLedger.SNAPSHOT + ".tmp");
        try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            w.write(MAGIC + " " + lastEvent + "\n");
            for (CompletenessLedger.Robot r : robots) {
                w.write("R\t" + enc(r.tenant) + "\t" + enc(r.robot) + "\t" + (r.current == null ? "-" : r.current)
                        + "\t" + (r.dropped == null ? "-" : r.dropped) + "\t" + r.pendingSamples + "\n");
                for (EpochAccount e : r.epochs.values()) {
                    w.write("E\t" + e.epoch + "\t" + e.firstSeenMs + "\t" + e.lastSeenMs + "\t" + e.seqNext + "\t"
                            + e.receivedSamples + "\t" + e.duplicateExcerpts + "\t" + e.duplicateSamples + "\t"
                            + e.refusedSamples
                            + "\t" + e.received.forgotten() + "\t" + e.refused.forgotten()
                            + (e.undeliveredFrom >= 0 ? "\t" + e.undeliveredFrom : "") + "\n");
                    for (long[] iv : e.received.intervals()) {
                        w.write("I\t" + iv[0] + "\t" + iv[1] + "\t" + iv[2] + "\n");
                    }
                    for (long[] iv : e.refused.intervals()) {
                        w.write("J\t" + iv[0] + "\t" + iv[1] + "\t" + iv[2] + "\n");
                    }
                }
            }
            w.write("end\n");
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        try {
            Files.move(
                    tmp,
                    dir.resolve(CompletenessLedger.SNAPSHOT),
                    StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, dir.resolve(CompletenessLedger.SNAPSHOT), StandardCopyOption.REPLACE_EXISTING);
        }
        forceDirectory(dir);
    }

    /**
     * Reads the snapshot {@code file} into {@code robots} (by {@link CompletenessLedger#key});
     * returns the last journal line it includes, 0 when there is none yet.
     */
    static long readSnapshot(Path file, int maxIntervals, Map<String, CompletenessLedger.Robot> robots)
            throws IOException {
        long snapshotEvent = 0;
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (lines.isEmpty()
                    || !lines.get(0).startsWith(MAGIC + " ")
                    || !lines.get(lines.size() - 1).equals("end")) {
                throw new IOException(file + " is not a complete completeness snapshot");
            }
            snapshotEvent =
                    Long.parseLong(lines.get(0).substring(MAGIC.length() + 1).strip());
            CompletenessLedger.Robot r = null;
            EpochAccount e = null;
            for (String line : lines.subList(1, lines.size() - 1)) {
                String[] f = line.split("\t", -1);
                switch (f[0]) {
                    case "R" -> {
                        r = new CompletenessLedger.Robot(dec(f[1]), dec(f[2]));
                        r.current = f[3].equals("-") ? null : f[3];
                        r.dropped = f[4].equals("-") ? null : f[4];
                        r.pendingSamples = Long.parseLong(f[5]);
                        robots.put(CompletenessLedger.key(r.tenant, r.robot), r);
                    }
                    case "E" -> {
                        e = new EpochAccount(f[1], maxIntervals);
                        e.firstSeenMs = Long.parseLong(f[2]);
                        e.lastSeenMs = Long.parseLong(f[3]);
                        e.seqNext = Long.parseLong(f[4]);
                        e.receivedSamples = Long.parseLong(f[5]);
                        e.duplicateExcerpts = Long.parseLong(f[6]);
                        e.duplicateSamples = Long.parseLong(f[7]);
                        e.refusedSamples = Long.parseLong(f[8]);
                        e.received.restoreForgotten(Long.parseLong(f[9]));
                        e.refused.restoreForgotten(Long.parseLong(f[10]));
                        e.undeliveredFrom = f.length > 11 ? Long.parseLong(f[11]) : -1;
                        r.epochs.put(e.epoch, e);
                    }
                    case "I" -> e.received.restore(Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]));
                    case "J" -> e.refused.restore(Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]));
                    default -> throw new IOException("unknown line in " + file + ": " + line);
                }
            }
        } catch (NoSuchFileException e) {
            // first start
        } catch (RuntimeException e) {
            throw new IOException(file + " is damaged: " + e, e);
        }
        return snapshotEvent;
    }

    static String enc(String s) {
        return s == null ? "~" : URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static String dec(String s) {
        return s.equals("~") ? null : URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static void forceDirectory(Path d) {
        try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some file systems do not allow opening a directory; the rename is still atomic.
        }
    }
}
