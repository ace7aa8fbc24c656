package dev.edgepush.compat;

import java.time.Duration;
import java.util.Collections;
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
 */
public record RelabeledTarget(
        String address,
        String scheme,
        String metricsPath,
        Duration scrapeInterval,
        Duration scrapeTimeout,
        SortedMap<String, String> labels) {

    /** Checks for nulls and makes {@code labels} an unmodifiable copy. */
    public RelabeledTarget {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(metricsPath, "metricsPath");
        Objects.requireNonNull(scrapeInterval, "scrapeInterval");
        Objects.requireNonNull(scrapeTimeout, "scrapeTimeout");
        labels = Collections.unmodifiableSortedMap(new TreeMap<>(labels));
    }

    /** {@code scheme://address/metricsPath}. */
    public String url() {
        return scheme + "://" + address + metricsPath;
    }
}
