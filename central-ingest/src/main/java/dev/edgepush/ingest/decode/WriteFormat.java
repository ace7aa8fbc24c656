package dev.edgepush.ingest.decode;

import java.util.Locale;

/** The one place that decides how a write request's body is read, from its route and Content-Type. */
public enum WriteFormat {
    /** Remote write 1.0: {@code application/x-protobuf} (optionally {@code proto=prometheus.WriteRequest}), or no Content-Type. */
    REMOTE_WRITE_V1,
    /** Remote write 2.0: {@code application/x-protobuf;proto=io.prometheus.write.v2.Request}. */
    REMOTE_WRITE_V2,
    /** Prometheus text or OpenMetrics, for {@code /api/v1/import/prometheus}. */
    PROMETHEUS_TEXT;

    public static final String V2_PROTO = "io.prometheus.write.v2.Request";

    /** For a remote-write path; 415 for a Content-Type it cannot read. */
    public static WriteFormat forRemoteWrite(String contentType) throws PayloadException {
        if (contentType == null || contentType.isBlank()) {
            return REMOTE_WRITE_V1;
        }
        String[] parts = contentType.split(";");
        if (!parts[0].strip().equalsIgnoreCase("application/x-protobuf")) {
            throw unsupported(contentType);
        }
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].strip();
            if (p.regionMatches(true, 0, "proto=", 0, 6)) {
                String proto = p.substring(6).strip();
                if (proto.equals(V2_PROTO)) {
                    return REMOTE_WRITE_V2;
                }
                if (proto.equals("prometheus.WriteRequest")) {
                    return REMOTE_WRITE_V1;
                }
                throw unsupported(contentType);
            }
        }
        return REMOTE_WRITE_V1;
    }

    /** For the text import path; 415 for a Content-Type that is not text. */
    public static WriteFormat forTextImport(String contentType) throws PayloadException {
        if (contentType == null || contentType.isBlank()) {
            return PROMETHEUS_TEXT;
        }
        String media = contentType.split(";")[0].strip().toLowerCase(Locale.ROOT);
        // curl sends form-urlencoded and some clients octet-stream by default: VictoriaMetrics takes them too.
        if (media.startsWith("text/")
                || media.equals("application/openmetrics-text")
                || media.equals("application/x-www-form-urlencoded")
                || media.equals("application/octet-stream")) {
            return PROMETHEUS_TEXT;
        }
        throw new PayloadException(
                415,
                "unsupported Content-Type '" + contentType
                        + "' for Prometheus text import: send text/plain or application/openmetrics-text");
    }

    private static PayloadException unsupported(String contentType) {
        return new PayloadException(
                415,
                "unsupported Content-Type '" + contentType + "': send application/x-protobuf"
                        + " (remote write 1.0) or application/x-protobuf;proto=" + V2_PROTO + " (2.0)");
    }
}
