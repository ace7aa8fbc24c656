package dev.edgepush.agent;

import dev.edgepush.flags.FlagText;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;

/**
 * vmagent's flags that edge-agent does not implement yet, so that such a flag stops start-up
 * with "a vmagent flag that edge-agent does not support yet" rather than a bare "unknown flag":
 * a robot's operator then knows the command line is right for vmagent and what is missing here.
 * {@link #VMAGENT_1_79_5} is every flag {@code vmagent -help} of vmagent 1.79.5 (Debian's) lists;
 * newer versions' families are listed by prefix. A flag edge-agent does support is matched by
 * picocli before this list is consulted, so a prefix here never hides a supported flag; a
 * misspelt supported flag is caught by {@link AgentFlags#parse} before the prefixes are.
 */
final class VmagentFlags {
    private VmagentFlags() {}

    /** Whole families of vmagent flags (every name that starts with one of these). */
    private static final List<String> PREFIXES = List.of(
            "remoteWrite.",
            "promscrape.",
            "http.",
            "tls",
            "influx",
            "graphite",
            "opentsdb",
            "streamAggr.",
            "pushmetrics.",
            "datadog.",
            "newrelic.",
            "csvTrimTimestamp",
            "dedup.",
            "loggerLevel",
            "logger",
            "memory.",
            "envflag.",
            "fs.",
            "flagsAuthKey",
            "metricsAuthKey",
            "pprofAuthKey",
            "reloadAuthKey",
            "configAuthKey",
            "secret",
            "opentelemetry.",
            "import.",
            "license",
            "kafka.",
            "gcp.",
            "denyQueryTracing",
            "insert.",
            "maxConcurrentInserts",
            "maxLabelsPerTimeseries",
            "maxLabelValueLen",
            "usePromCompatibleNaming",
            "sortLabels",
            "internStringCacheExpireDuration",
            "internStringDisableCache",
            "internStringMaxLen",
            "cacheExpireDuration",
            "eula",
            "enableTCP6",
            "enableMultitenantHandlers",
            "clusterMode",
            "dryRun",
            "httpAuth.",
            "httpListenAddr.");

    /** Every flag of vmagent 1.79.5, as its {@code -help} lists them (supported ones included). */
    static final Set<String> VMAGENT_1_79_5 = Set.of(
            "configAuthKey",
            "csvTrimTimestamp",
            "datadog.maxInsertRequestSize",
            "denyQueryTracing",
            "dryRun",
            "enableTCP6",
            "envflag.enable",
            "envflag.prefix",
            "flagsAuthKey",
            "fs.disableMmap",
            "graphiteListenAddr",
            "graphiteTrimTimestamp",
            "http.connTimeout",
            "http.disableResponseCompression",
            "http.idleConnTimeout",
            "http.maxGracefulShutdownDuration",
            "http.pathPrefix",
            "http.shutdownDelay",
            "httpAuth.password",
            "httpAuth.username",
            "httpListenAddr",
            "import.maxLineLen",
            "influx.databaseNames",
            "influx.maxLineSize",
            "influxDBLabel",
            "influxListenAddr",
            "influxMeasurementFieldSeparator",
            "influxSkipMeasurement",
            "influxSkipSingleField",
            "influxTrimTimestamp",
            "insert.maxQueueDuration",
            "loggerDisableTimestamps",
            "loggerErrorsPerSecondLimit",
            "loggerFormat",
            "loggerLevel",
            "loggerOutput",
            "loggerTimezone",
            "loggerWarnsPerSecondLimit",
            "maxConcurrentInserts",
            "maxInsertRequestSize",
            "memory.allowedBytes",
            "memory.allowedPercent",
            "metricsAuthKey",
            "opentsdbHTTPListenAddr",
            "opentsdbListenAddr",
            "opentsdbTrimTimestamp",
            "opentsdbhttp.maxInsertRequestSize",
            "opentsdbhttpTrimTimestamp",
            "pprofAuthKey",
            "promscrape.azureSDCheckInterval",
            "promscrape.cluster.memberNum",
            "promscrape.cluster.membersCount",
            "promscrape.cluster.name",
            "promscrape.cluster.replicationFactor",
            "promscrape.config",
            "promscrape.config.dryRun",
            "promscrape.config.strictParse",
            "promscrape.configCheckInterval",
            "promscrape.consul.waitTime",
            "promscrape.consulSDCheckInterval",
            "promscrape.digitaloceanSDCheckInterval",
            "promscrape.disableCompression",
            "promscrape.disableKeepAlive",
            "promscrape.discovery.concurrency",
            "promscrape.discovery.concurrentWaitTime",
            "promscrape.dnsSDCheckInterval",
            "promscrape.dockerSDCheckInterval",
            "promscrape.dockerswarmSDCheckInterval",
            "promscrape.dropOriginalLabels",
            "promscrape.ec2SDCheckInterval",
            "promscrape.eurekaSDCheckInterval",
            "promscrape.fileSDCheckInterval",
            "promscrape.gceSDCheckInterval",
            "promscrape.httpSDCheckInterval",
            "promscrape.kubernetes.apiServerTimeout",
            "promscrape.kubernetesSDCheckInterval",
            "promscrape.maxDroppedTargets",
            "promscrape.maxResponseHeadersSize",
            "promscrape.maxScrapeSize",
            "promscrape.minResponseSizeForStreamParse",
            "promscrape.noStaleMarkers",
            "promscrape.openstackSDCheckInterval",
            "promscrape.seriesLimitPerTarget",
            "promscrape.streamParse",
            "promscrape.suppressDuplicateScrapeTargetErrors",
            "promscrape.suppressScrapeErrors",
            "promscrape.suppressScrapeErrorsDelay",
            "remoteWrite.aws.accessKey",
            "remoteWrite.aws.ec2Endpoint",
            "remoteWrite.aws.region",
            "remoteWrite.aws.roleARN",
            "remoteWrite.aws.secretKey",
            "remoteWrite.aws.service",
            "remoteWrite.aws.stsEndpoint",
            "remoteWrite.aws.useSigv4",
            "remoteWrite.basicAuth.password",
            "remoteWrite.basicAuth.passwordFile",
            "remoteWrite.basicAuth.username",
            "remoteWrite.bearerToken",
            "remoteWrite.bearerTokenFile",
            "remoteWrite.flushInterval",
            "remoteWrite.headers",
            "remoteWrite.label",
            "remoteWrite.maxBlockSize",
            "remoteWrite.maxDailySeries",
            "remoteWrite.maxDiskUsagePerURL",
            "remoteWrite.maxHourlySeries",
            "remoteWrite.maxRowsPerBlock",
            "remoteWrite.multitenantURL",
            "remoteWrite.oauth2.clientID",
            "remoteWrite.oauth2.clientSecret",
            "remoteWrite.oauth2.clientSecretFile",
            "remoteWrite.oauth2.scopes",
            "remoteWrite.oauth2.tokenUrl",
            "remoteWrite.proxyURL",
            "remoteWrite.queues",
            "remoteWrite.rateLimit",
            "remoteWrite.relabelConfig",
            "remoteWrite.relabelDebug",
            "remoteWrite.roundDigits",
            "remoteWrite.sendTimeout",
            "remoteWrite.showURL",
            "remoteWrite.significantFigures",
            "remoteWrite.tlsCAFile",
            "remoteWrite.tlsCertFile",
            "remoteWrite.tlsInsecureSkipVerify",
            "remoteWrite.tlsKeyFile",
            "remoteWrite.tlsServerName",
            "remoteWrite.tmpDataPath",
            "remoteWrite.url",
            "remoteWrite.urlRelabelConfig",
            "remoteWrite.urlRelabelDebug",
            "sortLabels",
            "tls",
            "tlsCertFile",
            "tlsCipherSuites",
            "tlsKeyFile",
            "version");

