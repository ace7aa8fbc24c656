package dev.edgepush.forward.buffer;

/**
 * What {@link AckFile} persists: the backfill lane's acknowledged index {@code acked} (A; the
 * only one when there is no split), and while fresh-first delivery has split the buffer, the
 * first index of the live lane {@code split} (S) and the live lane's acknowledged index {@code
 * liveAcked} (L, {@code S - 1} while it has acknowledged nothing). Without a split both are -1.
 * Acknowledged: everything up to A, and [S, L].
 */
record AckState(long acked, long split, long liveAcked) {
    static final AckState NONE = new AckState(-1, -1, -1);

    /** No split: one lane acknowledged up to {@code acked}. */
    static AckState single(long acked) {
        return new AckState(acked, -1, -1);
    }
}
