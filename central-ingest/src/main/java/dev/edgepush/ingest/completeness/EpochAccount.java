package dev.edgepush.ingest.completeness;

import java.util.ArrayList;
import java.util.List;

/**
 * What central-ingest received of one buffer epoch of one robot ({@code X-Edgepush-Epoch}):
 * the excerpt sequence numbers accepted (written to the WAL and answered 2xx) and refused (a
 * 4xx that the agent does not retry), the duplicates among them, and the highest {@code
 * X-Edgepush-Seq-Next} and {@code X-Edgepush-Seq-Undelivered-From} the robot reported. Not
 * thread-safe: {@link CompletenessLedger} locks.
 *
 * <p>Why a missing number is missing. With {@link #undeliveredFrom} known (an agent that sends
 * it), a number below it that never arrived was dropped at the robot, and one from it on is
 * still pending there: the robot may deliver out of order (fresh-first: its newest excerpts
 * first while the backlog drains oldest first), so a gap below the highest received number may
 * simply not be sent yet. Without it (older agents, which send strictly in order) the boundary
 * is the highest number received or refused, plus one.
 */
final class EpochAccount {
    final String epoch;
    final SeqIntervals received;
    final SeqIntervals refused;
    long firstSeenMs;
    long lastSeenMs;
    long seqNext;
    long receivedSamples;
    long duplicateExcerpts;
    long duplicateSamples;
    long refusedSamples;
    /** The highest lowest-undelivered number the robot reported, -1 when it never did. */
    long undeliveredFrom = -1;

    EpochAccount(String epoch, int maxIntervals) {
        this.epoch = epoch;
        this.received = new SeqIntervals(maxIntervals);
        this.refused = new SeqIntervals(maxIntervals);
    }

    /**
     * Counts a push of {@code ranges} ({@code [first, last, ...]}) with {@code samples} samples:
     * accepted, or refused for good. Excerpts already received count as duplicates (a retry, or a
     * batch sent again after a restart); when a push is partly new, its samples are split in
     * proportion to its new and old excerpts (the headers give one count per push).
     */
    void add(boolean accepted, long[] ranges, long samples, long timeMs, long reportedNext, long nowMs) {
        long total = 0;
        long fresh = 0;
        for (int i = 0; i < ranges.length; i += 2) {
            total += ranges[i + 1] - ranges[i] + 1;
            if (accepted) {
                fresh += received.add(ranges[i], ranges[i + 1], timeMs);
            } else {
                fresh += refused.add(ranges[i], ranges[i + 1], timeMs);
            }
        }
        long freshSamples = total == 0 ? 0 : fresh == total ? samples : samples * fresh / total;
        if (accepted) {
            receivedSamples += freshSamples;
            duplicateExcerpts += total - fresh;
            duplicateSamples += samples - freshSamples;
        } else {
            refusedSamples += freshSamples;
        }
        seqNext = Math.max(seqNext, reportedNext);
        if (firstSeenMs == 0) {
            firstSeenMs = nowMs;
        }
        lastSeenMs = Math.max(lastSeenMs, nowMs);
    }

    /** Takes the robot's lowest undelivered number (-1: not reported); it only moves up. */
    void undeliveredFrom(long reported) {
        undeliveredFrom = Math.max(undeliveredFrom, reported);
    }

    /**
     * Where dropped ends and pending begins: the robot's lowest undelivered number (at most {@link
     * #next}) when it reported one, else past the highest received or refused.
     */
    long pendingFrom() {
        return undeliveredFrom >= 0 ? Math.min(undeliveredFrom, next()) : highest() + 1;
    }

    /** Excerpts received (each once). */
    long receivedExcerpts() {
        return received.size() - received.forgotten();
    }

    /** The number after the highest known to exist: the robot's next, or past what arrived. */
    long next() {
        return Math.max(seqNext, Math.max(received.highest(), refused.highest()) + 1);
    }

    /** The highest number received or refused, -1 when none. */
    long highest() {
        return Math.max(received.highest(), refused.highest());
    }

    /** Refused excerpts that were not received later (e.g. as 1.0 after a 2.0 refusal). */
    long refusedMissing() {
        return refusedMissingIn(0, Long.MAX_VALUE - 1);
    }

    /** {@link #refusedMissing} within {@code [first, last]}. */
    private long refusedMissingIn(long first, long last) {
        long n = 0;
        for (long[] iv : refused.intervals()) {
            long a = Math.max(first, iv[0]);
            long b = Math.min(last, iv[1]);
            if (a <= b) {
                n += (b - a + 1) - received.countIn(a, b);
            }
        }
        return n;
    }

    /**
     * Excerpts below {@link #pendingFrom} that never arrived and were not refused: dropped at the
     * robot (its disk cap deleted them, or they were damaged); with the interval cap's {@link
     * SeqIntervals#forgotten} ones.
     */
    long droppedMissing() {
        return next() - receivedExcerpts() - refusedMissing() - pendingMissing();
    }

    /**
     * Excerpts from {@link #pendingFrom} on, up to the robot's newest, that did not arrive and were
     * not refused: still on the robot (or in flight).
     */
    long pendingMissing() {
        long from = pendingFrom();
        long last = next() - 1;
        if (last < from) {
            return 0;
        }
        return last - from + 1 - received.countIn(from, last) - refusedMissingIn(from, last);
    }

    /**
     * The missing ranges, oldest first, at most {@code limit}: {@code {first, last}} with a
     * reason: {@code dropped} (at the robot), {@code refused} (by this server) or {@code pending}
     * (still on the robot; {@code lost} when {@code current} is false: the robot started a new
     * epoch with them unsent).
     */
    List<MissingRange> missingRanges(int limit, boolean current) {
        List<MissingRange> out = new ArrayList<>();
        long expect = 0;
        for (long[] iv : received.intervals()) {
            if (out.size() >= limit) {
                return out;
            }
            if (iv[0] > expect) {
                gap(out, expect, iv[0] - 1, limit, current);
            }
            expect = iv[1] + 1;
        }
        long top = highest();
        if (top >= expect && out.size() < limit) {
            gap(out, expect, top, limit, current);
            expect = top + 1;
        }
        long next = next();
        if (next > expect && out.size() < limit) {
            notRefused(out, expect, next - 1, limit, current);
        }
        return out;
    }

    /** Splits a gap of the received set into refused and dropped (or pending) parts. */
    private void gap(List<MissingRange> out, long first, long last, int limit, boolean current) {
        long at = first;
        for (long[] iv : refused.intervals()) {
            if (iv[1] < at || out.size() >= limit) {
                continue;
            }
            if (iv[0] > last) {
                break;
            }
            if (iv[0] > at) {
                notRefused(out, at, iv[0] - 1, limit, current);
            }
            if (out.size() < limit) {
                out.add(new MissingRange(Math.max(at, iv[0]), Math.min(last, iv[1]), "refused"));
            }
            at = Math.min(last, iv[1]) + 1;
        }
        if (at <= last && out.size() < limit) {
            notRefused(out, at, last, limit, current);
        }
    }

    /** A gap with nothing refused: dropped below {@link #pendingFrom}, pending (or lost) from it on. */
    private void notRefused(List<MissingRange> out, long first, long last, int limit, boolean current) {
        long from = pendingFrom();
        if (first < from) {
            out.add(new MissingRange(first, Math.min(last, from - 1), "dropped"));
        }
        if (last >= from && out.size() < limit) {
            out.add(new MissingRange(Math.max(first, from), last, current ? "pending" : "lost"));
        }
    }
}
