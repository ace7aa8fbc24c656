package dev.edgepush.net.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.DecoderResultProvider;
import io.netty.handler.codec.http.ContentLengthNotAllowedException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http.TransferEncodingNotAllowedException;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;

/**
 * Pipeline position: right after the HTTP codec, before anything that looks at requests. Netty's
 * {@code HttpObjectDecoder} does not throw on bad framing: it marks the message with a failed
 * {@link DecoderResult} (and discards the rest of the connection's bytes). Left alone, such a
 * message reaches the endpoints as if it were a request, which then answer about its "body". This
 * handler answers it 400 with the real reason ("both Content-Length and Transfer-Encoding",
 * "header larger than N bytes", "malformed chunk: ..."), then closes the connection: after a
 * framing error the next request's start cannot be known. It also refuses a {@code
 * Transfer-Encoding} other than {@code chunked}, which the decoder passes as an empty body.
 * Counted as {@code bad_framing}. One instance per channel.
 */
public final class FramingErrorHandler extends ChannelInboundHandlerAdapter {
    private final int maxHeaderBytes;
    private final ClosedConnections closed;
    private boolean failed;

    public FramingErrorHandler(int maxHeaderBytes, ClosedConnections closed) {
        this.maxHeaderBytes = maxHeaderBytes;
        this.closed = closed;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (failed) {
            ReferenceCountUtil.release(msg); // the decoder passes nothing more, but be sure
            return;
        }
        String reason = null;
        if (msg instanceof DecoderResultProvider
                && ((DecoderResultProvider) msg).decoderResult().isFailure()) {
            reason = reason(msg, ((DecoderResultProvider) msg).decoderResult().cause());
        } else if (msg instanceof HttpRequest) {
            String te = ((HttpRequest) msg).headers().get(HttpHeaderNames.TRANSFER_ENCODING);
            if (te != null && !HttpHeaderValues.CHUNKED.contentEqualsIgnoreCase(te.strip())) {
                reason = "Transfer-Encoding '" + te + "' is not supported: send chunked or a Content-Length";
            }
        }
        if (reason == null) {
            ctx.fireChannelRead(msg);
            return;
        }
        failed = true;
        ReferenceCountUtil.release(msg);
        closed.closed(ClosedConnections.Reason.BAD_FRAMING, ctx.channel().remoteAddress(), reason);
        byte[] body = ("bad request: " + reason + "; the connection is closed\n").getBytes(StandardCharsets.UTF_8);
        FullHttpResponse res = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_REQUEST, Unpooled.wrappedBuffer(body));
        res.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        // From the tail, so the server's outbound handlers (response counters) see it too.
        ctx.channel().writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
    }

    private String reason(Object msg, Throwable cause) {
        if (cause instanceof ContentLengthNotAllowedException) {
            return "both Content-Length and Transfer-Encoding (a request has one or the other)";
        }
        if (cause instanceof TransferEncodingNotAllowedException) {
            return "Transfer-Encoding in an HTTP/1.0 request";
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return "header larger than " + maxHeaderBytes + " bytes (-http.maxHeaderBytes)";
        }
        if (cause instanceof TooLongHttpLineException) {
            return "request line longer than " + HttpServerLimits.MAX_REQUEST_LINE_BYTES + " bytes";
        }
        String detail = cause == null
                ? "?"
                : cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        if (msg instanceof HttpContent && !(msg instanceof HttpRequest)) {
            return "malformed chunk: " + detail;
        }
        if (msg instanceof HttpObject) {
            return "malformed request head: " + detail;
        }
        return detail;
    }
}
