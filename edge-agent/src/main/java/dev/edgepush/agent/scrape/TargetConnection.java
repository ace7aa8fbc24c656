package dev.edgepush.agent.scrape;

import dev.edgepush.net.http.client.ClientConnection;
import dev.edgepush.net.tls.ClientTls;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * The connection of one target, made by {@link HttpScraper#connection}: at most one fetch at a
 * time (a scrape loop never overlaps its scrapes) on one {@link ClientConnection}, whose channel
 * is kept between fetches when keep-alive allows. All state is touched on the connection's event
 * loop only; {@link #fetch} and {@link #close} hop onto it when called from elsewhere.
 */
public final class TargetConnection implements ScrapeSource {
    private final HttpScraper scraper;
    private final ScrapeTarget target;
    private final EventLoop loop;
    private final ClientConnection connection;
    private final boolean https;
    private final int port;
    /** tls_config: the name sent in SNI and checked against the certificate, the CAs, the client certificate. */
    private final ClientTls tls;

    private final String hostHeader;
    private final String pathAndQuery;
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
        this.connection = new ClientConnection(
                loop,
                url.getHost(),
                port,
                url.getHost() + ":" + port,
                tls,
                scraper.keepAlive,
                true,
                HttpScraper::describe,
                scraper.connectionsOpened::increment);
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
        long deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        if (connection.closed()) {
            consumer.done("the scrape connection of " + target.url() + " is closed");
            return;
        }
        if (connection.busy()) {
            consumer.done("a scrape of " + target.url() + " is already in flight");
            return;
        }
        SslContext ssl;
        String authorization;
        try {
            ssl = https ? scraper.ssl(target.tls()) : null;
            authorization = ScrapeAuthHeader.of(target.auth());
        } catch (SSLException e) {
            consumer.done("TLS setup failed: " + e.getMessage());
            return;
        } catch (IOException e) {
            consumer.done(e.getMessage());
            return;
        }
        ScrapeExchange ex = new ScrapeExchange(
                connection,
                this,
                consumer,
                deadlineNanos,
                ssl,
                // resolved by Netty for each new connection
                InetSocketAddress.createUnresolved(target.url().getHost(), port),
                authorization,
                scraper.maxBodyBytes);
        ex.timeout = loop.schedule(
                () -> ex.fail("scrape timed out after " + timeoutMs + " ms (scrape_timeout)"),
                timeoutMs,
                TimeUnit.MILLISECONDS);
        connection.start(ex);
    }

    /**
     * Closes the idle connection now, or the busy one once its fetch has finished (the fetch
     * still completes); later fetches fail. Safe from any thread and after the event loop has
     * shut down (which closes the channel anyway).
     */
    @Override
    public void close() {
        connection.close();
    }

    /** The GET of one fetch. */
    FullHttpRequest request(String authorization) {
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
        if (authorization != null) {
            req.headers().set(HttpHeaderNames.AUTHORIZATION, authorization);
        }
        return req;
    }

    /** Hands {@code buf}'s {@code n} readable bytes to {@code consumer} as an array, copied only from a direct buffer. */
    void pass(ByteBuf buf, int n, HttpScraper.BodyConsumer consumer) {
        if (buf.hasArray()) {
            consumer.content(buf.array(), buf.arrayOffset() + buf.readerIndex(), n);
        } else {
            if (piece.length < n) {
                piece = new byte[Math.max(n, 64 * 1024)];
            }
            buf.getBytes(buf.readerIndex(), piece, 0, n);
            consumer.content(piece, 0, n);
        }
    }
}
