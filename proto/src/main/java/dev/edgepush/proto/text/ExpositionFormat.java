package dev.edgepush.proto.text;

/** The two text formats a scrape target may answer with. */
public enum ExpositionFormat {
    /** Prometheus text exposition format 0.0.4 (timestamps in milliseconds). */
    PROMETHEUS_TEXT,
    /** OpenMetrics 1.0 text format (timestamps in seconds, must end with {@code # EOF}). */
    OPENMETRICS;

    private static final String OPENMETRICS_MEDIA_TYPE = "application/openmetrics-text";

    /**
     * From an HTTP Content-Type header value (may be null): "application/openmetrics-text..." ->
     * OPENMETRICS, anything else -> PROMETHEUS_TEXT. The media type is compared case-insensitively
     * and leading whitespace is ignored.
     */
    public static ExpositionFormat fromContentType(String contentType) {
        if (contentType == null) {
            return PROMETHEUS_TEXT;
        }
        int start = 0;
        while (start < contentType.length()
                && (contentType.charAt(start) == ' ' || contentType.charAt(start) == '\t')) {
            start++;
        }
        if (!contentType.regionMatches(true, start, OPENMETRICS_MEDIA_TYPE, 0, OPENMETRICS_MEDIA_TYPE.length())) {
            return PROMETHEUS_TEXT;
        }
        int after = start + OPENMETRICS_MEDIA_TYPE.length();
        if (after == contentType.length()) {
            return OPENMETRICS;
        }
        char c = contentType.charAt(after);
        return c == ';' || c == ' ' || c == '\t' ? OPENMETRICS : PROMETHEUS_TEXT;
    }
}
