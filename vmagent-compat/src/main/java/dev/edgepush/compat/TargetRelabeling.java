package dev.edgepush.compat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Target relabeling of a static target, as Prometheus and vmagent do it.
 *
 * <ol>
 *   <li>The target's labels before relabeling: its {@code static_configs} labels, then, where those do not
 *       already set them, {@code job} (the job name), {@code __address__}, {@code __scheme__},
 *       {@code __metrics_path__}, {@code __scrape_interval__} and {@code __scrape_timeout__} (durations in Go's
 *       notation, e.g. {@code 1m30s}, as vmagent writes them).</li>
 *   <li>The job's {@code relabel_configs} run on them; if they drop the target, it is not scraped.</li>
 *   <li>Address, scheme, path, interval and timeout are read back from the {@code __} labels (an empty
 *       {@code __address__} drops the target, as in vmagent; a missing port gets the scheme's default).
 *       {@code instance} is set to the address unless relabeling set it.</li>
 *   <li><b>Here every label starting with {@code __} is removed</b> (including {@code __meta_*} and
 *       {@code __tmp_*} ones); what remains are the target labels every scraped series gets.</li>
 * </ol>
 * URL parameters: before relabeling each of the job's {@code params} sets {@code __param_<name>} to its first
 * value (unless a target label already sets it); after relabeling the scrape URL gets one parameter per
 * {@code __param_<name>} label, with the label's value first and the job's further values of that name after
 * it. This is vmagent's rule: a parameter whose label relabeling removed is not sent (Prometheus would still
 * send the job's value).
 */
public final class TargetRelabeling {

    private static final String PARAM_PREFIX = "__param_";

    private TargetRelabeling() {}

    /**
     * Relabels {@code target} of {@code job}.
     *
     * @return empty if relabeling dropped the target (or left {@code __address__} empty)
     * @throws IllegalArgumentException if the relabeled target cannot be scraped (bad address, scheme or
     *     duration); the message names the value
     */
    public static Optional<RelabeledTarget> apply(ScrapeJob job, StaticTarget target) {
        LabelSet ls = new LabelSet(target.labels().size() + 8);
        for (Map.Entry<String, String> e : target.labels().entrySet()) {
            ls.add(e.getKey(), e.getValue());
        }
        setIfEmpty(ls, "job", job.jobName());
        setIfEmpty(ls, "__address__", target.address());
        setIfEmpty(ls, "__scheme__", job.scheme());
        setIfEmpty(ls, "__metrics_path__", job.metricsPath());
        setIfEmpty(ls, "__scrape_interval__", formatGo(job.scrapeInterval()));
        setIfEmpty(ls, "__scrape_timeout__", formatGo(job.scrapeTimeout()));
        for (Map.Entry<String, List<String>> p : job.params().entrySet()) {
            if (!p.getValue().isEmpty()) {
                setIfEmpty(ls, PARAM_PREFIX + p.getKey(), p.getValue().get(0));
            }
        }
        if (!job.relabelConfigs().apply(ls)) {
            return Optional.empty();
        }
        String rawAddress = ls.valueOrEmpty("__address__");
        if (rawAddress.isEmpty()) {
            return Optional.empty();
        }
        String where = "target " + target.address() + " of job " + job.jobName() + " after relabeling: ";
        String scheme = ls.valueOrEmpty("__scheme__");
        if (scheme.isEmpty()) {
            scheme = job.scheme();
        } else if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException(where + "__scheme__ '" + scheme + "' is not http or https");
        }
        String address;
        try {
            address = Targets.normalize(rawAddress, scheme);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + "__address__: " + e.getMessage(), e);
        }
        String path = ls.valueOrEmpty("__metrics_path__");
        if (path.isEmpty()) {
            path = ScrapeJob.DEFAULT_METRICS_PATH;
        } else if (!path.startsWith("/")) {
            path = "/" + path;
        }
        Duration interval = duration(ls, "__scrape_interval__", job.scrapeInterval(), where);
        Duration timeout = duration(ls, "__scrape_timeout__", job.scrapeTimeout(), where);
        if (timeout.compareTo(interval) > 0) {
            timeout = interval;
        }
        if (ls.valueOrEmpty("instance").isEmpty()) {
            ls.set("instance", address);
        }
        SortedMap<String, List<String>> params = new TreeMap<>();
        for (int i = 0; i < ls.size(); i++) {
            if (ls.name(i).startsWith(PARAM_PREFIX)) {
                String name = ls.name(i).substring(PARAM_PREFIX.length());
                List<String> values = new ArrayList<>();
                values.add(ls.value(i));
                List<String> configured = job.params().getOrDefault(name, List.of());
                if (configured.size() > 1) {
                    values.addAll(configured.subList(1, configured.size()));
                }
                params.put(name, values);
            }
        }
        ls.removeNamesStartingWith("__");
        ls.removeEmptyValues();
        return Optional.of(new RelabeledTarget(address, scheme, path, interval, timeout, ls.toSortedMap(), params));
    }

    private static void setIfEmpty(LabelSet ls, String name, String value) {
        if (ls.valueOrEmpty(name).isEmpty()) {
            ls.set(name, value);
        }
    }

    private static Duration duration(LabelSet ls, String name, Duration fallback, String where) {
        String text = ls.valueOrEmpty(name);
        if (text.isEmpty()) {
            return fallback;
        }
        try {
            Duration d = GoDuration.parse(text);
            return d.isZero() ? fallback : d;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + name + ": " + e.getMessage(), e);
        }
    }

    /** Go's {@code time.Duration.String()} for non-negative durations: 1m30s, 1h0m0s, 500ms, 1.5s, 0s. */
    static String formatGo(Duration d) {
        long ns = d.toNanos();
        if (ns == 0) {
            return "0s";
        }
        if (ns < 1_000L) {
            return ns + "ns";
        }
        if (ns < 1_000_000L) {
            return fraction(ns, 1_000L) + "µs";
        }
        if (ns < 1_000_000_000L) {
            return fraction(ns, 1_000_000L) + "ms";
        }
        long hours = ns / 3_600_000_000_000L;
        long rest = ns % 3_600_000_000_000L;
        long minutes = rest / 60_000_000_000L;
        rest %= 60_000_000_000L;
        StringBuilder sb = new StringBuilder();
        if (hours > 0) {
            sb.append(hours).append('h');
        }
        if (hours > 0 || minutes > 0) {
            sb.append(minutes).append('m');
        }
        return sb.append(fraction(rest, 1_000_000_000L)).append('s').toString();
    }

    private static String fraction(long value, long unit) {
        long whole = value / unit;
        long frac = value % unit;
        if (frac == 0) {
            return Long.toString(whole);
        }
        String digits = Long.toString(unit + frac).substring(1); // zero-padded
        int end = digits.length();
        while (digits.charAt(end - 1) == '0') {
            end--;
        }
        return whole + "." + digits.substring(0, end);
    }
}
