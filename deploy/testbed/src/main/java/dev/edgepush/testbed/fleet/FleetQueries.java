package dev.edgepush.testbed.fleet;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code fleet-sim} asks while and after it runs: the samples stored per robot (from
 * VictoriaMetrics, or through central-ingest's query proxy with {@code queryAuth}) and
 * central-ingest's {@code /api/v1/fleet} view.
 */
final class FleetQueries {
    private static final Pattern BY_ROBOT =
            Pattern.compile("\\{\"metric\":\\{\"robot\":\"([^\"]+)\"\\},\"value\":\\[[^,]+,\"([^\"]+)\"\\]\\}");
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String queryBase;
    private final String queryAuth;

    FleetQueries(String queryBase, String queryAuth) {
        this.queryBase = queryBase;
        this.queryAuth = queryAuth;
    }

    /** The progress line's tail from {@code fleetUrl} ({@code /api/v1/fleet}); empty without one. */
    String fleetView(String fleetUrl, String readerToken) {
        if (fleetUrl == null) {
            return "";
        }
        try {
            String body = get(fleetUrl, "Bearer " + readerToken);
            Matcher online = Pattern.compile("\"robotsOnline\":(\\d+)").matcher(body);
            Matcher pending = Pattern.compile("\"pendingSamples\":(\\d+)").matcher(body);
            long sum = 0;
            int reporting = 0;
            while (pending.find()) {
                long p = Long.parseLong(pending.group(1));
                sum += p;
                reporting += p > 0 ? 1 : 0;
            }
            return String.format(
                    Locale.ROOT,
                    "; /api/v1/fleet: online=%s, %d robots report pending, sum %,d",
                    online.find() ? online.group(1) : "?",
                    reporting,
                    sum);
        } catch (IOException e) {
            return "; /api/v1/fleet: " + e.getMessage();
        }
    }

    /**
     * Samples stored per robot, asked one metric name at a time: at 10,000 robots all names together
     * are 500,000 series, past VictoriaMetrics' 300,000 per query (-search.maxUniqueTimeseries).
     */
    Map<String, Long> storedPerRobot(FleetSim sim) throws IOException {
        long endS = System.currentTimeMillis() / 1000 + 1;
        long window = endS - sim.startMs() / 1000 + 2;
        Map<String, Long> byRobot = new HashMap<>();
        for (int name = 0; name < 10; name++) {
            String q = "sum by (robot) (count_over_time({__name__=\"fleetsim_m" + name + "\",run=\"" + sim.cfg.runId()
                    + "\"}[" + window + "s]))";
            String body = get(
                    queryBase + "/api/v1/query?nocache=1&time=" + endS + "&query="
                            + URLEncoder.encode(q, StandardCharsets.UTF_8),
                    queryAuth);
            Matcher m = BY_ROBOT.matcher(body);
            while (m.find()) {
                byRobot.merge(m.group(1), (long) Double.parseDouble(m.group(2)), Long::sum);
            }
        }
        return byRobot;
    }

    private String get(String url, String auth) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60));
        if (auth != null) {
            b.header("Authorization", auth);
        }
        try {
            HttpResponse<String> res = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (res.statusCode() != 200) {
                throw new IOException(url + " answered " + res.statusCode() + ": " + res.body());
            }
            return res.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
