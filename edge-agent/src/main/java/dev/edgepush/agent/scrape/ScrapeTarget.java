package dev.edgepush.agent.scrape;

import dev.edgepush.compat.Relabeler;
import dev.edgepush.compat.ScrapeAuth;
import dev.edgepush.compat.TlsConfig;
import java.net.URI;
import java.time.Duration;
import java.util.SortedMap;

/**
 * One endpoint to scrape, as the scrape config describes it.
 *
 * @param targetLabels labels every series from this target gets: {@code job}, {@code instance}
 *     and the static labels (after target relabeling), sorted by name, empty values removed
 * @param metricRelabeler the job's {@code metric_relabel_configs}, applied by {@link SeriesEncoder}
 * @param auth the job's {@code basic_auth} or bearer token, sent by {@link HttpScraper}
 * @param tls the job's {@code tls_config}, for https
 * @param sampleLimit the job's {@code sample_limit}; 0 = none
 * @param labelLimit the job's {@code label_limit}; 0 = none
 */
public record ScrapeTarget(
        String job,
        String instance,
        URI url,
        Duration interval,
        Duration timeout,
        boolean honorLabels,
        boolean honorTimestamps,
        SortedMap<String, String> targetLabels,
        Relabeler metricRelabeler,
        ScrapeAuth auth,
        TlsConfig tls,
        int sampleLimit,
        int labelLimit) {

    /** A target without credentials, TLS settings or limits. */
    public ScrapeTarget(
            String job,
            String instance,
            URI url,
            Duration interval,
            Duration timeout,
            boolean honorLabels,
            boolean honorTimestamps,
            SortedMap<String, String> targetLabels,
            Relabeler metricRelabeler) {
        this(
                job,
                instance,
                url,
                interval,
                timeout,
                honorLabels,
                honorTimestamps,
                targetLabels,
                metricRelabeler,
                ScrapeAuth.NONE,
                TlsConfig.DEFAULT,
                0,
                0);
    }

    /** A target without metric relabeling. */
    public ScrapeTarget(
            String job,
            String instance,
            URI url,
            Duration interval,
            Duration timeout,
            boolean honorLabels,
            boolean honorTimestamps,
            SortedMap<String, String> targetLabels) {
        this(job, instance, url, interval, timeout, honorLabels, honorTimestamps, targetLabels, Relabeler.EMPTY);
    }

    /**
     * A stable offset within the interval, derived from the target's identity, so that targets
     * with the same interval do not all fire at the same instant (no thundering herd) and a
     * restarted agent keeps the same phase.
     */
    public long offsetMs() {
        long h = (job + "\u0000" + url).hashCode() & 0x7fffffffL;
        return h % Math.max(1, interval.toMillis());
    }
}
