package dev.edgepush.net.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * Pipeline position: the first of the HTTP guards (after TLS, if any), so it sees every byte
 * before the codec and every close after the other handlers. Closes a connection the way nginx
 * does ("lingering close"): when the server ends a connection whose client may still be sending
 * (a 413 for a body announced too large, a 400 for broken framing, a timeout), it first sends
 * its answer and a FIN, then reads and throws away what the client still sends, for at most
 * {@link #LINGER_MILLIS} or until the client closes. A connection that was never answered (over
 * the per-address cap, a silent client timed out) closes at once: there is nothing to protect. Closing at once would leave unread bytes in
 * the socket, and the kernel answers those with a reset that destroys the response the client
 * has not read yet: the client sees "connection reset" instead of "413, send smaller batches".
 * A connection whose client asked for the close ({@code Connection: close}, or HTTP/1.0 without
 * keep-alive) and whose request was read to its end closes at once, as nginx does: that client
 * sends nothing more, and lingering would cost a shutdown, a timer and a wait for its FIN on
 * every request of a client that does not keep connections alive. {@link #requestEnds()} tells
 * this handler, from after the codec, where requests begin and end. One instance per channel.
 */
public final class LingeringCloseHandler extends ChannelDuplexHandler {
    /** How long a closing connection's input is still read and discarded. */
    public static final long LINGER_MILLIS = 2_000;

    private boolean answered;
    private boolean lingering;
    /** The last request asked for the connection's close and was read to its end. */
    private boolean clientDone;

    /**
     * The handler to add right after the HTTP codec: it marks each decoded request's start and
     * end for this instance, and passes everything on.
     */
    public ChannelInboundHandlerAdapter requestEnds() {
        return new ChannelInboundHandlerAdapter() {
            private boolean clientCloses;

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof HttpRequest req) {
                    clientCloses =
                            !HttpUtil.isKeepAlive(req) && req.decoderResult().isSuccess();
                    clientDone = false;
                }
                if (msg instanceof LastHttpContent last) {
                    clientDone = clientCloses && last.decoderResult().isSuccess();
                }
                ctx.fireChannelRead(msg);
            }
        };
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        answered = true;
        ctx.write(msg, promise);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (lingering) {
            ReferenceCountUtil.release(msg);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        Channel ch = ctx.channel();
        if (lingering) {
            // A second close (two handlers each asked for it) joins the first.
            ch.closeFuture().addListener(f -> promise.trySuccess());
            return;
        }
        if (!answered
                || clientDone
                || !(ch instanceof DuplexChannel)
                || !ch.isActive()
                || ((DuplexChannel) ch).isInputShutdown()
                || ((DuplexChannel) ch).isOutputShutdown()) {
            ctx.close(promise);
            return;
        }
        lingering = true;
        ch.config().setAutoRead(true);
        var timer = ctx.executor()
                .schedule(
                        () -> {
                            ctx.close(promise);
                        },
                        LINGER_MILLIS,
                        TimeUnit.MILLISECONDS);
        ch.closeFuture().addListener(f -> {
            timer.cancel(false);
            promise.trySuccess();
        });
        ((DuplexChannel) ch).shutdownOutput().addListener(f -> {
            if (!f.isSuccess()) {
                ctx.close(promise);
            }
        });
    }
}
