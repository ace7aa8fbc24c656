package dev.edgepush.ingest.fleet;

/**
 * Samples per second over the last {@link #WINDOW_SECONDS} seconds: one counter per wall-clock
 * second in a ring, so memory is fixed per robot and an idle robot decays to 0 within the window.
 * A robot seen for less than the window is averaged over the seconds since its first sample
 * (otherwise a new robot would look slow for a minute). Thread-safe (locks itself; called once per
 * push and per view).
 */
final class SampleRate {
    /** "Over the last minute", as the fleet view says. */
    static final int WINDOW_SECONDS = 60;

    private final long[] counts = new long[WINDOW_SECONDS];
    private final long[] seconds = new long[WINDOW_SECONDS];
    private long firstSecond = -1;

    synchronized void add(long nowMs, long samples) {
        long sec = Math.floorDiv(nowMs, 1000);
        int i = Math.floorMod(sec, WINDOW_SECONDS);
        if (seconds[i] != sec) {
            seconds[i] = sec;
            counts[i] = 0;
        }
        counts[i] += samples;
        if (firstSecond < 0) {
            firstSecond = sec;
        }
    }

    synchronized double perSecond(long nowMs) {
        if (firstSecond < 0) {
            return 0;
        }
        long sec = Math.floorDiv(nowMs, 1000);
        long sum = 0;
        for (int i = 0; i < WINDOW_SECONDS; i++) {
            if (seconds[i] > sec - WINDOW_SECONDS && seconds[i] <= sec) {
                sum += counts[i];
            }
        }
        long span = Math.max(1, Math.min(WINDOW_SECONDS, sec - firstSecond + 1));
        return (double) sum / span;
    }
}
