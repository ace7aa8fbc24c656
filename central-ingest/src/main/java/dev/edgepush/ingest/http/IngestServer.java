package dev.edgepush.ingest.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;

/** The listening socket on {@code -httpListenAddr}; each connection gets an {@link IngestPipeline}. */
public final class IngestServer implements AutoCloseable {
  private final Channel channel;

  public IngestServer(EventLoopGroup group, String host, int port, IngestPipeline pipeline) throws InterruptedException {
    this.channel = new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .childHandler(pipeline)
        .bind(host, port).sync().channel();
  }

  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
  }
}
