package dev.edgepush.ingest.http;

import dev.edgepush.ingest.query.QueryTarget;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;

/**
 * Opens one connection to VictoriaMetrics for one proxied request ({@link QueryProxyHandler}).
 * The connection's pipeline decodes HTTP responses and ends with {@code relay}. Tests substitute
 * an {@code EmbeddedChannel}.
 */
interface UpstreamConnector {
    /** Connects on {@code loop} (the client connection's own loop, so relaying needs no locks). */
    ChannelFuture connect(EventLoop loop, QueryTarget.Address address, ChannelHandler relay);
}
