package dev.edgepush.ingest.decode;

/**
 * central-ingest's view of the time a robot stamps its samples with.
 *
 * <p><b>Skew.</b> edge-agent sends its wall clock with every push ({@code X-Edgepush-Agent-Time-Ms},
 * read as the request is sent); central-ingest takes that minus its own clock when the whole
 * request has arrived. The estimate is low by the request's transit time (milliseconds on a good
 * link, up to the upload time of a large batch on a slow one), so it is meant for offsets of
 * minutes and more, not for sub-second precision.
 *
 * <p><b>Correction</b> ({@code correctAboveMs} > 0): when a remote-write push's skew is larger than
 * that (either way), every sample of that push is shifted back by the skew, so it lands at the
 * time it was taken by the cloud's clock. Each push is judged on its own clock reading. Samples
 * buffered while the robot's clock was wrong but pushed after it was fixed carry the wrong time
 * and a push whose skew is now small: they are not corrected (they land where the robot's clock
 * put them, or are counted as out of range below). Text imports are never shifted: samples
 * without a timestamp are stamped with this server's clock.
 *
 * <p><b>Out of range.</b> A sample older than {@code retentionMs} (the storage's retention, 0 = no
 * check) or more than {@link #STORAGE_FUTURE_LIMIT_MS} ahead of this server's clock is one
 * VictoriaMetrics drops silently; central-ingest counts it by reason, per robot, and forwards it.
 */
public record SampleClock(long retentionMs, long correctAboveMs) {
    /** VictoriaMetrics refuses samples more than 2 days ahead of its clock. */
    public static final long STORAGE_FUTURE_LIMIT_MS = 2 * 86_400_000L;
    /** Samples older than a month (VictoriaMetrics' default retention, 31 days) counted; no correction. */
    public static final SampleClock DEFAULT = new SampleClock(31 * 86_400_000L, 0);

    /**
     * The times for one push received at {@code nowMs} whose agent said its clock read {@code
     * agentTimeMs} (0 or less: it did not say); {@code robotStamped} is false for text imports.
     */
    public SampleTimes forPush(long nowMs, long agentTimeMs, boolean robotStamped) {
        long shift = 0;
        if (robotStamped && correctAboveMs > 0 && agentTimeMs > 0) {
            long skew = agentTimeMs - nowMs;
            if (Math.abs(skew) > correctAboveMs) {
                shift = skew;
            }
        }
        return new SampleTimes(
                shift, retentionMs > 0 ? nowMs - retentionMs : Long.MIN_VALUE, nowMs + STORAGE_FUTURE_LIMIT_MS);
    }
}
