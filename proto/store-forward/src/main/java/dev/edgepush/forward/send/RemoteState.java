package dev.edgepush.forward.send;

import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a {@link Sender} knows of its remote for the status page (the last error, the last
 * delivery, whether it is unreachable), and its log line at each change between reachable and
 * unreachable. Changed by the sender's thread only.
 */
final class RemoteState {
    /** The lines are the sender's: logged under its name. */
    private static final Logger log = LoggerFactory.getLogger(Sender.class);

    private final String remoteName;
    private volatile String lastError = "";
    private volatile long lastSuccessMs;
    private boolean unreachable;
    private long unreachableSinceMs;

    RemoteState(String remoteName) {
        this.remoteName = remoteName;
    }

    /** A push was delivered at {@code now}; {@code pending} samples are left in the buffer. */
    void delivered(long now, LongSupplier pending) {
        lastSuccessMs = now;
        if (unreachable) {
            unreachable = false;
            log.info(
                    "remote {} reachable again after {} s; {} samples pending",
                    remoteName,
                    (now - unreachableSinceMs) / 1000,
                    pending.getAsLong());
        }
    }

    /** A push was rejected for good with {@code error}. */
    void rejected(String error) {
        lastError = error;
    }

    /** A push will be retried because of {@code reason}; {@code pending} samples stay buffered. */
    void retrying(String reason, long now, LongSupplier pending) {
        lastError = reason;
        if (!unreachable) {
            unreachable = true;
            unreachableSinceMs = now;
            log.warn(
                    "remote {} unavailable ({}); keeping {} samples buffered and retrying with backoff",
                    remoteName,
                    reason,
                    pending.getAsLong());
        }
    }

    String lastError() {
        return lastError;
    }

    long lastSuccessMs() {
        return lastSuccessMs;
    }

    boolean unreachable() {
        return unreachable;
    }
}
