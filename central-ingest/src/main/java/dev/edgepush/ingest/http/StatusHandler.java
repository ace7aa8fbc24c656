package dev.edgepush.ingest.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.function.Supplier;

/**
 * Pipeline position: an endpoint handler after the aggregator. Serves {@code GET /metrics} (the
 * ingest's own metrics) and {@code GET /health} ("ok"); releases what it answers; anything else
 * passes on.
 */
final class StatusHandler extends ChannelInboundHandlerAdapter {
    private final Supplier<String> metrics;

    StatusHandler(Supplier<String> metrics) {
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        RouteMatch match = ctx.channel().attr(RouteMatch.KEY).get();
        if (!(msg instanceof FullHttpRequest)
                || match == null
                || !(match.is(Route.METRICS) || match.is(Route.HEALTH))) {
            ctx.fireChannelRead(msg);
            return;
        }
        ((FullHttpRequest) msg).release();
        if (match.is(Route.METRICS)) {
            ctx.writeAndFlush(HttpResponses.body(
                    HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=utf-8", metrics.get()));
        } else {
            ctx.writeAndFlush(HttpResponses.text(HttpResponseStatus.OK, "ok"));
        }
    }
}
