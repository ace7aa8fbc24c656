package dev.edgepush.compat;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One entry of {@code scrape_configs}, with defaults resolved.
 *
 * @param jobName {@code job_name}, unique in the file
 * @param scrapeInterval the job's {@code scrape_interval}, else the global one
 * @param scrapeTimeout the job's {@code scrape_timeout}, else the global one, but never longer than
 *     {@code scrapeInterval} (vmagent silently lowers it to the interval; Prometheus would reject it)
 * @param metricsPath {@code metrics_path}, default {@value #DEFAULT_METRICS_PATH}; always starts with '/'
 * @param scheme {@code scheme}: {@code http} (default) or {@code https}
 * @param honorLabels {@code honor_labels}, default false
 * @param honorTimestamps {@code honor_timestamps}, default true
 * @param targets all targets of all {@code static_configs}, in file order; never null, unmodifiable
 * @param relabelConfigs {@code relabel_configs}: target relabeling, see {@link TargetRelabeling};
 *     {@link Relabeler#EMPTY} when absent
 * @param metricRelabelConfigs {@code metric_relabel_configs}: applied to every scraped series after the
 *     target labels are added (not to {@code up} and the other synthetic series); {@link Relabeler#EMPTY}
 *     when absent
 */
public record ScrapeJob(
        String jobName,
        Duration scrapeInterval,
        Duration scrapeTimeout,
        String metricsPath,
        String scheme,
        boolean honorLabels,
        boolean honorTimestamps,
        List<StaticTarget> targets,
        Relabeler relabelConfigs,
        Relabeler metricRelabelConfigs) {

    /** Default {@code metrics_path}. */
    public static final String DEFAULT_METRICS_PATH = "/metrics";

    /** Checks for nulls and makes {@code targets} unmodifiable. */
    public ScrapeJob {
        Objects.requireNonNull(jobName, "jobName");
        Objects.requireNonNull(scrapeInterval, "scrapeInterval");
        Objects.requireNonNull(scrapeTimeout, "scrapeTimeout");
        Objects.requireNonNull(metricsPath, "metricsPath");
        Objects.requireNonNull(scheme, "scheme");
        targets = List.copyOf(targets);
        Objects.requireNonNull(relabelConfigs, "relabelConfigs");
        Objects.requireNonNull(metricRelabelConfigs, "metricRelabelConfigs");
    }

    /** A job without relabeling. */
    public ScrapeJob(String jobName, Duration scrapeInterval, Duration scrapeTimeout, String metricsPath,
            String scheme, boolean honorLabels, boolean honorTimestamps, List<StaticTarget> targets) {
        this(jobName, scrapeInterval, scrapeTimeout, metricsPath, scheme, honorLabels, honorTimestamps, targets,
                Relabeler.EMPTY, Relabeler.EMPTY);
    }
}
