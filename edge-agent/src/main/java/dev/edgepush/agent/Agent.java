package dev.edgepush.agent;

import dev.edgepush.agent.buffer.DiskBuffer;
import dev.edgepush.agent.scrape.HttpScraper;
import dev.edgepush.agent.scrape.ScrapeLoop;
import dev.edgepush.agent.scrape.ScrapeTarget;
import dev.edgepush.agent.send.Backoff;
import dev.edgepush.agent.send.PushOutcome;
import dev.edgepush.agent.send.RemoteWriteClient;
import dev.edgepush.agent.send.Sender;
import dev.edgepush.compat.GlobalConfig;
import dev.edgepush.compat.ScrapeConfig;
import dev.edgepush.compat.ScrapeConfigReader;
import dev.edgepush.compat.ScrapeJob;
import dev.edgepush.compat.StaticTarget;
import dev.edgepush.compat.TargetRelabeling;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running agent: scrape loops on one Netty event loop, the disk buffer, the sender thread
 * and the status server. {@link #close} is the orderly shutdown SIGTERM triggers: stop
 * scraping, let scrapes in flight finish writing, stop the sender (its unacknowledged batch is
 * simply sent again next time), close the queue.
 */
public final class Agent implements AutoCloseable {
  public static final String VERSION = "0.1.0";
  static final String USER_AGENT = "edge-agent/" + VERSION;
  private static final Logger log = LoggerFactory.getLogger(Agent.class);

  private final EventLoopGroup loop;
  private final DiskBuffer buffer;
  private final RemoteWriteClient client;
  private final Sender sender;
  private final Thread senderThread;
  /** Changes while running when file_sd_configs files change (see {@link #syncTargets}). */
  private final List<ScrapeLoop> scrapeLoops = new CopyOnWriteArrayList<>();
  private final StatusServer status;
  private final ScrapeConfig scrape;
  private final FileSdTargets fileSd;
  private final Function<ScrapeTarget, ScrapeLoop> newLoop;
  private final AgentMetrics metrics;
  private final AtomicBoolean closed = new AtomicBoolean();
  /**
   * Longest the orderly stop waits for scrapes in flight to be written: long enough for a
   * local target, short enough that the whole stop stays well inside systemd's 90 s default
   * and our own 10 s test budget.
   */
  private static final long SCRAPE_DRAIN_MS = 3000;
  /** Longest the stop waits for a push in flight; an unanswered batch is simply sent again. */
  private static final long SENDER_JOIN_MS = 2000;

  public Agent(AgentFlags.Config cfg, ScrapeConfig scrape) throws IOException, InterruptedException {
    LongSupplier clock = System::currentTimeMillis;
    metrics = new AgentMetrics(clock);
    buffer = DiskBuffer.open(cfg.dataPath().resolve("buffer"), cfg.maxDiskBytes(), cfg.syncInterval());
    metrics.bindBuffer(buffer::bufferedSamplesTotal, buffer::pendingSamples, buffer::diskBytes,
        buffer::corruptSamplesTotal, buffer::diskFullSamplesTotal);
    String token = cfg.bearerToken();
    if (cfg.bearerTokenFile() != null) {
      token = RemoteWriteClient.readTokenFile(cfg.bearerTokenFile());
    }
    client = new RemoteWriteClient(cfg.remoteWriteUrl(), token, cfg.sendTimeout(), USER_AGENT,
        () -> Map.of(
            "X-Edgepush-Pending-Samples", Long.toString(metrics.pendingSamples()),
            "X-Edgepush-Oldest-Pending-Age-Seconds", String.format("%.3f", metrics.oldestPendingAgeSeconds())));
    sender = new Sender(buffer, new Sender.Transport() {
          @Override
          public PushOutcome push(byte[] body, int offset, int length) {
            return client.push(body, offset, length);
          }

          @Override
          public long lastRequestBytes() {
            return client.lastRequestBytes();
          }
        }, Backoff.withDefaults(new SecureRandom()), metrics, clock, cfg.flushInterval(),
        cfg.maxBatchSamples(), cfg.maxBatchBytes(), redact(cfg.remoteWriteUrl()));
    senderThread = new Thread(sender, "edge-agent-sender");
    senderThread.start();

    loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    HttpScraper scraper = new HttpScraper(loop, cfg.maxScrapeBytes(), USER_AGENT);
    GlobalConfig global = scrape.global();
    newLoop = t -> new ScrapeLoop(t, scraper, buffer, metrics, clock, loop.next(),
        global.externalLabels(), cfg.extraLabels()).suppressScrapeErrors(cfg.suppressScrapeErrors());
    this.scrape = scrape;
    if (FileSdTargets.needed(scrape)) {
      Path baseDir = cfg.promscrapeConfig() == null ? Path.of("")
          : ScrapeConfigReader.baseDir(cfg.promscrapeConfig());
      fileSd = new FileSdTargets(scrape, baseDir, e -> log.error("file_sd_configs: {}", e));
      fileSd.refresh();
    } else {
      fileSd = null;
    }
    for (ScrapeTarget t : targets(scrape, fileSd == null ? ScrapeJob::targets : fileSd::targets)) {
      scrapeLoops.add(newLoop.apply(t));
    }
    status = new StatusServer(loop, cfg.listenHost(), cfg.listenPort(), metrics::render,
        () -> TargetsPage.render(scrapeLoops.stream().map(ScrapeLoop::status).toList(), metrics, sender,
            buffer.appendFailure(), redact(cfg.remoteWriteUrl()), clock.getAsLong()));
    scrapeLoops.forEach(ScrapeLoop::start);
    if (fileSd != null) {
      long everyMs = cfg.fileSdCheckInterval().toMillis();
      loop.scheduleWithFixedDelay(this::syncTargets, everyMs, everyMs, TimeUnit.MILLISECONDS);
    }
    if (cfg.maxDiskBytes() > 0) {
      // Once a second: between two checks the buffer grows by about a second of scrapes.
      loop.scheduleWithFixedDelay(this::enforceCap, 1, 1, TimeUnit.SECONDS);
    }
    log.info("edge-agent {} started: {} targets, buffer {}, remote {}, status on http://{}:{}/targets",
        VERSION, scrapeLoops.size(), buffer.directory(), redact(cfg.remoteWriteUrl()),
        cfg.listenHost(), status.port());
  }

  /**
   * Every static target of every job after the job's relabel_configs (see {@link
   * TargetRelabeling}: it derives address, scheme, path, interval, timeout and instance from the
   * relabeled {@code __} labels and removes them). Dropped targets are left out; a target that
   * relabeling made unusable is logged and left out.
   */
  static List<ScrapeTarget> targets(ScrapeConfig scrape) {
    return targets(scrape, ScrapeJob::targets);
  }

  /** As {@link #targets(ScrapeConfig)}, with each job's targets from {@code targetsOf}. */
  static List<ScrapeTarget> targets(ScrapeConfig scrape, Function<ScrapeJob, List<StaticTarget>> targetsOf) {
    List<ScrapeTarget> out = new ArrayList<>();
    for (ScrapeJob job : scrape.jobs()) {
      for (StaticTarget st : targetsOf.apply(job)) {
        try {
          TargetRelabeling.apply(job, st).ifPresent(t -> out.add(new ScrapeTarget(job.jobName(),
              t.labels().getOrDefault("instance", t.address()), URI.create(t.url()), t.scrapeInterval(),
              t.scrapeTimeout(), job.honorLabels(), job.honorTimestamps(), t.labels(),
              job.metricRelabelConfigs(), job.auth(), job.tls(), job.sampleLimit(), job.labelLimit())));
        } catch (IllegalArgumentException e) {
          log.error("skipping a target: {}", e.getMessage());
        }
      }
    }
    return out;
  }

  /**
   * Every -promscrape.fileSDCheckInterval on the event loop: re-reads changed file_sd files and
   * starts a loop for each new target and stops the loop of each target that went away, without
   * touching the others. Two targets are the same if job, URL, labels and settings are equal.
   */
  private void syncTargets() {
    if (closed.get() || !fileSd.refresh()) {
      return;
    }
    Set<ScrapeTarget> wanted = new LinkedHashSet<>(targets(scrape, fileSd::targets));
    int stopped = 0;
    for (ScrapeLoop sl : scrapeLoops) {
      if (!wanted.remove(sl.target())) {
        sl.stop();
        scrapeLoops.remove(sl);
        stopped++;
      }
    }
    for (ScrapeTarget t : wanted) {
      ScrapeLoop sl = newLoop.apply(t);
      scrapeLoops.add(sl);
      sl.start();
    }
    log.info("file_sd_configs changed: {} targets started, {} stopped, {} scraped now", wanted.size(), stopped,
        scrapeLoops.size());
  }

  private void enforceCap() {
    try {
      buffer.enforceCap();
    } catch (IOException | RuntimeException e) {
      log.error("cannot enforce the disk cap on {}: {}", buffer.directory(), e.toString());
    }
  }

  public int statusPort() {
    return status.port();
  }

  static String redact(String url) {
    return url.replaceAll("//[^/@]*@", "//<credentials>@");
  }

  /**
   * The orderly stop (SIGTERM): no new scrapes; scrapes in flight finish and are written (up to
   * {@link #SCRAPE_DRAIN_MS}); the sender stops after its current step (an unacknowledged batch
   * is sent again next start); the buffer syncs and closes. Every acknowledged position is
   * already in {@code ack.pos}. Safe to call twice (the shutdown hook after SIGTERM).
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    log.info("edge-agent stopping: finishing writes, saving positions");
    scrapeLoops.forEach(ScrapeLoop::stop);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SCRAPE_DRAIN_MS);
    while (scrapeLoops.stream().anyMatch(ScrapeLoop::scrapeInFlight) && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    status.close();
    loop.shutdownGracefully(0, 3, TimeUnit.SECONDS).syncUninterruptibly();
    sender.stop();
    try {
      senderThread.join(SENDER_JOIN_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (senderThread.isAlive()) {
      log.info("a push is still in flight; its batch is not acknowledged and will be sent again");
    } else {
      sender.closeReader();
    }
    client.close();
    buffer.close();
    log.info("edge-agent stopped; {} samples pending in the buffer", buffer.pendingSamples());
  }
}
