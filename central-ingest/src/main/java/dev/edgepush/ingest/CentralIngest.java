package dev.edgepush.ingest;

import dev.edgepush.flags.Plural;
import dev.edgepush.forward.buffer.DirectoryLock;
import dev.edgepush.ingest.auth.TokensFile;
import dev.edgepush.ingest.auth.TokensFileException;
import dev.edgepush.ingest.completeness.CompletenessLedger;
import dev.edgepush.ingest.fleet.FleetRegistry;
import dev.edgepush.ingest.http.IngestPipeline;
import dev.edgepush.ingest.http.IngestServer;
import dev.edgepush.ingest.http.Routes;
import dev.edgepush.ingest.http.Transport;
import dev.edgepush.ingest.limit.RobotRateLimiter;
import dev.edgepush.ingest.metrics.IngestMetrics;
import dev.edgepush.ingest.wal.ForwardingWal;
import dev.edgepush.net.tls.ServerTls;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running ingest: tokens file, WAL and forwarders, the HTTP server, and a once-a-second
 * housekeeping task (tokens file reload, WAL disk caps). {@link #close} is SIGTERM's orderly
 * stop: stop accepting, let requests in flight finish, stop the forwarders, close the WAL.
 */
public final class CentralIngest implements AutoCloseable {
    public static final String VERSION = "0.1.0";
    private static final Logger log = LoggerFactory.getLogger(CentralIngest.class);

    private final EventLoopGroup loop;
    private final ForwardingWal wal;
    private final IngestServer server;
    private final IngestPipeline pipeline;
    private final FleetRegistry fleet;
    /** The robots' completeness accounting, in {@code -wal.path}/{@value #COMPLETENESS_DIR}. */
    private final CompletenessLedger completeness;

    public static final String COMPLETENESS_DIR = "completeness";
    private final IngestMetrics metrics = new IngestMetrics();
    /** {@code -wal.path}'s lock, held until {@link #close} (or the process ends). */
    private final DirectoryLock walLock;

    public CentralIngest(IngestFlags.Config cfg) throws IOException, InterruptedException, TokensFileException {
        LongSupplier clock = System::currentTimeMillis;
        // First, so that a bad -tlsCertFile stops start-up before the WAL is opened.
        ServerTls tls = cfg.tls() == null ? null : ServerTls.open(cfg.tls(), "central-ingest");
        metrics.onlineWindow(cfg.fleetOfflineAfter().toString().substring(2).toLowerCase(java.util.Locale.ROOT));
        TokensFile tokens = TokensFile.open(cfg.tokensFile());
        // Before the WAL is opened: a second central-ingest on the same directory stops here.
        walLock = DirectoryLock.acquire(cfg.walPath(), "-wal.path");
        try {
            // In the WAL's directory, under its lock: the robots' accounting goes with the data it describes.
            completeness = CompletenessLedger.open(cfg.walPath().resolve(COMPLETENESS_DIR));
        } catch (IOException | RuntimeException e) {
            walLock.close();
            throw e;
        }
        fleet = new FleetRegistry(cfg.fleetOfflineAfter(), completeness);
        try {
            wal = new ForwardingWal(
                    cfg.walPath(), cfg.remoteWriteUrls(), cfg.remoteWriteQueues(), cfg.walMaxDiskBytes());
        } catch (IOException | RuntimeException e) {
            completeness.close();
            walLock.close();
            throw e;
        }
        metrics.bind(
                wal::forwardedSamples,
                wal::pendingSamples,
                wal::diskBytes,
                () -> fleet.onlineCount(clock.getAsLong()),
                wal::droppedSamples);
        metrics.bindWalDamage(wal::corruptExcerpts, wal::corruptFiles);
        metrics.bindRobots(fleet::statuses);
        metrics.bindOutOfRange(fleet::outOfRange);
        metrics.bindCompleteness(completeness::all);
        metrics.walMaxDiskBytes(cfg.walMaxDiskBytes() * cfg.remoteWriteUrls().size());
        // One loop thread per core: decoding is CPU work and the WAL append a memory copy into a
        // mapped file, so they run on the loops (Netty 4.2 deprecates separate handler executors).
        loop = new MultiThreadIoEventLoopGroup(
                Math.max(1, Runtime.getRuntime().availableProcessors()),
                Transport.best().ioHandlerFactory());
        if (tls != null) {
            tls.watch(loop);
            metrics.bindTls(tls::certificateNotAfterMs, tls::clientCaNotAfterMs);
        }
        pipeline = new IngestPipeline(
                new IngestPipeline.Parts(
                        new Routes(Routes.allRoutes()),
                        tokens,
                        fleet,
                        new RobotRateLimiter(cfg.maxSamplesPerSecondPerRobot(), System::nanoTime),
                        wal,
                        metrics,
                        new IngestPipeline.Limits(
                                cfg.maxRequestBytes(),
                                cfg.maxDecompressedBytes(),
                                cfg.walMaxPendingSamples(),
                                cfg.http(),
                                cfg.sampleClock()),
                        clock,
                        cfg.query(),
                        cfg.reader()),
                tls,
                cfg.mtlsRequireRobotName());
        try {
            server = new IngestServer(loop, cfg.listenHost(), cfg.listenPort(), pipeline);
        } catch (IOException | RuntimeException e) {
            // Nothing of this half-started ingest may keep the process alive (its loop and WAL sender
            // threads are not daemons): a daemon that cannot listen exits, it does not hang.
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            wal.close();
            completeness.close();
            try {
                walLock.close();
            } catch (IOException unlock) {
                e.addSuppressed(unlock);
            }
            throw e;
        }
        loop.scheduleWithFixedDelay(
                () -> {
                    tokens.reloadIfChanged();
                    wal.enforceCaps(); // delivered WAL files go, cap or no cap; then the cap, if any
                    completeness.flush();
                },
                1,
                1,
                TimeUnit.SECONDS);
        loop.scheduleWithFixedDelay(
                () -> {
                    try {
                        completeness.compact();
                    } catch (IOException | RuntimeException e) {
                        log.error(
                                "cannot write the completeness snapshot (the journal keeps growing until it can): {}",
                                e.toString());
                    }
                },
                60,
                60,
                TimeUnit.SECONDS);
        log.info(
                "central-ingest {} listening on {}://{}:{}{}; {}; WAL {}; forwarding to {} x {}; queries to {}",
                VERSION,
                tls == null ? "http" : "https",
                cfg.listenHost(),
                server.port(),
                tls == null ? "" : tls.settings().mtls() ? " (client certificates required)" : "",
                Plural.of(tokens.size(), "token"),
                cfg.walPath(),
                Plural.of(wal.shardCount(), "shard"),
                Plural.of(wal.lanes(), "lane"),
                cfg.query() == null
                        ? "nowhere (no -query.url)"
                        : cfg.query()
                                + (cfg.query().perTenant() ? "" : " (single node: no tenant isolation)")
                                + (cfg.reader().vmalert() == null
                                        ? ""
                                        : ", vmalert at " + cfg.reader().vmalert())
                                + (cfg.reader().cors().enabled()
                                        ? ", CORS for " + cfg.reader().cors()
                                        : ""));
    }

    public int port() {
        return server.port();
    }

    public FleetRegistry fleet() {
        return fleet;
    }

    /** The fleet page's open event streams. */
    public int fleetStreamsOpen() {
        return pipeline.fleetStreams().openCount();
    }

    public IngestMetrics metrics() {
        return metrics;
    }

    @Override
    public void close() {
        log.info("central-ingest stopping");
        server.close();
        // The fleet page's event streams never end by themselves: end them (last chunk, close) so
        // browsers see a clean end rather than a reset, before the loops stop.
        pipeline.fleetStreams().closeAll(2000);
        loop.shutdownGracefully(0, 3, TimeUnit.SECONDS).syncUninterruptibly();
        wal.close();
        completeness.close();
        try {
            walLock.close();
        } catch (IOException e) {
            log.warn("cannot release {}: {}", walLock.file(), e.toString());
        }
        log.info("central-ingest stopped; {} samples pending in the WAL", wal.pendingSamples());
    }
}
