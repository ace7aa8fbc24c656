package dev.edgepush.agent;

import dev.edgepush.compat.FileSdReader;
import dev.edgepush.compat.ScrapeConfig;
import dev.edgepush.compat.ScrapeConfigException;
import dev.edgepush.compat.ScrapeConfigReader;
import dev.edgepush.compat.ScrapeJob;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code -dryRun}, as vmagent's: checks {@code -promscrape.config} (with {@code
 * -promscrape.config.strictParse}) and, beyond vmagent, every file its {@code file_sd_configs}
 * match now, then exits without scraping or sending. The flags were already checked by {@link
 * AgentFlags#validate} ({@code -remoteWrite.url} is not required here).
 */
final class DryRun {
    private DryRun() {}

    /** Prints each problem (file:line: ...) to {@code err}; returns the exit code, 0 or 1. */
    static int check(AgentFlags.Config cfg, PrintStream out, PrintStream err) {
        return check(cfg.promscrapeConfig(), cfg.strictParse(), List.of(), out, err);
    }

    /**
     * As {@link #check(AgentFlags.Config, PrintStream, PrintStream)}, after {@code flagProblems}
     * (every bad flag value, from {@link AgentFlags#validate}): they are printed first and the
     * scrape config is still checked, so that one run shows every mistake.
     */
    static int check(
            Path promscrapeConfig, boolean strictParse, List<String> flagProblems, PrintStream out, PrintStream err) {
        flagProblems.forEach(p -> err.println("edge-agent: " + p));
        if (promscrapeConfig == null || !Files.isReadable(promscrapeConfig) || Files.isDirectory(promscrapeConfig)) {
            if (flagProblems.isEmpty()) {
                out.println("edge-agent: -dryRun: flags are valid; no -promscrape.config to check");
                return 0;
            }
            err.println("edge-agent: -dryRun: " + count(flagProblems.size(), "error"));
            return 1; // an unreadable -promscrape.config is among the flag problems
        }
        List<String> problems = new ArrayList<>();
        ScrapeConfig config;
        try {
            config = ScrapeConfigReader.read(
                    promscrapeConfig, strictParse, w -> err.println("edge-agent: warning: " + w));
        } catch (ScrapeConfigException e) {
            e.problems().forEach(p -> err.println("edge-agent: " + p));
            err.println("edge-agent: -dryRun: "
                    + count(flagProblems.size() + e.problems().size(), "error"));
            return 1;
        } catch (IOException e) {
            err.println("edge-agent: -promscrape.config=" + promscrapeConfig + ": cannot read it: " + e.getMessage());
            return 1;
        }
        Path baseDir = ScrapeConfigReader.baseDir(promscrapeConfig);
        int files = 0;
        for (ScrapeJob job : config.jobs()) {
            checkJobFiles(promscrapeConfig, job, problems, err);
            for (Path pattern : job.fileSdFiles()) {
                List<Path> matched;
                try {
                    matched = FileSdReader.expand(pattern);
                } catch (IOException | RuntimeException e) {
                    problems.add(pattern + ": " + e.getMessage());
                    continue;
                }
                for (Path file : matched) {
                    if (!Files.exists(file)) {
                        continue; // not an error in vmagent either: the file may appear later
                    }
                    files++;
                    try {
                        FileSdReader.read(file, baseDir, job.scheme());
                    } catch (ScrapeConfigException e) {
                        problems.add(e.getMessage());
                    } catch (IOException e) {
                        problems.add("cannot read " + file + ": " + e);
                    }
                }
            }
        }
        problems.forEach(p -> err.println("edge-agent: " + p));
        if (problems.isEmpty() && flagProblems.isEmpty()) {
            out.println("edge-agent: -dryRun: " + promscrapeConfig + " is valid: "
                    + count(config.jobs().size(), "job") + ", " + count(files, "file_sd file"));
            return 0;
        }
        err.println("edge-agent: -dryRun: " + count(flagProblems.size() + problems.size(), "error"));
        return 1;
    }

    /**
     * The files a job names. A missing tls_config file is an error, as in vmagent 1.79.5 (it refuses
     * the config); a missing bearer_token_file or password_file only a warning, as vmagent reads
     * those at each scrape (every scrape of the job fails until the file exists).
     */
    private static void checkJobFiles(Path config, ScrapeJob job, List<String> problems, PrintStream err) {
        String where = config + ": job '" + job.jobName() + "': ";
        String[] tlsKeys = {"tls_config.ca_file", "tls_config.cert_file", "tls_config.key_file"};
        Path[] tlsFiles = {job.tls().caFile(), job.tls().certFile(), job.tls().keyFile()};
        for (int i = 0; i < tlsKeys.length; i++) {
            String bad = missing(tlsFiles[i]);
            if (bad != null) {
                problems.add(where + tlsKeys[i] + " " + tlsFiles[i] + ": " + bad);
            }
        }
        String[] authKeys = {"bearer_token_file", "basic_auth.password_file"};
        Path[] authFiles = {job.auth().bearerTokenFile(), job.auth().passwordFile()};
        for (int i = 0; i < authKeys.length; i++) {
            String bad = missing(authFiles[i]);
            if (bad != null) {
                err.println("edge-agent: warning: " + where + authKeys[i] + " " + authFiles[i] + ": " + bad
                        + "; every scrape of this job fails until it is there");
            }
        }
    }

    private static String missing(Path file) {
        if (file == null || Files.isReadable(file) && !Files.isDirectory(file)) {
            return null;
        }
        return !Files.exists(file) ? "no such file" : Files.isDirectory(file) ? "is a directory" : "cannot be read";
    }

    private static String count(int n, String noun) {
        return dev.edgepush.flags.Plural.of(n, noun);
    }
}
