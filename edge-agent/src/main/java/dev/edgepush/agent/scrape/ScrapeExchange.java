package dev.edgepush.agent.scrape;

import dev.edgepush.net.http.client.ClientConnection;
import dev.edgepush.net.http.client.ClientExchange;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.SocketAddress;

/**
 * One fetch of a {@link TargetConnection}: passes the response on to its consumer as it arrives
 * (status and headers, each decompressed piece, the end), the body capped at the scraper's {@code
 * maxBodyBytes} (-promscrape.maxScrapeSize) as it is counted, not once it is whole.
 */
final class ScrapeExchange extends ClientExchange {
    private final TargetConnection owner;
    final HttpScraper.BodyConsumer callback;
    private final String authorization;
    private final long maxBodyBytes;
    ScheduledFuture<?> timeout;
    /** Decompressed body bytes so far, against the cap. */
    private long bodyBytes;
    /** The response allows the connection to be kept. */
    private boolean keepAliveResponse;

    ScrapeExchange(
            ClientConnection connection,
            TargetConnection owner,
            HttpScraper.BodyConsumer callback,
            long deadlineNanos,
            SslContext ssl,
            SocketAddress address,
            String authorization,
            long maxBodyBytes) {
        super(connection, deadlineNanos, ssl, address);
        this.owner = owner;
        this.callback = callback;
        this.authorization = authorization;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    protected void write(Channel ch) {
        ch.writeAndFlush(owner.request(authorization)).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                writeFailed(ch, f.cause());
            }
        });
    }

    /** A retry is bounded by the fetch's timer, which ends the exchange at the target's timeout. */
    @Override
    protected boolean retryAllowed() {
        return true;
    }

    @Override
    protected void read(HttpObject msg) {
        if (msg instanceof HttpResponse res) {
            long declared = HttpUtil.getContentLength(res, -1L);
            if (declared > maxBodyBytes && !res.headers().contains(HttpHeaderNames.CONTENT_ENCODING)) {
                fail(tooLarge());
                return;
            }
            keepAliveResponse = HttpUtil.isKeepAlive(res);
            callback.head(res.status().code(), res.headers().get(HttpHeaderNames.CONTENT_TYPE));
        }
        if (msg instanceof HttpContent content) {
            ByteBuf buf = content.content();
            int n = buf.readableBytes();
            bodyBytes += n;
            if (bodyBytes > maxBodyBytes) {
                fail(tooLarge());
                return;
            }
            if (n > 0) {
                owner.pass(buf, n, callback);
            }
            if (isDone()) {
                return; // the consumer's work outlasted the timeout
            }
            if (msg instanceof LastHttpContent) {
                succeed(keepAliveResponse);
            }
        }
    }

    @Override
    protected String fatal(Throwable cause) {
        return cause instanceof TooLongFrameException || cause.getCause() instanceof TooLongFrameException
                ? tooLarge()
                : null;
    }

    @Override
    protected void completed(String error) {
        timeout.cancel(false);
        callback.done(error);
    }

    private String tooLarge() {
        return "body larger than " + maxBodyBytes + " bytes (-promscrape.maxScrapeSize)";
    }
}
