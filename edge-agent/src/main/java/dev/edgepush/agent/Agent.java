package dev.edgepush.agent;

import dev.edgepush.agent.host.HostSettings;
import dev.edgepush.agent.host.HostSource;
import dev.edgepush.agent.scrape.HttpScraper;
import dev.edgepush.agent.scrape.ScrapeLoop;
import dev.edgepush.agent.scrape.ScrapeTarget;
import dev.edgepush.compat.GlobalConfig;
import dev.edgepush.compat.RelabelConfigReader;
import dev.edgepush.compat.Relabeler;
import dev.edgepush.compat.ScrapeConfig;
import dev.edgepush.compat.ScrapeConfigException;
import dev.edgepush.compat.ScrapeConfigReader;
import dev.edgepush.compat.ScrapeJob;
import dev.edgepush.flags.Plural;
import dev.edgepush.forward.buffer.DirectoryLock;
import dev.edgepush.net.http.HttpServerGuards;
import dev.edgepush.net.tls.ServerTls;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
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
 * and the status server; the remote-write connections share the event loop. {@link #close} is the orderly shutdown SIGTERM triggers: stop
 * scraping, let scrapes in flight finish writing, stop the sender (its unacknowledged batch is
 * simply sent again next time), close the queue.
 */
public final class Agent implements AutoCloseable {
    public static final String VERSION = "0.1.0";
    static final String USER_AGENT = "edge-agent/" + VERSION;
    private static final Logger log = LoggerFactory.getLogger(Agent.class);

    private final EventLoopGroup loop;
    private final List<Remote> remotes = new ArrayList<>();
    private final RemoteFanOut fanOut;
    /** Changes while running when file_sd_configs files change (see {@link #syncTargets}). */
    private final List<ScrapeLoop> scrapeLoops = new CopyOnWriteArrayList<>();

    private final StatusServer status;
    private final ScrapeConfig scrape;
    private final FileSdTargets fileSd;
    private final Function<ScrapeTarget, ScrapeLoop> newLoop;
    private final AgentMetrics metrics; // what is not per remote: samples scraped, local pushes
    private final AtomicBoolean closed = new AtomicBoolean();
    /** When this agent started: its uptime on /targets. */
    private final long startedMs;
    /** {@code -remoteWrite.tmpDataPath}'s lock, held until {@link #close} (or the process ends). */
    private final DirectoryLock dataLock;
    /**
     * Longest the orderly stop waits for scrapes in flight to be written: long enough for a
     * local target, short enough that the whole stop stays well inside systemd's 90 s default
     * and our own 10 s test budget.
     */
    private static final long SCRAPE_DRAIN_MS = 3000;
    /** Longest the stop waits for a push in flight; an unanswered batch is simply sent again. */
    private static final long SENDER_JOIN_MS = 2000;

    /** The host collection's loop (issue 14), or null; kept apart from file_sd's target sync. */
    private final ScrapeLoop hostLoop;

    public Agent(AgentFlags.Config cfg, ScrapeConfig scrape) throws IOException, InterruptedException {
        this(cfg, scrape, HostSettings.OFF);
    }

    public Agent(AgentFlags.Config cfg, ScrapeConfig scrape, HostSettings host)
            throws IOException, InterruptedException {
        LongSupplier clock = System::currentTimeMillis;
        startedMs = clock.getAsLong();
        // First, so that a bad -tlsCertFile stops start-up before any buffer is opened.
        ServerTls listenerTls = cfg.listener().tls() == null
                ? null
                : ServerTls.open(cfg.listener().tls(), "edge-agent");
        metrics = new AgentMetrics(clock);
        // Before anything is opened: a second agent on the same directory stops here.
        dataLock = DirectoryLock.acquire(cfg.dataPath(), "-remoteWrite.tmpDataPath");
        // One event loop for scrapes, the status server and the remote-write connections.
        loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        if (listenerTls != null) {
            listenerTls.watch(loop);
            metrics.bindListenerTls(listenerTls::certificateNotAfterMs);
        }
        try {
            openRemotes(cfg, clock);
        } catch (IOException | RuntimeException e) {
            loop.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            closeQuietly(dataLock);
            throw e;
        }
        fanOut = new RemoteFanOut(readRelabel("-remoteWrite.relabelConfig", cfg.relabelConfig()), remotes);
        remotes.forEach(r -> r.senderThread.start());

        HttpScraper scraper = new HttpScraper(
                loop, cfg.maxScrapeBytes(), USER_AGENT, !cfg.disableKeepAlive(), metrics.scrapeConnectionsOpened);
        GlobalConfig global = scrape.global();
        Set<String> streamParseJobs = new java.util.HashSet<>();
        scrape.jobs().stream().filter(ScrapeJob::streamParse).forEach(j -> streamParseJobs.add(j.jobName()));
        newLoop = t -> new ScrapeLoop(
                        t, scraper, fanOut, metrics, clock, loop.next(), global.externalLabels(), cfg.extraLabels())
                .suppressScrapeErrors(cfg.suppressScrapeErrors())
                .streamParse(
                        cfg.inputLimits().streamParse() || streamParseJobs.contains(t.job()),
                        cfg.inputLimits().minStreamParseBytes())
                .labelLimits(
                        cfg.inputLimits().maxLabels(),
                        cfg.inputLimits().maxLabelNameBytes(),
                        cfg.inputLimits().maxLabelValueChars());
        this.scrape = scrape;
        if (FileSdTargets.needed(scrape)) {
            Path baseDir =
                    cfg.promscrapeConfig() == null ? Path.of("") : ScrapeConfigReader.baseDir(cfg.promscrapeConfig());
            fileSd = new FileSdTargets(scrape, baseDir, e -> log.error("file_sd_configs: {}", e));
            fileSd.refresh();
        } else {
            fileSd = null;
        }
        for (ScrapeTarget t : JobTargets.targets(scrape, fileSd == null ? ScrapeJob::targets : fileSd::targets)) {
            scrapeLoops.add(newLoop.apply(t));
        }
        hostLoop = host.enabled() ? hostLoop(host, cfg, global, clock) : null;
        LocalPush push = new LocalPush(fanOut, metrics, clock, cfg.maxInsertBytes(), cfg.extraLabels())
                .labelLimits(
                        cfg.inputLimits().maxLabels(),
                        cfg.inputLimits().maxLabelNameBytes(),
                        cfg.inputLimits().maxLabelValueChars());
        List<AgentMetrics> perRemote = remotes.stream().map(r -> r.metrics).toList();
        status = new StatusServer(
                loop,
                cfg.listenHost(),
                cfg.listenPort(),
                () -> AgentMetrics.render(metrics, perRemote),
                () -> TargetsPage.render(targetStatuses(), remotes, startedMs, clock.getAsLong()),
                push,
                Math.min(cfg.maxInsertBytes(), LocalPush.MEMORY_BOUND_BYTES),
                new HttpServerGuards(cfg.http(), metrics.httpClosed),
                cfg.listener(),
                listenerTls);
        status.statusJson(() -> TargetsPage.statusJson(remotes, clock.getAsLong()));
        scrapeLoops.forEach(ScrapeLoop::start);
        if (hostLoop != null) {
            hostLoop.start();
        }
        if (fileSd != null) {
            long everyMs = cfg.fileSdCheckInterval().toMillis();
            loop.scheduleWithFixedDelay(this::syncTargets, everyMs, everyMs, TimeUnit.MILLISECONDS);
        }
        // Once a second, cap or no cap: delivered files are deleted, and between two checks the
        // buffer grows by about a second of scrapes past its cap (DiskBuffer.enforceCap).
        loop.scheduleWithFixedDelay(this::enforceCap, 1, 1, TimeUnit.SECONDS);
        log.info(
                "edge-agent {} started: {}, {} {}, status and local push on {}://{}:{}/targets{}",
                VERSION,
                Plural.of(scrapeLoops.size(), "target"),
                Plural.of(remotes.size(), "remote"),
                remotes.stream()
                        .map(r -> r.spec.label() + " (buffer " + r.buffer.directory() + ")")
                        .toList(),
                listenerTls == null ? "http" : "https",
                cfg.listenHost(),
                status.port(),
                cfg.listener().basicAuth() ? " (basic auth: -httpAuth.username)" : "");
    }

    /**
     * The host collectors (issue 14) as one more target: their text goes through the same parser,
     * -host.relabelConfig (as a job's metric_relabel_configs), external and -remoteWrite.label labels,
     * staleness tracking and disk buffer as a scrape, and shows on /targets.
     */
    private ScrapeLoop hostLoop(HostSettings host, AgentFlags.Config cfg, GlobalConfig global, LongSupplier clock)
            throws IOException {
        io.netty.channel.EventLoop ev = loop.next();
        HostSource source = new HostSource(host.build(), ev, host.timeout().toMillis());
        return new ScrapeLoop(
                        host.target(readRelabel("-host.relabelConfig", host.relabelConfig())),
                        source,
                        fanOut,
                        metrics,
                        clock,
                        ev,
                        global.externalLabels(),
                        cfg.extraLabels())
                .labelLimits(
                        cfg.inputLimits().maxLabels(),
                        cfg.inputLimits().maxLabelNameBytes(),
                        cfg.inputLimits().maxLabelValueChars());
    }

    private List<dev.edgepush.agent.scrape.TargetStatus> targetStatuses() {
        List<dev.edgepush.agent.scrape.TargetStatus> out = new ArrayList<>();
        scrapeLoops.forEach(l -> out.add(l.status()));
        if (hostLoop != null) {
            out.add(hostLoop.status());
        }
        return out;
    }

    // --- remote-write compatibility (issue 6, remote side) ---

    /**
     * One {@link Remote} per {@code -remoteWrite.url}. Buffer directories: a single URL keeps
     * {@code <tmpDataPath>/buffer} (the layout before several URLs existed, so an upgraded robot
     * keeps its backlog); with several URLs each gets {@code
     * <tmpDataPath>/persistent-queue/<n>_<hash>} ({@link RemoteSpec#directoryName}).
     */
    private void openRemotes(AgentFlags.Config cfg, LongSupplier clock) throws IOException {
        boolean several = cfg.remotes().size() > 1;
        try {
            for (RemoteSpec spec : cfg.remotes()) {
                Path dir = several
                        ? cfg.dataPath().resolve("persistent-queue").resolve(spec.directoryName())
                        : cfg.dataPath().resolve("buffer");
                Relabeler urlRelabel = readRelabel("-remoteWrite.urlRelabelConfig", spec.urlRelabelConfig());
                remotes.add(new Remote(spec, cfg, dir, several, urlRelabel, clock, loop));
            }
        } catch (IOException | RuntimeException e) {
            remotes.forEach(r -> r.buffer.close());
            throw e;
        }
        Integer queues = cfg.remoteWriteQueues();
        if (queues != null && queues > 1) {
            log.info(
                    "-remoteWrite.queues={} accepted; edge-agent sends over one lane per URL all the same, so that"
                            + " samples of a series reach the remote in timestamp order (parallel lanes cause out-of-order"
                            + " rejections at Prometheus-style receivers, above all while a backlog drains)",
                    queues);
        }
    }

    private static Relabeler readRelabel(String flag, Path file) throws IOException {
        if (file == null) {
            return Relabeler.EMPTY;
        }
        try {
            return RelabelConfigReader.read(file);
        } catch (ScrapeConfigException e) {
            throw new IOException(flag + ": " + e.getMessage(), e);
        }
    }

    /** The remotes, in -remoteWrite.url order (for tests). */
    List<Remote> remotes() {
        return remotes;
    }

    // --- end of remote-write compatibility ---

    /**
     * Every -promscrape.fileSDCheckInterval on the event loop: re-reads changed file_sd files and
     * starts a loop for each new target and stops the loop of each target that went away, without
     * touching the others. Two targets are the same if job, URL, labels and settings are equal.
     */
    private void syncTargets() {
        if (closed.get() || !fileSd.refresh()) {
            return;
        }
        Set<ScrapeTarget> wanted = new LinkedHashSet<>(JobTargets.targets(scrape, fileSd::targets));
        int stopped = 0;
        for (ScrapeLoop sl : scrapeLoops) {
            if (!wanted.remove(sl.target())) {
                sl.stopAsRemoved(); // its series end with staleness markers, as in Prometheus
                scrapeLoops.remove(sl);
                stopped++;
            }
        }
        for (ScrapeTarget t : wanted) {
            ScrapeLoop sl = newLoop.apply(t);
            scrapeLoops.add(sl);
            sl.start();
        }
        log.info(
                "file_sd_configs changed: {} started, {} stopped, {} scraped now",
                Plural.of(wanted.size(), "target"),
                stopped,
                scrapeLoops.size());
    }

    private void enforceCap() {
        for (Remote r : remotes) {
            try {
                r.buffer.enforceCap();
            } catch (IOException | RuntimeException e) {
                log.error("cannot enforce the disk cap on {}: {}", r.buffer.directory(), e.toString());
            }
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
        if (hostLoop != null) {
            hostLoop.stop();
        }
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
        // The senders stop before the event loop does: their connections live on it, and a push in
        // flight gets up to SENDER_JOIN_MS to finish before the loop's shutdown closes its connection.
        remotes.forEach(r -> r.sender.stop());
        long joinDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SENDER_JOIN_MS);
        for (Remote r : remotes) {
            try {
                r.senderThread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(joinDeadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        loop.shutdownGracefully(0, 3, TimeUnit.SECONDS).syncUninterruptibly();
        for (Remote r : remotes) {
            if (r.senderThread.isAlive()) {
                log.info(
                        "a push to {} is still in flight; its batch is not acknowledged and will be sent again",
                        r.spec.label());
            } else {
                r.sender.closeReader();
            }
            r.client.close();
            r.buffer.close();
            log.info(
                    "edge-agent stopped {}; {} samples pending in its buffer",
                    r.spec.label(),
                    r.buffer.pendingSamples());
        }
        closeQuietly(dataLock);
    }

    private static void closeQuietly(DirectoryLock lock) {
        try {
            lock.close();
        } catch (IOException e) {
            log.warn("cannot release {}: {}", lock.file(), e.toString());
        }
    }
}
