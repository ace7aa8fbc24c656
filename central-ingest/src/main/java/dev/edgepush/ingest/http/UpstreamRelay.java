package dev.edgepush.ingest.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pipeline position: last on the upstream (VictoriaMetrics) connection of one proxied request,
 * after its {@code HttpClientCodec}. Relays the response head and each body chunk, as decoded,
 * to the person's connection ({@code client}) without aggregating it: at most what the socket
 * buffers hold is in memory, because reading from VictoriaMetrics stops ({@code autoRead} off)
 * while {@code client} is not writable and resumes from {@link QueryProxyHandler} when it is.
 *
 * <p>Ends the exchange exactly once ({@code onDone}): after the last chunk, or when the upstream
 * connection fails; before the head was relayed that is a 502, after it the client connection is
 * closed (a truncated body must not look complete). Closes the upstream connection at the end.
 * VictoriaMetrics' {@code Access-Control-*} headers are dropped: CORS is {@link CorsHandler}'s.
 */
final class UpstreamRelay extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(UpstreamRelay.class);
    private final Channel client;
    private final String upstreamName;
    private final Runnable onDone;
    private boolean headRelayed;
    private boolean done;

    UpstreamRelay(Channel client, String upstreamName, Runnable onDone) {
        this.client = client;
        this.upstreamName = upstreamName;
        this.onDone = onDone;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (done || !(msg instanceof HttpObject)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (((HttpObject) msg).decoderResult().isFailure()) {
            Throwable cause = ((HttpObject) msg).decoderResult().cause();
            ReferenceCountUtil.release(msg);
            fail(ctx, "an unreadable response: " + cause);
            return;
        }
        if (msg instanceof HttpResponse) {
            HttpResponse res = (HttpResponse) msg;
            if (res.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                ReferenceCountUtil.release(msg); // a 100 Continue: the real head follows
                return;
            }
            prepareHead(res);
            headRelayed = true;
        }
        if (msg instanceof LastHttpContent) {
            done = true;
            client.writeAndFlush(msg);
            ctx.close();
            onDone.run();
            return;
        }
        client.write(msg);
        if (!client.isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        client.flush();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        fail(ctx, "the connection closed before the response was complete");
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ctx, cause.toString());
    }

    /** Reading may go on: the client connection drained below its high-water mark. */
    static void resume(Channel upstream) {
        upstream.config().setAutoRead(true);
    }

    private void fail(ChannelHandlerContext ctx, String why) {
        if (done) {
            return;
        }
        done = true;
        ctx.close();
        if (headRelayed) {
            log.warn("query proxy: {} broke off mid-response ({}); closing the client connection", upstreamName, why);
            client.close();
        } else {
            log.warn("query proxy: {}: {}", upstreamName, why);
            client.writeAndFlush(HttpResponses.json(
                    HttpResponseStatus.BAD_GATEWAY,
                    "VictoriaMetrics at -query.url (" + upstreamName + ") did not answer: " + why));
        }
        onDone.run();
    }

    /** Hop-by-hop headers belong to the upstream connection, not to the client's. */
    private static void prepareHead(HttpResponse res) {
        HttpHeaders h = res.headers();
        h.remove(HttpHeaderNames.CONNECTION)
                .remove("Keep-Alive")
                .remove(HttpHeaderNames.PROXY_AUTHENTICATE)
                .remove("Proxy-Connection")
                .remove(HttpHeaderNames.TRAILER)
                .remove(HttpHeaderNames.UPGRADE)
                .remove(HttpHeaderNames.TE);
        // CORS is central-ingest's to grant (CorsHandler, -http.corsAllowedOrigins), not VictoriaMetrics' "*".
        h.remove(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)
                .remove(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS)
                .remove(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS)
                .remove(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS)
                .remove(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS)
                .remove(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE);
        int code = res.status().code();
        boolean hasBody = code != 204 && code != 304;
        if (hasBody && !HttpUtil.isContentLengthSet(res) && !HttpUtil.isTransferEncodingChunked(res)) {
            // A body delimited by the upstream closing: re-frame it so the client connection can stay open.
            HttpUtil.setTransferEncodingChunked(res, true);
        }
    }

    /** For tests: whether the exchange has ended. */
    boolean isDone() {
        return done;
    }
}
