package dev.edgepush.compat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

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
 * @param fileSdFiles the {@code files} of every {@code file_sd_configs} entry, resolved against the config
 *     file's directory; the last path segment may be a glob ({@code *}, {@code ?}, {@code [...]}); read by
 *     {@link FileSdReader}; never null, unmodifiable
 * @param params {@code params}: URL query parameters of every scrape, by name; never null, unmodifiable
 * @param auth {@code basic_auth} or {@code bearer_token(_file)}; {@link ScrapeAuth#NONE} when absent
 * @param tls {@code tls_config}; {@link TlsConfig#DEFAULT} when absent
 * @param sampleLimit {@code sample_limit}: more samples than this after metric relabeling fail the scrape
 *     ({@code up} 0, nothing stored); 0 = no limit
 * @param labelLimit {@code label_limit}: a series with more labels than this after metric relabeling fails
 *     the scrape; 0 = no limit. This is Prometheus' key: vmagent rejects it as an unknown field, so a
 *     config using it no longer loads in vmagent
 * @param streamParse vmagent's {@code stream_parse}: every scrape of the job in streaming mode (parsed and
 *     buffered in pieces, no per-series cache)
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
        Relabeler metricRelabelConfigs,
        List<Path> fileSdFiles,
        SortedMap<String, List<String>> params,
        ScrapeAuth auth,
        TlsConfig tls,
        int sampleLimit,
        int labelLimit,
        boolean streamParse) {

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
        fileSdFiles = List.copyOf(fileSdFiles);
        SortedMap<String, List<String>> p = new TreeMap<>();
        params.forEach((k, v) -> p.put(k, List.copyOf(v)));
        params = Collections.unmodifiableSortedMap(p);
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(tls, "tls");
    }

    /** A job with static targets only, no params, auth, TLS settings or limits. */
    public ScrapeJob(
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
        this(
                jobName,
                scrapeInterval,
                scrapeTimeout,
                metricsPath,
                scheme,
                honorLabels,
                honorTimestamps,
                targets,
                relabelConfigs,
                metricRelabelConfigs,
                List.of(),
                new TreeMap<>(),
                ScrapeAuth.NONE,
                TlsConfig.DEFAULT,
                0,
                0,
                false);
    }

    /** A job without relabeling. */
    public ScrapeJob(
            String jobName,
            Duration scrapeInterval,
            Duration scrapeTimeout,
            String metricsPath,
            String scheme,
            boolean honorLabels,
            boolean honorTimestamps,
            List<StaticTarget> targets) {
        this(
                jobName,
                scrapeInterval,
                scrapeTimeout,
                metricsPath,
                scheme,
                honorLabels,
                honorTimestamps,
                targets,
                Relabeler.EMPTY,
                Relabeler.EMPTY);
    }
}
