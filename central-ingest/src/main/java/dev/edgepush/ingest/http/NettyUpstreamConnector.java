package dev.edgepush.ingest.http;

import dev.edgepush.ingest.query.QueryTarget;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import java.time.Duration;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * The real {@link UpstreamConnector}: a Netty client connection per proxied request (closed when
 * the response has been relayed), with TLS and host name verification for https URLs.
 */
final class NettyUpstreamConnector implements UpstreamConnector {
    /** Long enough for a loaded vmselect on another machine, short enough that a person waits for the 502. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private final SslContext tls;

    NettyUpstreamConnector() {
        try {
            this.tls = SslContextBuilder.forClient().build();
        } catch (SSLException e) {
            throw new IllegalStateException("the JDK's TLS client cannot be set up", e);
        }
    }

    @Override
    public ChannelFuture connect(EventLoop loop, QueryTarget.Address address, ChannelHandler relay) {
        return new Bootstrap()
                .group(loop)
                .channel(Transport.of(loop).socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) CONNECT_TIMEOUT.toMillis())
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (address.https()) {
                            SslHandler ssl = tls.newHandler(ch.alloc(), address.host(), address.port());
                            SSLEngine engine = ssl.engine();
                            SSLParameters params = engine.getSSLParameters();
                            params.setEndpointIdentificationAlgorithm("HTTPS");
                            engine.setSSLParameters(params);
                            ch.pipeline().addLast("tls", ssl);
                        }
                        ch.pipeline().addLast("codec", new HttpClientCodec());
                        ch.pipeline().addLast("relay", relay);
                    }
                })
                .connect(address.host(), address.port());
    }
}
