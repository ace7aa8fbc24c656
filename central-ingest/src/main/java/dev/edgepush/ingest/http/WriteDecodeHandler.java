package dev.edgepush.ingest.http;

import dev.edgepush.ingest.auth.Identity;
import dev.edgepush.ingest.decode.BatchBuilder;
import dev.edgepush.ingest.decode.BodyDecompressor;
import dev.edgepush.ingest.decode.PayloadException;
import dev.edgepush.ingest.decode.PrometheusTextDecoder;
import dev.edgepush.ingest.decode.RemoteWriteV1Decoder;
import dev.edgepush.ingest.decode.RemoteWriteV2Decoder;
import dev.edgepush.ingest.decode.SampleClock;
import dev.edgepush.ingest.decode.SampleTimes;
import dev.edgepush.ingest.decode.SeriesCache;
import dev.edgepush.ingest.decode.WriteFormat;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * Pipeline position: after the aggregator, on the channel's event loop. For the write routes, turns
 * the whole request into an {@link IngestRequest}: picks the format ({@link WriteFormat}),
 * decompresses within {@code -maxDecompressedBytes} ({@link BodyDecompressor}), decodes and
 * validates, and stamps the robot's label ({@link BatchBuilder}; remote write 1.0 with the
 * robot's {@link SeriesCache} on this event loop, so a series sent again costs little). Answers 400, 413 or 415 itself
 * with a message naming what is wrong. Always releases the request; other routes pass through.
 */
final class WriteDecodeHandler extends ChannelInboundHandlerAdapter {
    private final BodyDecompressor decompressor;
    private final IntSupplier shardCount;
    private final IntSupplier lanes;
    private final LongSupplier clockMs;
    private final SampleClock sampleClock;

    WriteDecodeHandler(BodyDecompressor decompressor, IntSupplier shardCount, LongSupplier clockMs) {
        this(decompressor, shardCount, () -> 1, clockMs);
    }

    WriteDecodeHandler(BodyDecompressor decompressor, IntSupplier shardCount, IntSupplier lanes, LongSupplier clockMs) {
        this(decompressor, shardCount, lanes, clockMs, SampleClock.DEFAULT);
    }

    WriteDecodeHandler(
            BodyDecompressor decompressor,
            IntSupplier shardCount,
            IntSupplier lanes,
            LongSupplier clockMs,
            SampleClock sampleClock) {
        this.decompressor = decompressor;
        this.shardCount = shardCount;
        this.lanes = lanes;
        this.clockMs = clockMs;
        this.sampleClock = sampleClock;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        RouteMatch match = ctx.channel().attr(RouteMatch.KEY).get();
        if (!(msg instanceof FullHttpRequest)
                || match == null
                || !(match.is(Route.WRITE) || match.is(Route.IMPORT_PROMETHEUS))) {
            ctx.fireChannelRead(msg);
            return;
        }
        FullHttpRequest req = (FullHttpRequest) msg;
        IngestRequest out;
        try {
            out = decode(ctx.channel().attr(AuthHandler.IDENTITY).get(), match, req);
        } catch (PayloadException e) {
            ctx.writeAndFlush(HttpResponses.text(HttpResponseStatus.valueOf(e.status()), e.getMessage()));
            return;
        } finally {
            req.release();
        }
        ctx.fireChannelRead(out);
    }

    private IngestRequest decode(Identity id, RouteMatch match, FullHttpRequest req) throws PayloadException {
        if (id == null) {
            throw new IllegalStateException("write route without identity: AuthHandler is missing from the pipeline");
        }
        String contentType = req.headers().get(HttpHeaderNames.CONTENT_TYPE);
        String encoding = req.headers().get(HttpHeaderNames.CONTENT_ENCODING);
        WriteFormat format = match.is(Route.WRITE)
                ? WriteFormat.forRemoteWrite(contentType)
                : WriteFormat.forTextImport(contentType);
        byte[] compressed = ByteBufUtil.getBytes(req.content());
        byte[] body = decompressor.decompress(
                compressed,
                encoding,
                format == WriteFormat.PROMETHEUS_TEXT
                        ? BodyDecompressor.Default.IDENTITY
                        : BodyDecompressor.Default.SNAPPY);
        // Text is about twice as large as the remote write it becomes.
        int expectedBytes = format == WriteFormat.PROMETHEUS_TEXT ? body.length / 2 : body.length;
        BatchBuilder builder = new BatchBuilder(id.name(), shardCount.getAsInt(), lanes.getAsInt(), expectedBytes);
        long nowMs = clockMs.getAsLong();
        SampleTimes times = sampleClock.forPush(nowMs, agentTimeMs(req), format != WriteFormat.PROMETHEUS_TEXT);
        builder.times(times);
        switch (format) {
            case REMOTE_WRITE_V1 -> {
                builder.cache(SeriesCache.threadShelf());
                RemoteWriteV1Decoder.decode(body, builder);
            }
            case REMOTE_WRITE_V2 -> RemoteWriteV2Decoder.decode(body, builder);
            case PROMETHEUS_TEXT -> PrometheusTextDecoder.decode(body, contentType, nowMs, builder);
            default -> throw new IllegalStateException(format.name());
        }
        return new IngestRequest(id, builder.build(), format == WriteFormat.REMOTE_WRITE_V2, times.shiftMs());
    }

    /** The agent's clock as its push says ({@code X-Edgepush-Agent-Time-Ms}); 0 when absent or malformed. */
    private static long agentTimeMs(FullHttpRequest req) {
        String v = req.headers().get(FleetRecorder.AGENT_TIME_HEADER);
        if (v == null) {
            return 0;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
