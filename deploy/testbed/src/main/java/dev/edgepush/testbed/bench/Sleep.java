package dev.edgepush.testbed.bench;

/** Sleeping between polls of processes the benchmark does not control. */
final class Sleep {
    private Sleep() {}

    /** Sleeps; an interrupt ends the run with an error. */
    static void millis(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
