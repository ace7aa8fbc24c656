package dev.edgepush.compat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A static target after target relabeling (see {@link TargetRelabeling}): where and how often to scrape it,
 * and the labels every series from it gets.
 *
 * @param address {@code host:port} from the relabeled {@code __address__} (default port added by scheme)
 * @param scheme {@code http} or {@code https}, from {@code __scheme__}
 * @param metricsPath from {@code __metrics_path__}; starts with '/'
 * @param scrapeInterval from {@code __scrape_interval__}
 * @param scrapeTimeout from {@code __scrape_timeout__}, never longer than the interval
 * @param labels the target labels: {@code job}, {@code instance} and whatever relabeling left, without
 *     {@code __}-labels and empty values; sorted by name, unmodifiable
 * @param params URL query parameters from the relabeled {@code __param_<name>} labels (see
 *     {@link TargetRelabeling}); sorted by name, unmodifiable
 */
public record RelabeledTarget(
        String address,
        String scheme,
        String metricsPath,
        Duration scrapeInterval,
        Duration scrapeTimeout,
        SortedMap<String, String> labels,
        SortedMap<String, List<String>> params) {

    /** Checks for nulls and makes {@code labels} an unmodifiable copy. */
    public RelabeledTarget {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(metricsPath, "metricsPath");
        Objects.requireNonNull(scrapeInterval, "scrapeInterval");
        Objects.requireNonNull(scrapeTimeout, "scrapeTimeout");
        labels = Collections.unmodifiableSortedMap(new TreeMap<>(labels));
        SortedMap<String, List<String>> p = new TreeMap<>();
        params.forEach((k, v) -> p.put(k, List.copyOf(v)));
        params = Collections.unmodifiableSortedMap(p);
    }

    /** A target without URL parameters. */
    public RelabeledTarget(
            String address,
            String scheme,
            String metricsPath,
            Duration scrapeInterval,
            Duration scrapeTimeout,
            SortedMap<String, String> labels) {
        this(address, scheme, metricsPath, scrapeInterval, scrapeTimeout, labels, new TreeMap<>());
    }

    /**
     * {@code scheme://address/metricsPath}, then {@code ?} (or {@code &} if the path has a query already) and
     * the params encoded as Go's {@code url.Values.Encode} does it (sorted by name, {@code QueryEscape}), as
     * vmagent builds its scrape URL.
     */
    public String url() {
        if (params.isEmpty()) {
            return scheme + "://" + address + metricsPath;
        }
        StringBuilder sb = new StringBuilder(scheme)
                .append("://")
                .append(address)
                .append(metricsPath)
                .append(metricsPath.contains("?") ? '&' : '?');
        boolean first = true;
        for (Map.Entry<String, List<String>> e : params.entrySet()) {
            for (String v : e.getValue()) {
                if (!first) {
                    sb.append('&');
                }
                first = false;
                sb.append(queryEscape(e.getKey())).append('=').append(queryEscape(v));
            }
        }
        return sb.toString();
    }

    /** Go's {@code url.QueryEscape}: like URLEncoder, except that Go escapes '*' and keeps '~'. */
    static String queryEscape(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("*", "%2A").replace("%7E", "~");
    }
}
