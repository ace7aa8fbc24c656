package dev.edgepush.net.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayDeque;

/**
 * Pipeline position: right after Netty's {@code HttpServerKeepAliveHandler} (so on the way out it
 * runs before it, and that handler sees a response whose end the client can tell). Makes every
 * response say where it ends, whichever handler wrote it:
 *
 * <ul>
 *   <li>a whole response without a length gets {@code Content-Length}; a 204 gets {@code
 *       Content-Length: 0} when the request was HTTP/1.0: such clients (ApacheBench {@code ab
 *       -k}) otherwise wait for a close that a keep-alive connection never sends. An HTTP/1.1
 *       204 ends at its head and must not carry one (RFC 9110 8.6), so it gets none;
 *   <li>a streamed response without a length is sent chunked to an HTTP/1.1 client, and ends
 *       with the connection for an HTTP/1.0 one;
 *   <li>an HTTP/1.0 request that asked for keep-alive gets {@code Connection: keep-alive} (only
 *       then: HTTP/1.1 keeps alive by default and is not told).
 * </ul>
 * One instance per channel (it remembers the requests being answered, in order).
 */
public final class ResponseFramingHandler extends ChannelDuplexHandler {
    private record Asked(boolean http10, boolean keepAlive) {}

    private final ArrayDeque<Asked> requests = new ArrayDeque<>(2);

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
            HttpRequest req = (HttpRequest) msg;
            requests.add(new Asked(req.protocolVersion().equals(HttpVersion.HTTP_1_0), HttpUtil.isKeepAlive(req)));
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse && ((HttpResponse) msg).status().codeClass() != HttpStatusClass.INFORMATIONAL) {
            frame((HttpResponse) msg, requests.poll());
        }
        ctx.write(msg, promise);
    }

    private static void frame(HttpResponse res, Asked asked) {
        HttpHeaders h = res.headers();
        boolean http10 = asked != null && asked.http10();
        if (res.status().code() == 204) {
            if (http10) {
                h.set(HttpHeaderNames.CONTENT_LENGTH, "0"); // see ServerCodec: HTTP/1.1 forbids it, 1.0 needs it
            }
        } else if (!h.contains(HttpHeaderNames.CONTENT_LENGTH) && !HttpUtil.isTransferEncodingChunked(res)) {
            if (res instanceof FullHttpResponse) {
                h.setInt(
                        HttpHeaderNames.CONTENT_LENGTH,
                        ((FullHttpResponse) res).content().readableBytes());
            } else if (http10) {
                h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            } else {
                HttpUtil.setTransferEncodingChunked(res, true);
            }
        }
        if (http10 && asked.keepAlive() && !h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, true)) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
    }
}
