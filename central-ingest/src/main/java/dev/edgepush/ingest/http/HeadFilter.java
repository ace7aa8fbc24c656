package dev.edgepush.ingest.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * Base of the handlers that decide from a request's head alone, before its body is aggregated
 * (route, auth, admission, size): {@link #check} returns a response to reject the request, or
 * null to pass it on. A rejected request's head and every body chunk that follows, up to its
 * last, are released here and never reach later handlers; the connection stays usable (unless
 * the response says {@code Connection: close}). Not sharable: one instance per channel.
 */
abstract class HeadFilter extends ChannelInboundHandlerAdapter {
    private boolean discarding;

    /** A response that rejects {@code req}, or null to let it through. */
    protected abstract FullHttpResponse check(ChannelHandlerContext ctx, HttpRequest req);

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
            discarding = false;
            FullHttpResponse rejection;
            try {
                rejection = check(ctx, (HttpRequest) msg);
            } catch (RuntimeException e) {
                ReferenceCountUtil.release(msg);
                throw e;
            }
            if (rejection == null) {
                ctx.fireChannelRead(msg);
                return;
            }
            discarding = !(msg instanceof LastHttpContent);
            ReferenceCountUtil.release(msg);
            ctx.writeAndFlush(rejection);
            return;
        }
        if (discarding && msg instanceof HttpContent) {
            discarding = !(msg instanceof LastHttpContent);
            ReferenceCountUtil.release(msg);
            return;
        }
        ctx.fireChannelRead(msg);
    }
}
