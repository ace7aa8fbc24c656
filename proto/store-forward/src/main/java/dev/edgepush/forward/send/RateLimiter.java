package dev.edgepush.forward.send;

/**
 * A token bucket for {@code -remoteWrite.rateLimit}: compressed bytes per second on the wire to
 * one remote. A request is never split: it is sent when the bucket is not in debt, and its size is
 * then taken from the bucket, which may go negative; the next request waits until the debt is
 * paid. So the long-run rate is the limit, and a request larger than a second's worth still goes
 * (in the time it is worth). The bucket holds at most one second of tokens, so an idle remote
 * cannot save up a burst larger than that. Time is injected (ms); one thread (the sender).
 */
public final class RateLimiter {
    private final long bytesPerSecond;
    private double tokens;
    private long lastMs = Long.MIN_VALUE;

    /** {@code bytesPerSecond} > 0. */
    public RateLimiter(long bytesPerSecond) {
        if (bytesPerSecond <= 0) {
            throw new IllegalArgumentException("bytesPerSecond must be more than 0: " + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
        this.tokens = bytesPerSecond;
    }

    /** How long to wait before the next request may go, in ms (0 = now). */
    public long waitMs(long nowMs) {
        refill(nowMs);
        if (tokens >= 0) {
            return 0;
        }
        return (long) Math.ceil(-tokens * 1000.0 / bytesPerSecond);
    }

    /** Takes a request of {@code bytes} from the bucket. */
    public void spent(long bytes, long nowMs) {
        refill(nowMs);
        tokens -= bytes;
    }

    private void refill(long nowMs) {
        if (lastMs != Long.MIN_VALUE && nowMs > lastMs) {
            tokens = Math.min(bytesPerSecond, tokens + (nowMs - lastMs) * bytesPerSecond / 1000.0);
        }
        if (lastMs == Long.MIN_VALUE || nowMs > lastMs) {
            lastMs = nowMs;
        }
    }

    public long bytesPerSecond() {
        return bytesPerSecond;
    }
}
