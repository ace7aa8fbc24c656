package dev.edgepush.agent.scrape;

import dev.edgepush.net.tls.ClientTls;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpContentDecompressor;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.URI;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * The connection of one target, made by {@link HttpScraper#connection}: at most one fetch at a time (a scrape loop never overlaps its
 * scrapes) and at most one open channel, kept between fetches when keep-alive allows. The
 * pipeline's handlers are built once per channel and find the fetch in progress in {@link
 * #current}. All state is touched on {@link #loop} only; {@link #fetch} and {@link #close} hop
 * onto it when called from elsewhere.
 */
public final class TargetConnection implements ScrapeSource {
    private final HttpScraper scraper;
    private final ScrapeTarget target;
    private final EventLoop loop;
    private final boolean https;
    private final int port;
    /** tls_config: the name sent in SNI and checked against the certificate, the CAs, the client certificate. */
    private final ClientTls tls;

    private final String hostHeader;
    private final String pathAndQuery;
    /** The open (or opening) channel, or null. */
    private Channel channel;
    /** The fetch in progress, or null when idle. */
    private ScrapeExchange current;

    private boolean closed;
    /** A heap copy of a direct buffer's bytes for {@link HttpScraper.BodyConsumer#content}. */
    private byte[] piece = new byte[0];

    TargetConnection(HttpScraper scraper, ScrapeTarget target, EventLoop loop) {
        this.scraper = scraper;
        this.target = target;
        this.loop = loop;
        URI url = target.url();
        this.https = "https".equalsIgnoreCase(url.getScheme());
        this.port = url.getPort() > 0 ? url.getPort() : (https ? 443 : 80);
        this.tls = scraper.tls(target.tls());
        this.hostHeader = url.getHost() + (url.getPort() > 0 ? ":" + url.getPort() : "");
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        this.pathAndQuery = url.getRawQuery() == null ? path : path + "?" + url.getRawQuery();
    }

    /** Fetches the target once, the body gathered whole; {@code callback} runs on the connection's event loop. */
    public void fetch(HttpScraper.Callback callback) {
        fetch(new HttpScraper.Gathering(callback));
    }

    /** Fetches the target once, the body streamed to {@code consumer} on the connection's event loop. */
    @Override
    public void fetch(HttpScraper.BodyConsumer consumer) {
        if (!loop.inEventLoop()) {
            loop.execute(() -> fetch(consumer));
            return;
        }
        long timeoutMs = target.timeout().toMillis();
        ScrapeExchange ex = new ScrapeExchange(consumer, timeoutMs);
        if (closed) {
            ex.callback.done("the scrape connection of " + target.url() + " is closed");
            return;
        }
        if (current != null) {
            ex.callback.done("a scrape of " + target.url() + " is already in flight");
            return;
        }
        try {
            ex.sslContext = https ? scraper.ssl(target.tls()) : null;
            ex.authorization = ScrapeAuthHeader.of(target.auth());
        } catch (SSLException e) {
            ex.callback.done("TLS setup failed: " + e.getMessage());
            return;
        } catch (IOException e) {
            ex.callback.done(e.getMessage());
            return;
        }
        current = ex;
        ex.timeout = loop.schedule(
                () -> {
                    if (!ex.done) {
                        if (ex.channel != null) {
                            drop(ex.channel); // the response may be half read: never reuse it
                        }
                        fail(ex, "scrape timed out after " + timeoutMs + " ms (scrape_timeout)");
                    }
                },
                timeoutMs,
                TimeUnit.MILLISECONDS);
        Channel ch = channel;
        if (scraper.keepAlive && ch != null && ch.isActive()) {
            ex.reused = true;
            send(ch, ex);
        } else {
            if (ch != null) {
                drop(ch);
            }
            connect(ex);
        }
    }

