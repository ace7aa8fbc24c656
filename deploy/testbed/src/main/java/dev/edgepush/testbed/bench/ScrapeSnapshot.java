package dev.edgepush.testbed.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a VictoriaMetrics held of the scrapes at one moment, read from an {@code /api/v1/export}
 * body of {@code sensor_scrape_seq} (one series per target, one sample per answered scrape, its
 * value the target's scrape number) and optionally {@code up}: per instance, the newest sample's
 * timestamp, the distinct scrape numbers stored and the failed scrapes ({@code up} 0: the agent
 * gave up, typically at its scrape timeout on a loaded machine, on a scrape the target may still
 * have answered and counted). Staleness markers ({@code null}) are not samples.
 */
final class ScrapeSnapshot {
    private static final Pattern NAME = Pattern.compile("\"__name__\":\"([^\"]*)\"");
    private static final Pattern INSTANCE = Pattern.compile("\"instance\":\"([^\"]*)\"");
    private static final Pattern VALUES = Pattern.compile("\"values\":\\[([^\\]]*)\\]");
    private static final Pattern TIMESTAMPS = Pattern.compile("\"timestamps\":\\[([^\\]]*)\\]");

    private final Map<String, Long> newestMs = new HashMap<>();
    private final Map<String, Set<Long>> seqs = new HashMap<>();
    private final Map<String, List<Long>> failedMs = new HashMap<>();

    private ScrapeSnapshot() {}

    /** Reads an export body; lines without an instance, values and timestamps are skipped. */
    static ScrapeSnapshot parse(String exportBody) {
        ScrapeSnapshot s = new ScrapeSnapshot();
        for (String line : exportBody.split("\n")) {
            Matcher inst = INSTANCE.matcher(line);
            Matcher vals = VALUES.matcher(line);
            Matcher times = TIMESTAMPS.matcher(line);
            if (!inst.find() || !vals.find() || !times.find()) {
                continue;
            }
            String[] v = vals.group(1).split(",");
            String[] t = times.group(1).split(",");
            if (v.length != t.length) {
                throw new IllegalArgumentException(
                        v.length + " values but " + t.length + " timestamps in export line: " + line);
            }
            String instance = inst.group(1);
            Matcher name = NAME.matcher(line);
            if (name.find() && name.group(1).equals("up")) {
                List<Long> failed = s.failedMs.computeIfAbsent(instance, k -> new ArrayList<>());
                for (int i = 0; i < v.length; i++) {
                    if (v[i].replace("\"", "").trim().equals("0")) {
                        failed.add(Long.parseLong(t[i].trim()));
                    }
                }
                continue;
            }
            Set<Long> set = s.seqs.computeIfAbsent(instance, k -> new HashSet<>());
            for (int i = 0; i < v.length; i++) {
                String value = v[i].replace("\"", "").trim();
                if (value.isEmpty() || value.equals("null")) {
                    continue;
                }
                long ts = Long.parseLong(t[i].trim());
                s.newestMs.merge(instance, ts, Math::max);
                double d = Double.parseDouble(value);
                if (d >= 1 && d == Math.rint(d)) {
                    set.add((long) d);
                }
            }
        }
        return s;
    }

    /** The newest sample's timestamp (ms) of {@code instance}, or {@link Long#MIN_VALUE} if none. */
    long newestMs(String instance) {
        return newestMs.getOrDefault(instance, Long.MIN_VALUE);
    }

    /** Whether every target has a sample with a timestamp at or after {@code sinceMs}. */
    boolean freshSince(long sinceMs, Collection<String> targets) {
        for (String t : targets) {
            if (newestMs(t) < sinceMs) {
                return false;
            }
        }
        return !targets.isEmpty();
    }

    /**
     * The newest timestamp of the stalest target: every target has a sample at least this new.
     * {@link Long#MIN_VALUE} when a target has none.
     */
    long newestOfStalestMs(Collection<String> targets) {
        long min = Long.MAX_VALUE;
        for (String t : targets) {
            min = Math.min(min, newestMs(t));
        }
        return targets.isEmpty() ? Long.MIN_VALUE : min;
    }

    /**
     * Answered scrapes neither stored nor failed: for each instance, how many of the scrape
     * numbers 1..answered are missing, less its failed scrapes before {@code beforeMs} (not below
     * zero).
     */
    long missing(Map<String, Long> answeredByInstance, long beforeMs) {
        long missing = 0;
        for (Map.Entry<String, Long> e : answeredByInstance.entrySet()) {
            long answered = e.getValue();
            long stored = 0;
            for (long seq : seqs.getOrDefault(e.getKey(), Set.of())) {
                if (seq <= answered) {
                    stored++;
                }
            }
            missing += Math.max(0, answered - stored - failed(e.getKey(), beforeMs));
        }
        return missing;
    }

    /** Failed scrapes ({@code up} 0) of {@code instance} time-stamped before {@code beforeMs}. */
    long failed(String instance, long beforeMs) {
        return failedMs.getOrDefault(instance, List.of()).stream()
                .filter(ts -> ts < beforeMs)
                .count();
    }

    /** Every failed scrape stored, over all instances. */
    long failedTotal() {
        return failedMs.values().stream().mapToLong(List::size).sum();
    }
}
