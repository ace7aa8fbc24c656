package dev.edgepush.ingest.completeness;

import dev.edgepush.ingest.auth.Identity;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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
            journal(LedgerFiles.journalLine(lastEvent, tenant, robot, accepted, push, nowMs));
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
        e.undeliveredFrom(push.undeliveredFrom());
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

    static String key(String tenant, String robot) {
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
        LedgerFiles.writeSnapshot(dir, lastEvent, robots.values());
        journal.truncate(0);
        journal.force(true);
        journalBytes = 0;
        dirty = false;
    }

    private void load() throws IOException {
        long snapshotEvent = LedgerFiles.readSnapshot(dir.resolve(SNAPSHOT), maxIntervals, robots);
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
                        Long.parseLong(f[10]),
                        f.length > 12 ? Long.parseLong(f[12]) : -1);
                apply(LedgerFiles.dec(f[2]), LedgerFiles.dec(f[3]), f[1].equals("A"), p, Long.parseLong(f[11]));
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
