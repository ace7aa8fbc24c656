package dev.edgepush.testbed.bench;

import dev.edgepush.testsupport.VictoriaMetrics;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The loss check: the answered scrapes a VictoriaMetrics holds, by their {@code sensor_scrape_seq}. */
final class StoredScrapes {
    private static final Pattern INSTANCE = Pattern.compile("\"instance\":\"([^\"]*)\"");
    private static final Pattern VALUES = Pattern.compile("\"values\":\\[([^\\]]*)\\]");

    private StoredScrapes() {}

    /**
     * How many of the answered scrapes {@code vm} holds: for each instance, the distinct
     * {@code sensor_scrape_seq} values from 1 to the number that instance answered.
     */
    static long in(VictoriaMetrics vm, Map<String, Long> answeredByInstance) throws IOException {
        Http.get(vm.port, "/internal/force_flush", Duration.ofSeconds(30));
        String body = Http.get(
                vm.port,
                "/api/v1/export?match[]=" + URLEncoder.encode("sensor_scrape_seq", StandardCharsets.UTF_8),
                Duration.ofSeconds(60));
        return count(body, answeredByInstance);
    }

    /**
     * Counts, in an {@code /api/v1/export} body (one JSON object per series and line), the distinct
     * values in 1..answered of each instance's series; staleness markers (null) are not values.
     */
    static long count(String exportBody, Map<String, Long> answeredByInstance) {
        Map<String, Set<Long>> seen = new HashMap<>();
        for (String line : exportBody.split("\n")) {
            Matcher inst = INSTANCE.matcher(line);
            Matcher vals = VALUES.matcher(line);
            if (!inst.find() || !vals.find()) {
                continue;
            }
            Long answered = answeredByInstance.get(inst.group(1));
            if (answered == null) {
                continue;
            }
            Set<Long> set = seen.computeIfAbsent(inst.group(1), k -> new HashSet<>());
            for (String v : vals.group(1).split(",")) {
                String t = v.replace("\"", "").trim();
                if (t.isEmpty() || t.equals("null")) {
                    continue;
                }
                double d = Double.parseDouble(t);
                if (d >= 1 && d <= answered && d == Math.rint(d)) {
                    set.add((long) d);
                }
            }
        }
        return seen.values().stream().mapToLong(Set::size).sum();
    }
}
