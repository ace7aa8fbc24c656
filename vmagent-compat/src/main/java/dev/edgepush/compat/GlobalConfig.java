package dev.edgepush.compat;

import java.time.Duration;
import java.util.Collections;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The {@code global} section of a scrape config.
 *
 * <p>{@code scrapeTimeout} is kept as written (or defaulted) even when it is longer than
 * {@code scrapeInterval}: like vmagent, the limit is applied per job (see {@link ScrapeJob}), so a job
 * with a longer interval still inherits the full global timeout.
 *
 * @param scrapeInterval {@code scrape_interval}; {@link #DEFAULT_SCRAPE_INTERVAL} if absent or zero
 * @param scrapeTimeout {@code scrape_timeout}; {@link #DEFAULT_SCRAPE_TIMEOUT} if absent or zero
 * @param externalLabels {@code external_labels}, sorted by name; never null, unmodifiable
 */
public record GlobalConfig(Duration scrapeInterval, Duration scrapeTimeout, SortedMap<String, String> externalLabels) {

    /** Prometheus' and vmagent's default {@code scrape_interval}: 1m. */
    public static final Duration DEFAULT_SCRAPE_INTERVAL = Duration.ofMinutes(1);
    /** Prometheus' and vmagent's default {@code scrape_timeout}: 10s. */
    public static final Duration DEFAULT_SCRAPE_TIMEOUT = Duration.ofSeconds(10);

    /** Checks for nulls and makes {@code externalLabels} an unmodifiable copy. */
    public GlobalConfig {
        Objects.requireNonNull(scrapeInterval, "scrapeInterval");
        Objects.requireNonNull(scrapeTimeout, "scrapeTimeout");
        externalLabels = Collections.unmodifiableSortedMap(new TreeMap<>(externalLabels));
    }

    /** The config used when the file has no {@code global} section: 1m interval, 10s timeout, no labels. */
    public static GlobalConfig defaults() {
        return new GlobalConfig(DEFAULT_SCRAPE_INTERVAL, DEFAULT_SCRAPE_TIMEOUT, new TreeMap<>());
    }
}
