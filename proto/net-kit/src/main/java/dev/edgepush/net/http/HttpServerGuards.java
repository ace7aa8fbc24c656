package dev.edgepush.net.http;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;

/**
 * The HTTP codec with the handlers that keep a client from holding or bloating a server, in the
 * one order they work in. Both servers (edge-agent's listener and central-ingest) add them with
 * {@link #addTo}, after TLS if any and before their own handlers:
 *
 * <pre>
 * lingeringClose   LingeringCloseHandler         (answer + FIN, then discard input up to 2 s)
 * connCap          ConnectionsPerAddressHandler  (-http.maxConnsPerAddress)
 * codec            ServerCodec                   (Netty's, -http.maxHeaderBytes)
 * framingErrors    FramingErrorHandler           (400 + close on a failed DecoderResult)
 * timeouts         RequestTimeoutsHandler        (-http.headerReadTimeout, -http.bodyReadTimeout,
 *                                                 -http.maxBodyDuration, -http.idleConnTimeout)
 * keepAlive        HttpServerKeepAliveHandler
 * responseFraming  ResponseFramingHandler        (Content-Length, HTTP/1.0 keep-alive)
 * </pre>
 *
 * One per server: it holds the per-address counts and the closed-connection counters.
 */
public final class HttpServerGuards {
    private final HttpServerLimits limits;
    private final ClosedConnections closed;
    private final ConnectionsPerAddressHandler connCap;

    public HttpServerGuards(HttpServerLimits limits, ClosedConnections closed) {
        this.limits = limits;
        this.closed = closed;
        this.connCap = new ConnectionsPerAddressHandler(limits.maxConnsPerAddress(), closed);
    }

    public void addTo(ChannelPipeline pl) {
        LingeringCloseHandler lingeringClose = new LingeringCloseHandler();
        pl.addLast("lingeringClose", lingeringClose);
        pl.addLast("connCap", connCap);
        pl.addLast("codec", new ServerCodec(limits.decoderConfig()));
        pl.addLast("requestEnds", lingeringClose.requestEnds());
        pl.addLast("framingErrors", new FramingErrorHandler(limits.maxHeaderBytes(), closed));
        pl.addLast("timeouts", new RequestTimeoutsHandler(limits, closed));
        pl.addLast("keepAlive", new HttpServerKeepAliveHandler());
        pl.addLast("responseFraming", new ResponseFramingHandler());
    }

    public ClosedConnections closed() {
        return closed;
    }

    public HttpServerLimits limits() {
        return limits;
    }
}
