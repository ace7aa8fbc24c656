package dev.edgepush.ingest.http;

import dev.edgepush.ingest.metrics.IngestMetrics;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpResponse;

/**
 * Pipeline position: outbound, right after the codec and keep-alive handler, so it sees every
 * response, including the aggregator's own 413. Counts them by status code in {@code
 * central_ingest_requests_total{code}}. Sharable.
 */
@ChannelHandler.Sharable
final class ResponseCounter extends ChannelOutboundHandlerAdapter {
    private final IngestMetrics metrics;

    ResponseCounter(IngestMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse) {
            metrics.request(((HttpResponse) msg).status().code());
        }
        ctx.write(msg, promise);
    }
}
