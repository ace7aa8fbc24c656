package dev.edgepush.agent.scrape;

import dev.edgepush.compat.TlsConfig;
import dev.edgepush.net.tls.ClientTls;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLException;

/**
 * Fetches {@code /metrics} bodies over HTTP(S) with Netty: gzip accepted and decompressed, the
 * decompressed body capped at {@code maxBodyBytes}, each fetch bounded by the target's timeout.
 *
 * <p>Each target has one {@link TargetConnection} (its {@link ScrapeLoop} owns it and closes it when
 * it stops), which keeps one HTTP/1.1 keep-alive connection open between scrapes, as vmagent and
 * Prometheus do: a new TCP (and TLS) connection and pipeline per scrape cost about a fifth of the
 * agent's CPU at 10 targets x 1,000 series scraped every second. The connection is reused only
 * when it is open and idle and the last response allowed it (not {@code Connection: close}, not
 * HTTP/1.0 without keep-alive); a timeout, an oversized body, a bad response or any other error
 * closes it, so a connection is never reused mid-response. A request sent on a reused connection
 * that closes before any response byte arrives (the target closed its idle connection as the
 * request went out) is retried once on a fresh connection within the same timeout, as Go's
 * net/http does for Prometheus and vmagent. With {@code -promscrape.disableKeepAlive} every
 * scrape opens its own connection and sends {@code Connection: close}. Callbacks run on the
 * connection's event loop.
 */
public final class HttpScraper {
    /** What vmagent sends: it prefers the text format. */
    static final String ACCEPT =
            "text/plain;version=0.0.4;q=1,application/openmetrics-text;version=1.0.0;q=0.5,*/*;q=0.1";

    /**
     * The outcome of one fetch: either a body (any status) or an error. {@code body[0, length)} is
     * valid only until {@code done} returns. The whole body is held in memory: for tests and small
     * bodies; a scrape streams its body through a {@link BodyConsumer}.
     */
    public interface Callback {
        void done(int status, String contentType, byte[] body, int length, String error);
    }

    /**
     * One fetch's response as it arrives, so that no body is ever held whole (a 16 MB body was a
     * quarter of the robot heap, twice over with the aggregator's copy): {@link #head} once the
     * status line and headers are read, {@link #content} for each piece of the decompressed body,
     * then {@link #done} exactly once, with null when the whole body arrived and an error
     * otherwise (then {@code head} and {@code content} may not have been called). All on the
     * connection's event loop; each piece is one socket read (tens of KiB), so parsing it there
     * leaves the loop free for the other targets between pieces.
     */
    public interface BodyConsumer {
        void head(int status, String contentType);

        /** b[off, off+len) is valid only during the call. */
        void content(byte[] b, int off, int len);

        void done(String error);
    }

    /** Adapts a {@link Callback}: gathers the body in one array (grown as it arrives). */
    static final class Gathering implements BodyConsumer {
        private final Callback callback;
        private int status;
        private String contentType;
        private byte[] body = new byte[0];
        private int length;

        Gathering(Callback callback) {
            this.callback = callback;
        }

        @Override
        public void head(int status, String contentType) {
            this.status = status;
            this.contentType = contentType;
        }

        @Override
        public void content(byte[] b, int off, int len) {
            if (length + len > body.length) {
                body = java.util.Arrays.copyOf(body, Math.max(length + len, body.length * 2));
            }
            System.arraycopy(b, off, body, length, len);
            length += len;
        }

        @Override
        public void done(String error) {
            if (error != null) {
                callback.done(0, null, null, 0, error);
            } else {
                callback.done(status, contentType, body, length, null);
            }
        }
    }

    private final EventLoopGroup group;
    final int maxBodyBytes;
    final String userAgent;
    final boolean keepAlive;
    final LongAdder connectionsOpened;
    /** One client TLS per distinct tls_config (usually one or two per agent), its context built on first use. */
    private final Map<TlsConfig, ClientTls> tls = new ConcurrentHashMap<>();

    /** A scraper with keep-alive connections, counting connections itself. */
    public HttpScraper(EventLoopGroup group, int maxBodyBytes, String userAgent) {
        this(group, maxBodyBytes, userAgent, true, new LongAdder());
    }

    /**
     * @param keepAlive false for {@code -promscrape.disableKeepAlive}: a new connection and {@code
     *     Connection: close} for every scrape
     * @param connectionsOpened counts every connection to a target that was established
     */
    public HttpScraper(
            EventLoopGroup group, int maxBodyBytes, String userAgent, boolean keepAlive, LongAdder connectionsOpened) {
        this.group = group;
        this.maxBodyBytes = maxBodyBytes;
        this.userAgent = userAgent;
        this.keepAlive = keepAlive;
        this.connectionsOpened = connectionsOpened;
    }

    /** Connections to targets established so far. */
    public long connectionsOpened() {
        return connectionsOpened.sum();
    }

    /** The connection holder of one target, on one of the scraper's event loops. */
    public TargetConnection connection(ScrapeTarget target) {
        return connection(target, group.next());
    }

    /**
     * The connection holder of one target: its channels live on {@code loop} and its callbacks run
     * there. Nothing is opened before the first {@link Connection#fetch}.
     */
    public TargetConnection connection(ScrapeTarget target, EventLoop loop) {
        return new TargetConnection(this, target, loop);
    }

    /**
     * The client TLS of a tls_config ({@link ClientTls}): {@code ca_file} replaces the JVM's trust
     * store, {@code cert_file}/{@code key_file} give a client certificate, {@code
     * insecure_skip_verify} trusts any certificate and skips the host name check, {@code
     * server_name} is the name sent and checked.
     */
    ClientTls tls(TlsConfig config) {
        return tls.computeIfAbsent(config, ClientTls::of);
    }

    /** The context of {@link #tls}, built on first use. */
    SslContext ssl(TlsConfig config) throws SSLException {
        try {
            return tls(config).sslContext();
        } catch (IOException | RuntimeException e) {
            throw new SSLException(
                    "tls_config (ca_file " + config.caFile() + ", cert_file " + config.certFile() + ", key_file "
                            + config.keyFile() + "): " + describe(e),
                    e);
        }
    }

    static String describe(Throwable t) {
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m;
    }
}
