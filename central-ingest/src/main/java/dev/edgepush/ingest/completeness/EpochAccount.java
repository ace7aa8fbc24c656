package dev.edgepush.ingest.completeness;

import java.util.ArrayList;
import java.util.List;

/**
 * What central-ingest received of one buffer epoch of one robot ({@code X-Edgepush-Epoch}):
 * the excerpt sequence numbers accepted (written to the WAL and answered 2xx) and refused (a
 * 4xx that the agent does not retry), the duplicates among them, and the highest {@code
 * X-Edgepush-Seq-Next} the robot reported. Not thread-safe: {@link CompletenessLedger} locks.
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
        long n = 0;
        for (long[] iv : refused.intervals()) {
            n += (iv[1] - iv[0] + 1) - received.countIn(iv[0], iv[1]);
        }
        return n;
    }

    /**
     * Excerpts below the highest received or refused that never arrived: the robot sends in
     * order, so these were dropped there (its disk cap deleted them, or they were damaged); with
     * the interval cap's {@link SeqIntervals#forgotten} ones.
     */
    long droppedMissing() {
        return highest() + 1 - receivedExcerpts() - refusedMissing();
    }

    /** Excerpts the robot numbered that are above the highest received: still on the robot (or in flight). */
    long pendingMissing() {
        return next() - 1 - highest();
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
                gap(out, expect, iv[0] - 1, limit);
            }
            expect = iv[1] + 1;
        }
        long top = highest();
        if (top >= expect && out.size() < limit) {
            gap(out, expect, top, limit);
            expect = top + 1;
        }
        long next = next();
        if (next > expect && out.size() < limit) {
            out.add(new MissingRange(expect, next - 1, current ? "pending" : "lost"));
        }
        return out;
    }

    /** Splits a gap of the received set into refused and dropped parts. */
    private void gap(List<MissingRange> out, long first, long last, int limit) {
        long at = first;
        for (long[] iv : refused.intervals()) {
            if (iv[1] < at || out.size() >= limit) {
                continue;
            }
            if (iv[0] > last) {
                break;
            }
            if (iv[0] > at) {
                out.add(new MissingRange(at, iv[0] - 1, "dropped"));
            }
            if (out.size() < limit) {
                out.add(new MissingRange(Math.max(at, iv[0]), Math.min(last, iv[1]), "refused"));
            }
            at = Math.min(last, iv[1]) + 1;
        }
        if (at <= last && out.size() < limit) {
            out.add(new MissingRange(at, last, "dropped"));
        }
    }
}
