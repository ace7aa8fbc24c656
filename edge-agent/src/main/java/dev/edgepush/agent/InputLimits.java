package dev.edgepush.agent;

/**
 * -promscrape.streamParse, -promscrape.minResponseSizeForStreamParse (bytes), -maxLabelsPerTimeseries,
 * -maxLabelNameLen and -maxLabelValueLen (0 = no limit).
 */
public record InputLimits(
        boolean streamParse, long minStreamParseBytes, int maxLabels, int maxLabelNameBytes, int maxLabelValueChars) {
    /** No limits, nothing streamed: what tests that build a Config by hand get. */
    public static final InputLimits NONE = new InputLimits(false, 0, 0, 0, 0);
}
