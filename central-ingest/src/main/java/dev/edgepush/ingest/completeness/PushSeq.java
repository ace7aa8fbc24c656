package dev.edgepush.ingest.completeness;

import dev.edgepush.forward.send.CompletenessHeaders;
import java.util.function.UnaryOperator;

/**
 * What a push says about the buffered excerpts it carries (edge-agent's completeness headers,
 * {@link CompletenessHeaders}). Null from {@link #of} when the push has no epoch or no valid
 * {@code X-Edgepush-Seq}: vmagent, agents before these headers, a batch of excerpts written
 * before sequence numbers: such pushes are not accounted.
 *
 * @param ranges {@code [first0, last0, first1, last1, ...]}, ascending, disjoint
 * @param timeMs the newest scrape time in the push (robot clock), 0 when not given
 * @param seqNext the robot's next sequence number, 0 when not given
 * @param dropped the robot's samples dropped since its start by reason ({@code
 *     disk_full=0,corrupt=0,...}), or null
 * @param pendingSamples the robot's unsent samples ({@code X-Edgepush-Pending-Samples}), -1 when not given
 * @param undeliveredFrom the lowest number the robot still holds undelivered ({@link
 *     CompletenessHeaders#SEQ_UNDELIVERED_FROM}), -1 when not given
 */
public record PushSeq(
        String epoch,
        long[] ranges,
        long samples,
        long timeMs,
        long seqNext,
        String dropped,
        long pendingSamples,
        long undeliveredFrom) {
    static final String PENDING_HEADER = "X-Edgepush-Pending-Samples";

    /** A push without {@link CompletenessHeaders#SEQ_UNDELIVERED_FROM} (an agent before it). */
    public PushSeq(
            String epoch, long[] ranges, long samples, long timeMs, long seqNext, String dropped, long pendingSamples) {
        this(epoch, ranges, samples, timeMs, seqNext, dropped, pendingSamples, -1);
    }

    /** The push's accounting headers, read through {@code header} (name to value or null); null when it has none. */
    public static PushSeq of(UnaryOperator<String> header) {
        String epoch = header.apply(CompletenessHeaders.EPOCH);
        if (epoch == null || !epoch.strip().matches("[0-9a-fA-F]{1,32}")) {
            return null;
        }
        long[] ranges = CompletenessHeaders.parseRanges(header.apply(CompletenessHeaders.SEQ));
        if (ranges == null) {
            return null;
        }
        String dropped = header.apply(CompletenessHeaders.DROPPED);
        if (dropped != null && (dropped.length() > 256 || !dropped.matches("[a-z_]+=[0-9]+(,[a-z_]+=[0-9]+)*"))) {
            dropped = null;
        }
        return new PushSeq(
                epoch.strip().toLowerCase(java.util.Locale.ROOT),
                ranges,
                Math.max(0, number(header.apply(CompletenessHeaders.SEQ_SAMPLES))),
                Math.max(0, number(header.apply(CompletenessHeaders.SEQ_TIME))),
                Math.max(0, number(header.apply(CompletenessHeaders.SEQ_NEXT))),
                dropped,
                number(header.apply(PENDING_HEADER)),
                number(header.apply(CompletenessHeaders.SEQ_UNDELIVERED_FROM)));
    }

    private static long number(String s) {
        if (s == null) {
            return -1;
        }
        try {
            return Math.max(-1, Long.parseLong(s.strip()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
