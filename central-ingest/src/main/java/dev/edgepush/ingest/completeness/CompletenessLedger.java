package dev.edgepush.ingest.completeness;

import dev.edgepush.ingest.auth.Identity;
import java.io.BufferedWriter;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per robot, what central-ingest received of its buffered excerpts and what is missing, from
 * the completeness headers of its pushes ({@link PushSeq}), kept per buffer epoch ({@link
 * EpochAccount}). Pushes without the headers (vmagent, older agents) are not accounted.
 *
 * <p>Durability. Every accounted push is one line appended to {@code ledger.journal} before
 * the push is answered (a write, no fsync: like the WAL, it survives a {@code kill -9} of the
 * process in the page cache); {@link #flush}, about once a second, forces it to disk, so a power
 * cut loses at most about the last second. {@link #compact}, about once a minute, writes the
 * whole state to {@code ledger.snapshot} (temporary file, forced, renamed, directory forced) and
 * empties the journal; journal lines are numbered and the snapshot names the last it includes,
 * so a crash between the two never applies a line twice. At start the snapshot is read and the
 * journal replayed; a torn last line (a crash mid-write) is skipped.
 *
 * <p>Bounds: at most {@link #MAX_INTERVALS} received (and refused) intervals per epoch (see
 * {@link SeqIntervals}: past it the oldest gaps are still counted, no longer listed) and the
 * {@link #MAX_EPOCHS} most recently seen epochs per robot. Robots are not forgotten.
 *
 * <p>Thread-safe: one lock, held for the in-memory update and the journal write.
 */
public final class CompletenessLedger implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CompletenessLedger.class);
    public static final int MAX_INTERVALS = 1024;
    public static final int MAX_EPOCHS = 4;
    /** Missing ranges listed per robot in the fleet view. */
    public static final int LISTED_RANGES = 20;

    static final String SNAPSHOT = "ledger.snapshot";
    static final String JOURNAL = "ledger.journal";
    private static final String MAGIC = "edgepush-completeness 1";

    /** One robot: its epochs, oldest seen first, and what its last push reported. */
    static final class Robot {
        final String tenant;
        final String robot;
        final LinkedHashMap<String, EpochAccount> epochs = new LinkedHashMap<>();
        String current;
        String dropped;
        long pendingSamples = -1;

        Robot(String tenant, String robot) {
            this.tenant = tenant;
            this.robot = robot;
        }
    }

    private final Map<String, Robot> robots = new HashMap<>();
    private final Path dir;
    private final int maxIntervals;
    private FileChannel journal;
    private long journalBytes;
    private long lastEvent;
    private boolean dirty;

    private CompletenessLedger(Path dir, int maxIntervals) {
        this.dir = dir;
        this.maxIntervals = maxIntervals;
    }

    /** A ledger kept in memory only (tests, or no directory). */
    public static CompletenessLedger inMemory() {
        return new CompletenessLedger(null, MAX_INTERVALS);
    }

    /** Opens (or creates) the ledger in {@code dir}: reads the snapshot, replays the journal. */
    public static CompletenessLedger open(Path dir) throws IOException {
        return open(dir, MAX_INTERVALS);
    }

    static CompletenessLedger open(Path dir, int maxIntervals) throws IOException {
        Files.createDirectories(dir);
        CompletenessLedger l = new CompletenessLedger(dir, maxIntervals);
        synchronized (l) {
            l.load();
            l.journal = FileChannel.open(
                    dir.resolve(JOURNAL),
                    StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
            l.journalBytes = l.journal.size();
        }
        return l;
    }

    /**
     * Accounts a push of {@code robot} ({@code accepted}: written to the WAL and answered 2xx;
     * else refused for good with a 4xx the agent does not retry). {@code push} null: not accounted.
     */
    public void record(String tenant, String robot, boolean accepted, PushSeq push, long nowMs) {
        if (push == null) {
            return;
        }
        synchronized (this) {
            apply(tenant, robot, accepted, push, nowMs);
            lastEvent++;
            journal(line(lastEvent, tenant, robot, accepted, push, nowMs));
        }
    }

    private void apply(String tenant, String robot, boolean accepted, PushSeq push, long nowMs) {
        Robot r = robots.computeIfAbsent(key(tenant, robot), k -> new Robot(tenant, robot));
        EpochAccount e = r.epochs.get(push.epoch());
        if (e == null) {
            e = new EpochAccount(push.epoch(), maxIntervals);
            r.epochs.put(push.epoch(), e);
        }
        e.add(accepted, push.ranges(), push.samples(), push.timeMs(), push.seqNext(), nowMs);
        r.current = push.epoch();
        while (r.epochs.size() > MAX_EPOCHS) { // the least recently seen other than the one just pushed to
            String oldest = r.epochs.values().stream()
                    .filter(a -> !a.epoch.equals(push.epoch()))
                    .min(Comparator.comparingLong(a -> a.lastSeenMs))
                    .orElseThrow()
                    .epoch;
            r.epochs.remove(oldest);
        }
        if (push.dropped() != null) {
            r.dropped = push.dropped();
        }
        if (push.pendingSamples() >= 0) {
            r.pendingSamples = push.pendingSamples();
        }
    }

    private static String key(String tenant, String robot) {
        return Identity.normalizeTenant(tenant) + "/" + robot;
    }

    /** What a robot's accounting shows: {@link #get}, {@link #all}. */
    public record Summary(
            String tenant,
            String robot,
            String epoch,
            int epochs,
            long receivedExcerpts,
            long receivedSamples,
            long duplicateExcerpts,
            long duplicateSamples,
            long refusedSamples,
            Map<String, Long> missingExcerpts,
            long nextSeq,
            long completeThroughSeq,
            long completeUpToMs,
            List<MissingRange> missingRanges,
            Map<String, Long> robotDroppedSamples,
            long pendingSamples) {
        /** Missing excerpts of every reason. */
        public long missingTotal() {
            return missingExcerpts.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** The accounting of {@code robot}, or null when none of its pushes was accounted. */
    public synchronized Summary get(String tenant, String robot) {
        Robot r = robots.get(key(tenant, robot));
        return r == null ? null : summary(r);
    }

    /** Every accounted robot of every tenant, by tenant and name. */
    public synchronized List<Summary> all() {
        List<Summary> out = new ArrayList<>(robots.size());
        for (Robot r : robots.values()) {
            out.add(summary(r));
        }
        out.sort(Comparator.comparing((Summary s) -> String.valueOf(s.tenant())).thenComparing(Summary::robot));
        return out;
    }

    private static Summary summary(Robot r) {
        long received = 0;
        long receivedSamples = 0;
        long dup = 0;
        long dupSamples = 0;
        long refusedSamples = 0;
        Map<String, Long> missing = new LinkedHashMap<>();
        for (String reason : new String[] {"dropped", "refused", "pending", "lost"}) {
            missing.put(reason, 0L);
        }
        for (EpochAccount e : r.epochs.values()) {
            boolean current = e.epoch.equals(r.current);
            received += e.receivedExcerpts();
            receivedSamples += e.receivedSamples;
            dup += e.duplicateExcerpts;
            dupSamples += e.duplicateSamples;
            refusedSamples += e.refusedSamples;
            missing.merge("dropped", e.droppedMissing(), Long::sum);
            missing.merge("refused", e.refusedMissing(), Long::sum);
            missing.merge(current ? "pending" : "lost", e.pendingMissing(), Long::sum);
        }
        EpochAccount cur = r.epochs.get(r.current);
        Map<String, Long> robotDropped = new LinkedHashMap<>();
        if (r.dropped != null) {
            for (String kv : r.dropped.split(",")) {
                int eq = kv.indexOf('=');
                robotDropped.put(kv.substring(0, eq), Long.parseLong(kv.substring(eq + 1)));
            }
        }
        return new Summary(
                r.tenant,
                r.robot,
                r.current,
                r.epochs.size(),
                received,
                receivedSamples,
                dup,
                dupSamples,
                refusedSamples,
                missing,
                cur.next(),
                cur.received.completeThrough(),
                cur.received.completeThroughTimeMs(),
                cur.missingRanges(LISTED_RANGES, true),
                robotDropped,
                r.pendingSamples);
    }

    // ---- persistence ----

    private static String line(long no, String tenant, String robot, boolean accepted, PushSeq p, long nowMs) {
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
                .append(nowMs)
                .append('\n');
        return sb.toString();
    }

    private void journal(String line) {
        if (journal == null) {
            return;
        }
        ByteBuffer b = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
        try {
            while (b.hasRemaining()) {
                journalBytes += journal.write(b);
            }
            dirty = true;
        } catch (IOException e) {
            // The push is in the WAL already; losing its accounting line shows as missing, not as loss.
            log.error("cannot write the completeness journal {}: {}", dir.resolve(JOURNAL), e.toString());
        }
    }

    /** Forces the journal to disk if it changed (about once a second). */
    public void flush() {
        FileChannel j;
        synchronized (this) {
            if (!dirty || journal == null) {
                return;
            }
            dirty = false;
            j = journal;
        }
        try {
            j.force(false);
        } catch (IOException e) {
            log.error("cannot force the completeness journal to disk: {}", e.toString());
        }
    }

    /** Writes the snapshot and empties the journal (about once a minute, and at close). */
    public synchronized void compact() throws IOException {
        if (dir == null || journalBytes == 0) {
            return;
        }
        Path tmp = dir.resolve(SNAPSHOT + ".tmp");
        try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            w.write(MAGIC + " " + lastEvent + "\n");
            for (Robot r : robots.values()) {
                w.write("R\t" + enc(r.tenant) + "\t" + enc(r.robot) + "\t" + (r.current == null ? "-" : r.current)
                        + "\t" + (r.dropped == null ? "-" : r.dropped) + "\t" + r.pendingSamples + "\n");
                for (EpochAccount e : r.epochs.values()) {
                    w.write("E\t" + e.epoch + "\t" + e.firstSeenMs + "\t" + e.lastSeenMs + "\t" + e.seqNext + "\t"
                            + e.receivedSamples + "\t" + e.duplicateExcerpts + "\t" + e.duplicateSamples + "\t"
                            + e.refusedSamples
                            + "\t" + e.received.forgotten() + "\t" + e.refused.forgotten() + "\n");
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
            Files.move(tmp, dir.resolve(SNAPSHOT), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, dir.resolve(SNAPSHOT), StandardCopyOption.REPLACE_EXISTING);
        }
        forceDirectory(dir);
        journal.truncate(0);
        journal.force(true);
        journalBytes = 0;
        dirty = false;
    }

    private void load() throws IOException {
        long snapshotEvent = 0;
        try {
            List<String> lines = Files.readAllLines(dir.resolve(SNAPSHOT), StandardCharsets.UTF_8);
            if (lines.isEmpty()
                    || !lines.get(0).startsWith(MAGIC + " ")
                    || !lines.get(lines.size() - 1).equals("end")) {
                throw new IOException(dir.resolve(SNAPSHOT) + " is not a complete completeness snapshot");
            }
            snapshotEvent =
                    Long.parseLong(lines.get(0).substring(MAGIC.length() + 1).strip());
            Robot r = null;
            EpochAccount e = null;
            for (String line : lines.subList(1, lines.size() - 1)) {
                String[] f = line.split("\t", -1);
                switch (f[0]) {
                    case "R" -> {
                        r = new Robot(dec(f[1]), dec(f[2]));
                        r.current = f[3].equals("-") ? null : f[3];
                        r.dropped = f[4].equals("-") ? null : f[4];
                        r.pendingSamples = Long.parseLong(f[5]);
                        robots.put(key(r.tenant, r.robot), r);
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
                        r.epochs.put(e.epoch, e);
                    }
                    case "I" -> e.received.restore(Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]));
                    case "J" -> e.refused.restore(Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]));
                    default -> throw new IOException("unknown line in " + dir.resolve(SNAPSHOT) + ": " + line);
                }
            }
        } catch (NoSuchFileException e) {
            // first start
        } catch (RuntimeException e) {
            throw new IOException(dir.resolve(SNAPSHOT) + " is damaged: " + e, e);
        }
        lastEvent = snapshotEvent;
        long replayed = 0;
        List<String> lines;
        try {
            lines = Files.readAllLines(dir.resolve(JOURNAL), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            lines = List.of();
        }
        for (String line : lines) {
            String[] f = line.split("\t", -1);
            try {
                long no = Long.parseLong(f[0]);
                if (no <= snapshotEvent) {
                    continue;
                }
                long[] ranges = dev.edgepush.forward.send.CompletenessHeaders.parseRanges(f[5]);
                PushSeq p = new PushSeq(
                        f[4],
                        ranges,
                        Long.parseLong(f[6]),
                        Long.parseLong(f[7]),
                        Long.parseLong(f[8]),
                        f[9].equals("-") ? null : f[9],
                        Long.parseLong(f[10]));
                apply(dec(f[2]), dec(f[3]), f[1].equals("A"), p, Long.parseLong(f[11]));
                lastEvent = Math.max(lastEvent, no);
                replayed++;
            } catch (RuntimeException e) {
                log.warn(
                        "skipping a damaged completeness journal line ({}): {}",
                        e.toString(),
                        line.length() > 200 ? line.substring(0, 200) : line);
            }
        }
        if (!robots.isEmpty()) {
            log.info(
                    "completeness accounting: {} robots from {} ({} journal lines replayed)",
                    robots.size(),
                    dir,
                    replayed);
        }
    }

    private static String enc(String s) {
        return s == null ? "~" : URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String dec(String s) {
        return s.equals("~") ? null : URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static void forceDirectory(Path d) {
        try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some file systems do not allow opening a directory; the rename is still atomic.
        }
    }

    /** Compacts (so the next start reads one file) and closes the journal. */
    @Override
    public synchronized void close() {
        if (journal == null) {
            return;
        }
        try {
            compact();
        } catch (IOException e) {
            log.error("cannot write the completeness snapshot at close: {}", e.toString());
        }
        try {
            journal.close();
        } catch (IOException e) {
            log.warn("closing the completeness journal: {}", e.toString());
        }
        journal = null;
    }
}