    /**
     * Closes the idle connection now, or the busy one once its fetch has finished (the fetch
     * still completes); later fetches fail. Safe from any thread and after the event loop has
     * shut down (which closes the channel anyway).
     */
    @Override
    public void close() {
        if (!loop.inEventLoop()) {
            try {
                loop.execute(this::close);
            } catch (RejectedExecutionException e) {
                // the event loop has shut down and closed its channels
            }
            return;
        }
        closed = true;
        if (channel != null && current == null) {
            drop(channel);
        }
    }

    private void connect(ScrapeExchange ex) {
        long remainingMs = TimeUnit.NANOSECONDS.toMillis(ex.deadlineNanos - System.nanoTime());
        SslContext sslContext = ex.sslContext;
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, remainingMs))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ChannelPipeline p = ch.pipeline();
                        if (sslContext != null) {
                            p.addLast(tls.newHandler(
                                    sslContext, ch.alloc(), target.url().getHost(), port));
                        }
                        p.addLast(new ResponseStart());
                        p.addLast(new HttpClientCodec());
                        p.addLast(new HttpContentDecompressor(0));
                        p.addLast(new ResponseHandler()); // streams the body: no aggregator
                    }
                });
        ChannelFuture connect = b.connect(target.url().getHost(), port);
        Channel ch = connect.channel();
        channel = ch;
        ex.channel = ch;
        ex.reused = false; // a fresh connection: a failure now is the scrape's failure, no retry
        ex.responseStarted = false;
        connect.addListener((ChannelFuture f) -> {
            if (ex.done || ex.channel != ch) {
                return; // timed out meanwhile: the timer closed ch
            }
            if (!f.isSuccess()) {
                drop(ch);
                fail(
                        ex,
                        "cannot connect to " + target.url().getHost() + ":" + port + ": "
                                + HttpScraper.describe(f.cause()));
                return;
            }
            scraper.connectionsOpened.increment();
            send(ch, ex);
        });
    }

    private void send(Channel ch, ScrapeExchange ex) {
        ex.channel = ch;
        ex.responseStarted = false;
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, pathAndQuery);
        req.headers()
                .set(HttpHeaderNames.HOST, hostHeader)
                .set(HttpHeaderNames.ACCEPT, HttpScraper.ACCEPT)
                .set(HttpHeaderNames.ACCEPT_ENCODING, HttpHeaderValues.GZIP)
                .set(HttpHeaderNames.USER_AGENT, scraper.userAgent)
                .set(
                        "X-Prometheus-Scrape-Timeout-Seconds",
                        Double.toString(target.timeout().toMillis() / 1000.0));
        if (!scraper.keepAlive) {
            req.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        if (ex.authorization != null) {
            req.headers().set(HttpHeaderNames.AUTHORIZATION, ex.authorization);
        }
        ch.writeAndFlush(req).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                failOrRetry(ex, ch, "cannot send the request: " + HttpScraper.describe(f.cause()));
            }
        });
    }

    /**
     * {@code ch} failed under {@code ex}: closes it, then retries on a fresh connection if the
     * request went out on a reused one and nothing of the response came back, else fails.
     */
    private void failOrRetry(ScrapeExchange ex, Channel ch, String error) {
        if (ex.done || ex.channel != ch) {
            return;
        }
        drop(ch);
        if (ex.reused && !ex.responseStarted) {
            connect(ex);
        } else {
            fail(ex, error);
        }
    }

    private void fail(ScrapeExchange ex, String error) {
        finish(ex, error);
    }

    private void finish(ScrapeExchange ex, String error) {
        if (ex.done) {
            return;
        }
        ex.done = true;
        ex.timeout.cancel(false);
        if (current == ex) {
            current = null;
        }
        ex.callback.done(error);
    }

    /** Closes {@code ch}; it is no longer the connection's channel. */
    private void drop(Channel ch) {
        if (channel == ch) {
            channel = null;
        }
        ch.close();
    }

    /** The fetch {@code ch} is serving, or null if it serves none (idle, or left over). */
    private ScrapeExchange exchangeOf(Channel ch) {
        ScrapeExchange ex = current;
        return ex != null && ex.channel == ch ? ex : null;
    }

    /**
     * First after TLS: notes that a response byte arrived (a close after that is not retried)
     * and closes a connection that receives bytes while no request is out on it.
     */
    private final class ResponseStart extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ScrapeExchange ex = exchangeOf(ctx.channel());
            if (ex == null) {
                ReferenceCountUtil.release(msg);
                drop(ctx.channel()); // out of step with the server: never reuse it
                return;
            }
            if (msg instanceof ByteBuf && ((ByteBuf) msg).isReadable()) {
                ex.responseStarted = true;
            }
            ctx.fireChannelRead(msg);
        }
    }

    /**
     * Last in the pipeline: passes the response of the fetch in progress on this channel on as it
     * arrives (status and headers, each decompressed piece, the end), the body capped at
     * the scraper's {@code maxBodyBytes} (-promscrape.maxScrapeSize) as it is counted, not once it is whole.
     */
    private final class ResponseHandler extends SimpleChannelInboundHandler<HttpObject> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            Channel ch = ctx.channel();
            ScrapeExchange ex = exchangeOf(ch);
            if (ex == null) {
                drop(ch);
                return;
            }
            if (msg.decoderResult().isFailure()) {
                drop(ch);
                fail(
                        ex,
                        "bad HTTP response: "
                                + HttpScraper.describe(msg.decoderResult().cause()));
                return;
            }
            if (msg instanceof HttpResponse res) {
                long declared = HttpUtil.getContentLength(res, -1L);
                if (declared > scraper.maxBodyBytes && !res.headers().contains(HttpHeaderNames.CONTENT_ENCODING)) {
                    drop(ch);
                    fail(ex, tooLarge());
                    return;
                }
                ex.keepAliveResponse = HttpUtil.isKeepAlive(res);
                ex.callback.head(res.status().code(), res.headers().get(HttpHeaderNames.CONTENT_TYPE));
            }
            if (msg instanceof HttpContent content) {
                ByteBuf buf = content.content();
                int n = buf.readableBytes();
                ex.bodyBytes += n;
                if (ex.bodyBytes > scraper.maxBodyBytes) {
                    drop(ch);
                    fail(ex, tooLarge());
                    return;
                }
                if (n > 0) {
                    if (buf.hasArray()) {
                        ex.callback.content(buf.array(), buf.arrayOffset() + buf.readerIndex(), n);
                    } else {
                        if (piece.length < n) {
                            piece = new byte[Math.max(n, 64 * 1024)];
                        }
                        buf.getBytes(buf.readerIndex(), piece, 0, n);
                        ex.callback.content(piece, 0, n);
                    }
                }
                if (ex.done) {
                    return; // the consumer's work outlasted the timeout
                }
                if (msg instanceof LastHttpContent) {
                    if (!scraper.keepAlive || closed || !ex.keepAliveResponse) {
                        drop(ch);
                    }
                    finish(ex, null);
                }
            }
        }

        private String tooLarge() {
            return "body larger than " + scraper.maxBodyBytes + " bytes (-promscrape.maxScrapeSize)";
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Channel ch = ctx.channel();
            ScrapeExchange ex = exchangeOf(ch);
            if (ex == null) {
                drop(ch);
            } else if (cause instanceof TooLongFrameException || cause.getCause() instanceof TooLongFrameException) {
                drop(ch);
                fail(ex, "body larger than " + scraper.maxBodyBytes + " bytes (-promscrape.maxScrapeSize)");
            } else {
                failOrRetry(ex, ch, HttpScraper.describe(cause));
            }
        }

        /**
         * After the decoders have passed on what the close completed (a body delimited by the
         * close) and after any error a handler raised while closing (the aggregator closes, then
         * throws, for an oversized body).
         */
        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            Channel ch = ctx.channel();
            if (channel == ch) {
                channel = null;
            }
            ScrapeExchange ex = exchangeOf(ch);
            if (ex != null) {
                failOrRetry(ex, ch, "connection closed before a full response");
            }
            ctx.fireChannelInactive();
        }
    }
}
