package dev.edgepush.ingest.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.InetSocketAddress;

/** The listening socket on {@code -httpListenAddr}; each connection gets an {@link IngestPipeline}. */
public final class IngestServer implements AutoCloseable {
    private final Channel channel;

    /** Binds {@code host:port}; an IOException that names the address if it cannot (in use, no such host). */
    public IngestServer(EventLoopGroup group, String host, int port, IngestPipeline pipeline)
            throws IOException, InterruptedException {
        var bound = new ServerBootstrap()
                .group(group)
                .channel(Transport.of(group).serverChannel())
                .childHandler(pipeline)
                .bind(host, port)
                .await();
        if (!bound.isSuccess()) {
            throw new IOException(
                    "cannot listen on -httpListenAddr=" + host + ":" + port + ": " + Transport.reason(bound.cause()),
                    bound.cause());
        }
        this.channel = bound.channel();
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }
}
