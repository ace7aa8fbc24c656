package dev.edgepush.agent;

import java.util.List;
import java.util.Set;

/**
 * vmagent's flags that edge-agent does not implement yet, so that such a flag stops start-up
 * with "a vmagent flag that edge-agent does not support yet" rather than a bare "unknown flag":
 * a robot's operator then knows the command line is right for vmagent and what is missing here.
 * Names as vmagent v1.9x lists them in {@code vmagent -help}; families with many members are
 * listed by prefix. A flag edge-agent does support is matched by picocli before this list is
 * consulted, so a prefix here never hides a supported flag.
 */
final class VmagentFlags {
  private VmagentFlags() {}

  /** Whole families of vmagent flags (every name that starts with one of these). */
  private static final List<String> PREFIXES = List.of(
      "remoteWrite.", "promscrape.", "http.", "tls", "influx", "graphite", "opentsdb", "streamAggr.",
      "pushmetrics.", "datadog.", "newrelic.", "csvTrimTimestamp", "dedup.", "loggerLevel", "logger",
      "memory.", "envflag.", "fs.", "flagsAuthKey", "metricsAuthKey", "pprofAuthKey", "reloadAuthKey",
      "configAuthKey", "secret", "opentelemetry.", "import.", "license", "kafka.", "gcp.",
      "denyQueryTracing", "insert.", "maxConcurrentInserts", "maxLabelsPerTimeseries",
      "maxLabelValueLen", "usePromCompatibleNaming", "sortLabels", "internStringCacheExpireDuration",
      "internStringDisableCache", "internStringMaxLen", "cacheExpireDuration", "eula", "enableTCP6",
      "enableMultitenantHandlers", "clusterMode", "dryRun", "httpAuth.", "httpListenAddr.");

  /** Single vmagent flags not covered by a prefix. */
  private static final Set<String> NAMES = Set.of(
      "version", "maxIngestionRate", "rateLimit", "configCheckInterval", "insert.maxQueueDuration");

  /**
   * The vmagent flag name (with its leading dash as typed) if {@code arg} is a vmagent flag, else
   * null. {@code arg} is the unmatched command-line word, e.g. {@code -influxListenAddr=:8089}.
   */
  static String unsupported(String arg) {
    if (!arg.startsWith("-")) {
      return null;
    }
    String dashes = arg.startsWith("--") ? "--" : "-";
    String name = arg.substring(dashes.length());
    int eq = name.indexOf('=');
    if (eq >= 0) {
      name = name.substring(0, eq);
    }
    if (name.isEmpty()) {
      return null;
    }
    if (NAMES.contains(name)) {
      return dashes + name;
    }
    for (String p : PREFIXES) {
      if (name.startsWith(p)) {
        return dashes + name;
      }
    }
    return null;
  }
}
