package dev.edgepush.agent;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** -promscrape.config and the scrape-side vmagent flags (issue 6); a picocli mixin of {@link AgentFlags}. */
final class ScrapeFlags {
    @Option(
            names = {"-promscrape.config", "--promscrape.config"},
            paramLabel = "FILE",
            description = "Prometheus-style scrape config (YAML): global, scrape_configs with static_configs.")
    Path promscrapeConfig;

    @Option(
            names = {"-promscrape.config.strictParse", "--promscrape.config.strictParse"},
            arity = "0..1",
            fallbackValue = "true",
            paramLabel = "BOOL",
            description =
                    "Reject unknown keys in -promscrape.config; false skips them with a warning (default: ${DEFAULT-VALUE}).")
    boolean strictParse = true;

    @Option(
            names = {"-promscrape.suppressScrapeErrors", "--promscrape.suppressScrapeErrors"},
            arity = "0..1",
            fallbackValue = "true",
            paramLabel = "BOOL",
            description = "Do not log scrape errors of targets; they still show on /targets and as up 0.")
    boolean suppressScrapeErrors;

    @Option(
            names = {"-promscrape.disableKeepAlive", "--promscrape.disableKeepAlive"},
            arity = "0..1",
            fallbackValue = "true",
            paramLabel = "BOOL",
            description = "Open a new connection for every scrape (Connection: close) instead of keeping one"
                    + " keep-alive connection per target.")
    boolean disableKeepAlive;

    @Option(
            names = {"-promscrape.fileSDCheckInterval", "--promscrape.fileSDCheckInterval"},
            paramLabel = "DURATION",
            description = "How often file_sd_configs files are checked for changes (default: ${DEFAULT-VALUE}).")
    String fileSdCheckInterval = "5m";

    @Option(
            names = {"-dryRun", "--dryRun", "-promscrape.config.dryRun", "--promscrape.config.dryRun"},
            arity = "0..1",
            fallbackValue = "true",
            paramLabel = "BOOL",
            description = "Check the flags, -promscrape.config and its file_sd files, then exit: 0 if valid,"
                    + " 1 with every error (file:line) otherwise. -remoteWrite.url is not required.")
    boolean dryRun;
}
