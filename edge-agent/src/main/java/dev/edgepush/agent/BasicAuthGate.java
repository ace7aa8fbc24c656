package dev.edgepush.agent;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * {@code -httpAuth.username}/{@code -httpAuth.password}: every request but {@code /health} needs
 * these credentials as HTTP basic auth, as vmagent asks for them on every path but {@code /health}
 * and {@code /ping} (and {@code /metrics}, which recent vmagent protects too unless {@code
 * -metricsAuthKey} is set). Before the aggregator, so a request without them is answered 401 from
 * its head alone: its body is never buffered, and the connection is closed after the answer.
 */
final class BasicAuthGate extends ChannelInboundHandlerAdapter {
    private final byte[] expected;
    private boolean discarding;

    BasicAuthGate(String username, String password) {
        this.expected = (username + ":" + (password == null ? "" : password)).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest req) {
            String path = new QueryStringDecoder(req.uri()).path();
            if (path.equals("/health") || allowed(req.headers().get(HttpHeaderNames.AUTHORIZATION))) {
                discarding = false;
                ctx.fireChannelRead(msg);
                return;
            }
            discarding = true;
            ReferenceCountUtil.release(msg);
            byte[] body = "401 Unauthorized: this agent's listener needs the -httpAuth.username and -httpAuth.password"
                    .concat(" credentials (HTTP basic auth)\n")
                    .getBytes(StandardCharsets.UTF_8);
            FullHttpResponse res = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1, HttpResponseStatus.UNAUTHORIZED, Unpooled.wrappedBuffer(body));
            res.headers()
                    .set(HttpHeaderNames.WWW_AUTHENTICATE, "Basic realm=\"edge-agent\"")
                    .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (discarding && msg instanceof HttpContent) {
            ReferenceCountUtil.release(msg); // the body of a refused request
            return;
        }
        ctx.fireChannelRead(msg);
    }

    /** Compares in constant time, so the time of a 401 does not tell how much of a guess was right. */
    private boolean allowed(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        byte[] given;
        try {
            given = Base64.getDecoder().decode(header.substring(6).strip());
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(given, expected);
    }
}
