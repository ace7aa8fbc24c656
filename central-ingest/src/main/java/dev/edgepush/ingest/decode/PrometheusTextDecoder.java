package dev.edgepush.ingest.decode;

import dev.edgepush.proto.Utf8Check;
import dev.edgepush.proto.text.ExpositionFormat;
import dev.edgepush.proto.text.ExpositionParseException;
import dev.edgepush.proto.text.ExpositionParser;

/**
 * Prometheus text 0.0.4 or OpenMetrics 1.0 (by Content-Type) into a {@link BatchBuilder}, with
 * the scraper's own {@link ExpositionParser} (proto). A sample without a timestamp gets the receive time.
 * Each sample line is one series for error messages ("series 3" is the fourth sample line).
 */
public final class PrometheusTextDecoder {
    private PrometheusTextDecoder() {}

    /** Carries a checked exception out of the parser's sink. */
    private static final class Abort extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient PayloadException cause;

        Abort(PayloadException cause) {
            super(null, null, false, false);
            this.cause = cause;
        }
    }

    public static void decode(byte[] body, String contentType, long nowMs, BatchBuilder out) throws PayloadException {
        // The parser would decode bad bytes as U+FFFD and store that in place of what was sent.
        String badUtf8 = Utf8Check.problem(body, 0, body.length);
        if (badUtf8 != null) {
            throw PayloadException.badRequest("body is not valid Prometheus text: " + badUtf8
                    + "; the text format is UTF-8, nothing of this request was stored");
        }
        String[] pairs = new String[34];
        int[] index = {0};
        try {
            new ExpositionParser()
                    .parse(
                            body,
                            0,
                            body.length,
                            ExpositionFormat.fromContentType(contentType),
                            (metricName, labels, labelPairs, value, timestampMs) -> {
                                String[] p = pairs;
                                if (p.length < 2 * labelPairs + 2) {
                                    p = new String[2 * labelPairs + 2];
                                }
                                p[0] = "__name__";
                                p[1] = metricName;
                                System.arraycopy(labels, 0, p, 2, 2 * labelPairs);
                                try {
                                    out.beginSeries(index[0]++, p, labelPairs + 1);
                                } catch (PayloadException e) {
                                    throw new Abort(e);
                                }
                                out.sample(value, timestampMs == Long.MIN_VALUE ? nowMs : timestampMs);
                            });
        } catch (Abort a) {
            throw a.cause;
        } catch (ExpositionParseException e) {
            throw PayloadException.badRequest("body is not valid Prometheus text: " + e.getMessage());
        }
    }
}
