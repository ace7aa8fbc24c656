package dev.edgepush.ingest.decode;

/**
 * What happens to the timestamps of one push (see {@link SampleClock#forPush}): each is shifted
 * back by {@code shiftMs} (the robot's clock offset, when corrected; else 0), then one before
 * {@code oldestMs} counts as too old and one after {@code newestMs} as too new for the storage.
 * Counted samples are still forwarded: the storage decides, the count says why they are missing.
 */
public record SampleTimes(long shiftMs, long oldestMs, long newestMs) {
    /** No shift, nothing counted. */
    public static final SampleTimes ANY = new SampleTimes(0, Long.MIN_VALUE, Long.MAX_VALUE);
}
