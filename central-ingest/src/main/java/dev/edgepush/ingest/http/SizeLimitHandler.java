package dev.edgepush.ingest.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Pipeline position: last of the head checks, just before the {@code HttpObjectAggregator}.
 * Answers 413 and closes the connection when {@code Content-Length} is over {@code
 * -maxRequestBytes}, so such a body is never buffered. A chunked body without a length is cut off
 * by the aggregator (same limit), which answers 413 itself.
 */
final class SizeLimitHandler extends HeadFilter {
    private final long maxRequestBytes;

    SizeLimitHandler(long maxRequestBytes) {
        this.maxRequestBytes = maxRequestBytes;
    }

    @Override
    protected FullHttpResponse check(ChannelHandlerContext ctx, HttpRequest req) {
        String length = req.headers().get(HttpHeaderNames.CONTENT_LENGTH);
        if (length == null) {
            return null;
        }
        long n;
        try {
            n = Long.parseLong(length.strip());
        } catch (NumberFormatException e) {
            return HttpResponses.closing(
                    HttpResponses.text(HttpResponseStatus.BAD_REQUEST, "bad Content-Length '" + length + "'"));
        }
        if (n > maxRequestBytes) {
            return HttpResponses.closing(HttpResponses.text(
                    HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    "request body of " + n + " bytes is over -maxRequestBytes=" + maxRequestBytes
                            + "; send smaller batches (edge-agent: -remoteWrite.maxBlockSize)"));
        }
        return null;
    }
}
