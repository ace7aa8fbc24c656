package dev.edgepush.ingest.http;

import dev.edgepush.forward.send.ZstdSupport;
import dev.edgepush.ingest.auth.TokenStore;
import dev.edgepush.ingest.decode.BodyDecompressor;
import dev.edgepush.ingest.decode.SampleClock;
import dev.edgepush.ingest.fleet.FleetRegistry;
import dev.edgepush.ingest.limit.RobotRateLimiter;
import dev.edgepush.ingest.metrics.IngestMetrics;
import dev.edgepush.ingest.query.QueryTarget;
import dev.edgepush.ingest.wal.ForwardingWal;
import dev.edgepush.net.http.HttpServerGuards;
import dev.edgepush.net.http.HttpServerLimits;
import dev.edgepush.net.tls.ServerTls;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpObjectAggregator;
import java.util.function.LongSupplier;

/**
 * Assembles a connection's pipeline, and does nothing else:
 *
 * <pre>
 * with -tls: SslHandler, handshake log   (ServerTls#addTo)
 * HttpServerGuards: connCap, codec, framingErrors, timeouts, keepAlive, responseFraming
 * ResponseCounter (outbound), CorsHandler.Headers (outbound)
 * head checks, before the body is read:  CorsHandler, RouteHandler, ClosedPathHandler, AuthHandler, [CertificateRobotCheck], FleetRecorder, CompletenessRecorder,
 *                                         AdmissionHandler, SizeLimitHandler
 * HttpObjectAggregator (-maxRequestBytes)
 * decode and WAL write:                   WriteDecodeHandler, IngestHandler
 * endpoints:                              StatusHandler, FleetHandler, QueryProxyHandler,
 *                                         UnhandledRequestHandler
 * </pre>
 *
 * New endpoints add their handler before {@link UnhandledRequestHandler}.
 */
public final class IngestPipeline extends ChannelInitializer<Channel> {

    /** Everything the handlers need, built once by the server; {@code query} is null without {@code -query.url}. */
    public record Parts(
            Routes routes,
            TokenStore tokens,
            FleetRegistry fleet,
            RobotRateLimiter limiter,
            ForwardingWal wal,
            IngestMetrics metrics,
            Limits limits,
            LongSupplier clockMs,
            QueryTarget query,
            ReaderDoor reader) {
        public Parts(
                Routes routes,
                TokenStore tokens,
                FleetRegistry fleet,
                RobotRateLimiter limiter,
                ForwardingWal wal,
                IngestMetrics metrics,
                Limits limits,
                LongSupplier clockMs,
                QueryTarget query) {
            this(routes, tokens, fleet, limiter, wal, metrics, limits, clockMs, query, ReaderDoor.DEFAULTS);
        }
    }

    /** The reader door's options: {@code -vmalert.proxyURL} (null: /vmalert/ closed) and CORS. */
    public record ReaderDoor(QueryTarget vmalert, CorsPolicy cors) {
        public static final ReaderDoor DEFAULTS = new ReaderDoor(null, CorsPolicy.OFF);
    }

    /**
     * Request limits, in bytes and samples, the HTTP server's timeouts and connection limits, and
     * what a push's timestamps may be ({@link SampleClock}: counted when out of the storage's range,
     * shifted for a robot's clock).
     */
    public record Limits(
            int maxRequestBytes,
            long maxDecompressedBytes,
            long maxPendingSamples,
            HttpServerLimits http,
            SampleClock sampleClock) {
        public Limits(int maxRequestBytes, long maxDecompressedBytes, long maxPendingSamples) {
            this(maxRequestBytes, maxDecompressedBytes, maxPendingSamples, HttpServerLimits.DEFAULTS);
        }

        public Limits(int maxRequestBytes, long maxDecompressedBytes, long maxPendingSamples, HttpServerLimits http) {
            this(maxRequestBytes, maxDecompressedBytes, maxPendingSamples, http, SampleClock.DEFAULT);
        }
    }

