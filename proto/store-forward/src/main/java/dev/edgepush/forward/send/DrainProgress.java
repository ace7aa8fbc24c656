package dev.edgepush.forward.send;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * Reports how a backlog drains ({@link Sender.Progress}): while more than a threshold of
 * samples is pending, one report at most every {@link Sender#PROGRESS_INTERVAL_MS}, with the
 * send rate and the net drain rate (sent minus newly buffered) over the interval. Owned by the
 * sender's thread.
 */
final class DrainProgress {
    private final long thresholdSamples;
    private Consumer<Sender.Progress> listener;
    private long markMs = -1; // start of the current interval, -1 = not draining
    private long markSent;
    private long markPending;
    private long sentTotal;

    DrainProgress(long thresholdSamples, Consumer<Sender.Progress> listener) {
        this.thresholdSamples = thresholdSamples;
        this.listener = listener;
    }

    long thresholdSamples() {
        return thresholdSamples;
    }

    void listener(Consumer<Sender.Progress> listener) {
        this.listener = listener;
    }

    /** {@code samples} were acknowledged at {@code now}; {@code pending} are left. */
    void sent(long samples, long now, long pending) {
        sentTotal += samples;
        if (pending <= thresholdSamples) {
            markMs = -1;
            return;
        }
        if (markMs < 0) {
            mark(now, pending);
            return;
        }
        long elapsed = now - markMs;
        if (elapsed < Sender.PROGRESS_INTERVAL_MS) {
            return;
        }
        double sentPerSecond = (sentTotal - markSent) * 1000.0 / elapsed;
        double drainPerSecond = (markPending - pending) * 1000.0 / elapsed;
        Duration left = drainPerSecond > 0 ? Duration.ofMillis((long) (pending / drainPerSecond * 1000)) : null;
        listener.accept(new Sender.Progress(pending, sentPerSecond, drainPerSecond, left));
        mark(now, pending);
    }

    private void mark(long now, long pending) {
        markMs = now;
        markSent = sentTotal;
        markPending = pending;
    }
}
