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
    if (cfg.promscrapeConfig() == null) {
      out.println("edge-agent: -dryRun: flags are valid; no -promscrape.config to check");
      return 0;
    }
    List<String> problems = new ArrayList<>();
    ScrapeConfig config;
    try {
      config = ScrapeConfigReader.read(cfg.promscrapeConfig(), cfg.strictParse(),
          w -> err.println("edge-agent: warning: " + w));
    } catch (ScrapeConfigException e) {
      err.println("edge-agent: " + e.getMessage());
      return 1;
    } catch (IOException e) {
      err.println("edge-agent: cannot read -promscrape.config: " + e);
      return 1;
    }
    Path baseDir = ScrapeConfigReader.baseDir(cfg.promscrapeConfig());
    int files = 0;
    for (ScrapeJob job : config.jobs()) {
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
    if (problems.isEmpty()) {
      out.println("edge-agent: -dryRun: " + cfg.promscrapeConfig() + " is valid: " + config.jobs().size()
          + " jobs, " + files + " file_sd files");
      return 0;
    }
    return 1;
  }
}
