package dev.edgepush.ingest.http;

import dev.edgepush.forward.send.RemoteWriteClient;
import dev.edgepush.ingest.decode.BodyDecompressor;
import dev.edgepush.ingest.decode.StampedBatch;
import dev.edgepush.ingest.fleet.FleetRegistry;
import dev.edgepush.ingest.limit.RobotRateLimiter;
import dev.edgepush.ingest.metrics.IngestMetrics;
import dev.edgepush.ingest.wal.ForwardingWal;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pipeline position: right after {@link WriteDecodeHandler}, on the channel's event loop. Writes an
 * {@link IngestRequest} to the WAL and answers 204 only once {@link ForwardingWal#append} has
 * returned (for 2.0 with the {@code X-Prometheus-Remote-Write-*-Written} headers; always with
 * {@code X-Edgepush-Accept-Encoding}, the request encodings it takes); 500 when the
 * WAL write failed, so the agent keeps the data and retries. Takes the samples from the robot's
 * rate bucket and counts them in its fleet entry (samples per second), with those the storage
 * would refuse ({@link dev.edgepush.ingest.decode.SampleClock}) and those shifted for its clock.
 */
final class IngestHandler extends SimpleChannelInboundHandler<IngestRequest> {
    private static final Logger log = LoggerFactory.getLogger(IngestHandler.class);
    private final ForwardingWal wal;
    private final RobotRateLimiter limiter;
    private final IngestMetrics metrics;
    private final FleetRegistry fleet;
    private final LongSupplier clockMs;
    private final String acceptedEncodings;

    IngestHandler(
            ForwardingWal wal,
            RobotRateLimiter limiter,
            IngestMetrics metrics,
            FleetRegistry fleet,
            LongSupplier clockMs) {
        this(wal, limiter, metrics, fleet, clockMs, BodyDecompressor.ACCEPTED_WITHOUT_ZSTD);
    }

    /**
     * @param acceptedEncodings the request encodings every 204 lists in {@link
     *     RemoteWriteClient#ACCEPT_ENCODING_HEADER} ({@link BodyDecompressor#acceptedEncodings}): what
     *     makes edge-agent's {@code -remoteWrite.compression=auto} send zstd
     */
    IngestHandler(
            ForwardingWal wal,
            RobotRateLimiter limiter,
            IngestMetrics metrics,
            FleetRegistry fleet,
            LongSupplier clockMs,
            String acceptedEncodings) {
        this.acceptedEncodings = acceptedEncodings;
        this.wal = wal;
        this.limiter = limiter;
        this.metrics = metrics;
        this.fleet = fleet;
        this.clockMs = clockMs;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, IngestRequest req) {
        StampedBatch batch = req.batch();
        limiter.take(req.identity().name(), batch.points());
        try {
            wal.append(req.identity().tenant(), batch, clockMs.getAsLong());
        } catch (IOException | RuntimeException e) {
            log.error(
                    "WAL write failed for robot {}; answering 500 so it retries",
                    req.identity().name(),
                    e);
            ctx.writeAndFlush(HttpResponses.text(
                    HttpResponseStatus.INTERNAL_SERVER_ERROR,
                    "the ingest could not write its WAL; keep the data and retry"));
            return;
        }
        metrics.samplesReceived.add(batch.points());
        fleet.recordSamples(req.identity().name(), req.identity().tenant(), batch.points(), clockMs.getAsLong());
        if (batch.tooOld() + batch.tooNew() > 0) {
            metrics.samplesOutOfRange(batch.tooOld(), batch.tooNew());
            fleet.recordOutOfRange(req.identity().name(), req.identity().tenant(), batch.tooOld(), batch.tooNew());
        }
        if (req.clockShiftMs() != 0) {
            metrics.samplesClockCorrected.add(batch.samples());
        }
        FullHttpResponse res = HttpResponses.empty(HttpResponseStatus.NO_CONTENT);
        res.headers().set(RemoteWriteClient.ACCEPT_ENCODING_HEADER, acceptedEncodings);
        if (req.remoteWriteV2()) {
            res.headers()
                    .set("X-Prometheus-Remote-Write-Samples-Written", batch.samples())
                    .set("X-Prometheus-Remote-Write-Histograms-Written", batch.histograms())
                    .set("X-Prometheus-Remote-Write-Exemplars-Written", batch.exemplars());
        }
        ctx.writeAndFlush(res);
    }
}