    private final Parts p;
    private final ResponseCounter counter;
    private final BodyDecompressor decompressor;
    private final UpstreamConnector upstream = new NettyUpstreamConnector();
    private final FleetStreams fleetStreams = new FleetStreams();
    private final HttpServerGuards guards;
    private final ServerTls tls;
    private final boolean certificateNamesRobot;

    public IngestPipeline(Parts parts) {
        this(parts, null, false);
    }

    /**
     * With {@code tls} non-null every connection speaks TLS first ({@code -tls}, {@code -mtls});
     * {@code certificateNamesRobot} is {@code -mtls.requireRobotName} ({@link CertificateRobotCheck}).
     */
    public IngestPipeline(Parts parts, ServerTls tls, boolean certificateNamesRobot) {
        this.p = parts;
        this.tls = tls;
        this.certificateNamesRobot = certificateNamesRobot;
        this.counter = new ResponseCounter(parts.metrics());
        this.decompressor = new BodyDecompressor(
                parts.limits().maxDecompressedBytes(),
                ZstdSupport.available("central-ingest"),
                parts.metrics()::bodyDecoded);
        this.guards = new HttpServerGuards(parts.limits().http(), parts.metrics().httpClosed);
    }

    /**
     * Request bytes are read into Java heap buffers, not Netty's pooled direct memory: a body is
     * copied to a heap array for decoding anyway, and pooled chunks that a burst of large bodies
     * (12 concurrent 12 MB pushes) filled stay allocated after it, where the heap gives its
     * memory back (see bin/central-ingest's G1 options). Measured in central-ingest/README.md.
     */
    static final ByteBufAllocator READ_ALLOCATOR = new UnpooledByteBufAllocator(false);

    /** The fleet page's open event streams (ended by {@link FleetStreams#closeAll} at shutdown). */
    public FleetStreams fleetStreams() {
        return fleetStreams;
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.config().setAllocator(READ_ALLOCATOR);
        if (tls != null) {
            tls.addTo(ch); // first in the pipeline: nothing reads a byte before the handshake
        }
        ChannelPipeline pl = ch.pipeline();
        guards.addTo(pl); // connCap, codec, framingErrors, timeouts, keepAlive, responseFraming
        pl.addLast("responseCounter", counter);
        pl.addLast("corsHeaders", new CorsHandler.Headers(p.reader().cors()));
        pl.addLast("cors", new CorsHandler(p.reader().cors()));
        pl.addLast("route", new RouteHandler(p.routes()));
        pl.addLast("closed", new ClosedPathHandler());
        pl.addLast("auth", new AuthHandler(p.tokens()));
        if (certificateNamesRobot) {
            pl.addLast("certificateRobot", new CertificateRobotCheck());
        }
        pl.addLast("fleet", new FleetRecorder(p.fleet(), p.clockMs()));
        pl.addLast("completeness", new CompletenessRecorder(p.fleet().completeness(), p.clockMs()));
        pl.addLast(
                "admission",
                new AdmissionHandler(
                        p.limiter(), p.wal()::pendingSamples, p.limits().maxPendingSamples()));
        pl.addLast("sizeLimit", new SizeLimitHandler(p.limits().maxRequestBytes()));
        pl.addLast("aggregator", new HttpObjectAggregator(p.limits().maxRequestBytes()));
        pl.addLast(
                "decode",
                new WriteDecodeHandler(
                        decompressor,
                        p.wal()::shardCount,
                        p.wal()::lanes,
                        p.clockMs(),
                        p.limits().sampleClock()));
        pl.addLast(
                "ingest",
                new IngestHandler(
                        p.wal(), p.limiter(), p.metrics(), p.fleet(), p.clockMs(), decompressor.acceptedEncodings()));
        pl.addLast("status", new StatusHandler(p.metrics()::render));
        pl.addLast("fleetView", new FleetHandler(p.fleet(), p.clockMs(), fleetStreams));
        pl.addLast("queryProxy", new QueryProxyHandler(p.query(), p.reader().vmalert(), upstream));
        pl.addLast("unhandled", new UnhandledRequestHandler());
    }
}
