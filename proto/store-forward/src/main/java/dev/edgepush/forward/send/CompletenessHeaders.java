package dev.edgepush.forward.send;

import dev.edgepush.forward.buffer.DiskBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The headers with which a push says which buffered excerpts it carries, so that the receiver
 * (central-ingest) can keep per robot what it received and what is missing. Every value is
 * computed from the batch and the buffer, so a retry of a batch sends the same {@link #SEQ},
 * {@link #SEQ_SAMPLES} and {@link #SEQ_TIME}; {@link #SEQ_NEXT}, {@link #SEQ_UNDELIVERED_FROM} and {@link #DROPPED} may have
 * grown meanwhile (they describe the buffer, not the batch). The body is never affected.
 *
 * <ul>
 *   <li>{@link #EPOCH}: the buffer's epoch id, 16 hex digits ({@link DiskBuffer#epoch});
 *       sequence numbers count from 0 in each epoch.
 *   <li>{@link #SEQ}: the sequence numbers of the excerpts in this push, {@code first-last}
 *       ranges (inclusive) joined by commas, ascending: {@code "120-187"}; two or more when the
 *       sender skipped a damaged excerpt inside the batch. Absent when the batch holds only
 *       excerpts written before sequence numbers existed.
 *   <li>{@link #SEQ_SAMPLES}: the samples (and histograms) in this push.
 *   <li>{@link #SEQ_TIME}: the newest scrape timestamp in this push, ms since the epoch (robot
 *       clock).
 *   <li>{@link #SEQ_NEXT}: the number the buffer gives its next excerpt: {@code 0 .. next - 1}
 *       were written; those not yet received are still pending on the robot, or were dropped
 *       there.
 *   <li>{@link #SEQ_UNDELIVERED_FROM}: the lowest number the robot still holds undelivered
 *       ({@link DiskBuffer#undeliveredFromSeq}: the next excerpt of its backfill lane while
 *       fresh-first delivery is split, else of its one lane; {@link #SEQ_NEXT} when it holds
 *       nothing). A number below it that never arrived was dropped at the robot (disk cap,
 *       damage); a number from it on is still pending there, whatever order the pushes arrive in.
 *       It moves past excerpts a disk cap trim deleted (counted as {@code disk_full}), and never
 *       back within an epoch. Absent when the robot cannot tell (see {@link
 *       DiskBuffer#undeliveredFromSeq}) and from agents before it: the receiver then takes
 *       everything below the highest number received as dropped, as it did before.
 *   <li>{@link #DROPPED}: the samples the agent dropped since it started, by reason: {@code
 *       disk_full=0,corrupt=0,too_large=0,rejected=0}.
 * </ul>
 */
public final class CompletenessHeaders {
    public static final String EPOCH = "X-Edgepush-Epoch";
    public static final String SEQ = "X-Edgepush-Seq";
    public static final String SEQ_SAMPLES = "X-Edgepush-Seq-Samples";
    public static final String SEQ_TIME = "X-Edgepush-Seq-Time-Ms";
    public static final String SEQ_NEXT = "X-Edgepush-Seq-Next";
    public static final String SEQ_UNDELIVERED_FROM = "X-Edgepush-Seq-Undelivered-From";
    public static final String DROPPED = "X-Edgepush-Dropped-By-Reason";
    /** A {@link #SEQ} with more ranges than this is not accounted (a sender never sends one). */
    public static final int MAX_RANGES = 64;

    private CompletenessHeaders() {}

    /**
     * The headers for the batch {@code sender} is pushing from its buffer; {@code dropped} is the
     * {@link #DROPPED} value (or null to leave it out).
     */
    public static Map<String, String> of(Sender sender, String dropped) {
        DiskBuffer buffer = sender.buffer();
        Map<String, String> h = new LinkedHashMap<>();
        h.put(EPOCH, buffer.epoch());
        String ranges = sender.batchSeqRanges();
        if (ranges != null) {
            h.put(SEQ, ranges);
            h.put(SEQ_SAMPLES, Integer.toString(sender.batchSamples()));
            h.put(SEQ_TIME, Long.toString(sender.batchNewestTimestampMs()));
        }
        h.put(SEQ_NEXT, Long.toString(buffer.nextSeq()));
        long undelivered = buffer.undeliveredFromSeq();
        if (undelivered >= 0) {
            h.put(SEQ_UNDELIVERED_FROM, Long.toString(undelivered));
        }
        if (dropped != null) {
            h.put(DROPPED, dropped);
        }
        return h;
    }

    /**
     * Parses a {@link #SEQ} value into {@code [first0, last0, first1, last1, ...]}; null when it is
     * absent or malformed (not ascending, overlapping, negative, more than {@link #MAX_RANGES}).
     */
    public static long[] parseRanges(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String[] parts = value.split(",", MAX_RANGES + 1);
        if (parts.length > MAX_RANGES) {
            return null;
        }
        long[] out = new long[2 * parts.length];
        long prevLast = -2;
        try {
            for (int i = 0; i < parts.length; i++) {
                String p = parts[i].strip();
                int dash = p.indexOf('-');
                long first = Long.parseLong(dash < 0 ? p : p.substring(0, dash));
                long last = dash < 0 ? first : Long.parseLong(p.substring(dash + 1));
                if (first < 0 || last < first || first <= prevLast || last == Long.MAX_VALUE) {
                    return null;
                }
                out[2 * i] = first;
                out[2 * i + 1] = last;
                prevLast = last;
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return out;
    }
}
