package dev.edgepush.compat;

import java.util.Set;

/**
 * Which keys each section supports, and which keys Prometheus or vmagent define that edge-agent does
 * not support yet. Anything else is a typo ("unknown field").
 */
final class ConfigKeys {

    static final Set<String> TOP = Set.of("global", "scrape_configs");
    static final Set<String> TOP_LATER = Set.of(
            "scrape_config_files",
            "rule_files",
            "alerting",
            "remote_write",
            "remote_read",
            "storage",
            "tracing",
            "otlp",
            "runtime");

    static final Set<String> GLOBAL =
            Set.of("scrape_interval", "scrape_timeout", "evaluation_interval", "external_labels");
    static final Set<String> GLOBAL_LATER = Set.of(
            "query_log_file",
            "scrape_failure_log_file",
            "body_size_limit",
            "sample_limit",
            "label_limit",
            "label_name_length_limit",
            "label_value_length_limit",
            "target_limit",
            "keep_dropped_targets",
            "scrape_protocols",
            "rule_query_offset",
            "metric_name_validation_scheme",
            "metric_name_escaping_scheme",
            "always_scrape_classic_histograms",
            "convert_classic_histograms_to_nhcb",
            "scrape_native_histograms",
            "extra_scrape_metrics");

    static final Set<String> JOB = Set.of(
            "job_name",
            "scrape_interval",
            "scrape_timeout",
            "metrics_path",
            "scheme",
            "honor_labels",
            "honor_timestamps",
            "static_configs",
            "relabel_configs",
            "metric_relabel_configs",
            "file_sd_configs",
            "params",
            "basic_auth",
            "bearer_token",
            "bearer_token_file",
            "tls_config",
            "sample_limit",
            "label_limit",
            "stream_parse");
    /** Prometheus and vmagent job keys; any {@code *_sd_configs} key is also known. */
    static final Set<String> JOB_LATER = Set.of(
            // Prometheus scrape_config
            "label_name_length_limit",
            "label_value_length_limit",
            "target_limit",
            "body_size_limit",
            "keep_dropped_targets",
            "track_timestamps_staleness",
            "scrape_protocols",
            "scrape_fallback_protocol",
            "scrape_classic_histograms",
            "always_scrape_classic_histograms",
            "convert_classic_histograms_to_nhcb",
            "scrape_native_histograms",
            "enable_compression",
            "native_histogram_bucket_limit",
            "native_histogram_min_bucket_factor",
            "metric_name_validation_scheme",
            "metric_name_escaping_scheme",
            "scrape_failure_log_file",
            // Prometheus HTTP client config
            "authorization",
            "oauth2",
            "proxy_url",
            "no_proxy",
            "proxy_from_environment",
            "proxy_connect_header",
            "follow_redirects",
            "enable_http2",
            "http_headers",
            // vmagent extensions
            "headers",
            "max_scrape_size",
            "scrape_align_interval",
            "scrape_offset",
            "series_limit",
            "disable_compression",
            "disable_keepalive",
            "no_stale_markers",
            "proxy_tls_config",
            "proxy_basic_auth",
            "proxy_bearer_token",
            "proxy_bearer_token_file",
            "proxy_oauth2",
            "proxy_authorization",
            "proxy_headers");

    static final Set<String> STATIC = Set.of("targets", "labels");
    static final Set<String> FILE_SD = Set.of("files");
    static final Set<String> BASIC_AUTH = Set.of("username", "password", "password_file");
    static final Set<String> BASIC_AUTH_LATER = Set.of("username_file");
    static final Set<String> TLS = Set.of("ca_file", "cert_file", "key_file", "insecure_skip_verify", "server_name");
    /** Prometheus' inline PEM keys and version bounds; vmagent's inline {@code ca}, {@code cert}, {@code key}. */
    static final Set<String> TLS_LATER = Set.of("ca", "cert", "key", "min_version", "max_version");

    /** Keys of one relabel config (vmagent's RelabelConfig). */
    static final Set<String> RELABEL =
            Set.of("if", "action", "source_labels", "separator", "target_label", "regex", "modulus", "replacement");
    /** vmagent's keys for {@code action: graphite}, which edge-agent does not support. */
    static final Set<String> RELABEL_LATER = Set.of("match", "labels");

    private ConfigKeys() {}

    /** The supported key closest to {@code key} (edit distance at most 2), or null. */
    static String suggest(String key, Set<String> supported) {
        String best = null;
        int bestDistance = 3;
        for (String candidate : supported) {
            int d = EditDistance.between(key, candidate);
            if (d < bestDistance || (d == bestDistance && best != null && candidate.compareTo(best) < 0)) {
                best = candidate;
                bestDistance = d;
            }
        }
        return best;
    }
}
