package dev.edgepush.agent.scrape;

import dev.edgepush.proto.WriteRequestEncoder;
import java.util.ArrayDeque;

/**
 * The per-thread pool of encoders a scrape's request is built in: a scrape takes one at {@link
 * SeriesEncoder#begin} and gives it back with {@link SeriesEncoder#release} once appended. Scrapes
 * of several targets on one event loop overlap (each body is parsed piece by piece as it arrives),
 * so one encoder per thread does not do; one per target kept its grown array (~128 KiB for 1000
 * series) live between scrapes: 1.3 MB of heap at 10 targets. The pool holds about as many as
 * scrapes overlap, and drops an encoder grown past {@link #POOLED_MAX_BYTES}.
 */
final class EncoderPool {
    private static final ThreadLocal<ArrayDeque<WriteRequestEncoder>> POOL = ThreadLocal.withInitial(ArrayDeque::new);

    private static final int POOLED_MAX_BYTES = 2 << 20;

    private EncoderPool() {}

    /** A pooled encoder of this thread, or a new one. */
    static WriteRequestEncoder take() {
        WriteRequestEncoder e = POOL.get().poll();
        return e == null ? new WriteRequestEncoder() : e;
    }

    /** Back to this thread's pool, reset, unless it grew too large to keep. */
    static void giveBack(WriteRequestEncoder e) {
        if (e.array().length <= POOLED_MAX_BYTES) {
            e.reset();
            POOL.get().push(e);
        }
    }
}