    /** Single vmagent flags not covered by a prefix. */
    private static final Set<String> NAMES =
            Set.of("version", "maxIngestionRate", "rateLimit", "configCheckInterval", "insert.maxQueueDuration");

    /**
     * The vmagent flag name (with its leading dash as typed) if {@code arg} is a vmagent flag, else
     * null. {@code arg} is the unmatched command-line word, e.g. {@code -influxListenAddr=:8089}.
     */
    static String unsupported(String arg) {
        return unsupported(arg, true);
    }

    /** Whether {@code arg} names a flag of vmagent 1.79.5 exactly (no family prefix). */
    static boolean exact(String arg) {
        return unsupported(arg, false) != null;
    }

    private static String unsupported(String arg, boolean prefixesToo) {
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
        if (NAMES.contains(name) || VMAGENT_1_79_5.contains(name)) {
            return dashes + name;
        }
        if (!prefixesToo) {
            return null;
        }
        for (String p : PREFIXES) {
            if (name.startsWith(p)) {
                return dashes + name;
            }
        }
        return null;
    }

    /**
     * What to say about a word of the command line that is no flag of edge-agent: a flag of vmagent
     * 1.79.5 that edge-agent lacks says so; a word close to a flag of edge-agent (a typo) gets that
     * flag as a suggestion; a word of a newer vmagent's flag families says it is not supported yet.
     */
    static String unknownFlag(CommandLine commandLine, String unmatched) {
        String vmagentFlag = VmagentFlags.unsupported(unmatched);
        if (vmagentFlag != null && VmagentFlags.exact(unmatched)) {
            return vmagentFlag + " is a vmagent flag that edge-agent does not support yet"
                    + " (edge-agent -help lists the flags it supports)";
        }
        String suggestion = FlagText.suggest(commandLine, unmatched);
        if (suggestion != null) {
            return "unknown flag " + unmatched + ": did you mean " + suggestion
                    + "? (edge-agent -help lists the flags)";
        }
        if (vmagentFlag != null) {
            return vmagentFlag + " is a vmagent flag that edge-agent does not support yet"
                    + " (edge-agent -help lists the flags it supports)";
        }
        if (!unmatched.startsWith("-")) {
            return "unexpected argument " + unmatched + ": flags are -name=value (edge-agent -help lists them)";
        }
        return "unknown flag " + unmatched + " (edge-agent -help lists the flags)";
    }
}
