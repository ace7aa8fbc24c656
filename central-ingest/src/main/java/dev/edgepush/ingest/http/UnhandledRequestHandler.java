package dev.edgepush.ingest.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pipeline position: last. A request that reached it matched a route no endpoint handler serves
 * (a wiring bug): release it and answer 501. Also closes the channel on unexpected exceptions.
 */
final class UnhandledRequestHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(UnhandledRequestHandler.class);

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
        RouteMatch match = ctx.channel().attr(RouteMatch.KEY).get();
        ctx.writeAndFlush(HttpResponses.text(
                HttpResponseStatus.NOT_IMPLEMENTED,
                "no handler serves route "
                        + (match == null ? "?" : match.route().name())));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.warn("closing connection from {}: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
