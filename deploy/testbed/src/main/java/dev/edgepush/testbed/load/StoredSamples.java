package dev.edgepush.testbed.load;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Counts the samples VictoriaMetrics stored for a set of metric names over a time range, in pieces
 * small enough for one query each: per name, and per time slice when a name holds more than
 * {@code maxPerQuery} samples. One {@code count_over_time} over everything (51 M samples at 400
 * robots) passed VictoriaMetrics' 30 s query timeout and was answered 422, so a large run printed
 * nothing; pieces keep each query's work bounded, whatever the machine.
 */
final class StoredSamples {
    /** About what VictoriaMetrics counts within a few seconds on a small machine. */
    static final long MAX_PER_QUERY = 5_000_000;

    private static final Pattern VALUE = Pattern.compile("\"value\":\\[[^,]+,\"([^\"]+)\"\\]");

    /** {@code GET pathAndQuery} on VictoriaMetrics, the body. */
    interface Vm {
        String get(String pathAndQuery) throws IOException;
    }

    private StoredSamples() {}

    /**
     * The samples stored for {@code names} with timestamps in {@code [firstMs, lastMs]}, {@code
     * expected} in all (it sizes the slices); a query that does not succeed is an IOException with
     * VictoriaMetrics' answer, never a 0.
     */
    static long count(Vm vm, List<String> names, long firstMs, long lastMs, long expected, long maxPerQuery)
            throws IOException {
        vm.get("/internal/force_flush");
        long perName = Math.max(1, expected / Math.max(1, names.size()));
        int slices = (int) Math.max(1, Math.min(10_000, (perName + maxPerQuery - 1) / maxPerQuery));
        long spanMs = lastMs - firstMs + 1;
        long sliceMs = Math.max(1, (spanMs + slices - 1) / slices);
        long total = 0;
        for (String name : names) {
            // count_over_time(x[w]) at t counts (t - w, t]: slices (first - 1 + i*w, first - 1 + (i+1)*w]
            for (int i = 0; i < slices; i++) {
                long endMs = firstMs - 1 + (i + 1) * sliceMs;
                String q = "sum(count_over_time({__name__=\"" + name + "\"}[" + sliceMs + "ms]))";
                String body =
                        vm.get("/api/v1/query?nocache=1&time=" + String.format(Locale.ROOT, "%.3f", endMs / 1000.0)
                                + "&query=" + URLEncoder.encode(q, StandardCharsets.UTF_8));
                if (!body.contains("\"status\":\"success\"")) {
                    throw new IOException("VictoriaMetrics did not answer " + q + " at " + endMs + ": " + body);
                }
                Matcher m = VALUE.matcher(body);
                if (m.find()) {
                    total += (long) Double.parseDouble(m.group(1));
                }
            }
        }
        return total;
    }
}
