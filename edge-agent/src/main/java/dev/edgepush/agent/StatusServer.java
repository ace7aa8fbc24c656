package dev.edgepush.agent;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * The agent's own HTTP endpoint on {@code -httpListenAddr}: {@code /metrics} (self metrics,
 * Prometheus text), {@code /health} ("ok"), {@code /targets} (a page a person can read at a
 * glance). Read-only; request bodies are capped at 64 KiB.
 */
final class StatusServer implements AutoCloseable {
  private final Channel channel;

  StatusServer(EventLoopGroup group, String host, int port, Supplier<String> metrics, Supplier<String> targetsPage)
      throws InterruptedException {
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpServerKeepAliveHandler())
                        .addLast(new HttpObjectAggregator(64 * 1024))
                        .addLast(new Router(metrics, targetsPage));
                  }
                });
    this.channel = b.bind(host, port).sync().channel();
  }

  int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
  }

  private static final class Router extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final Supplier<String> metrics;
    private final Supplier<String> targetsPage;

    Router(Supplier<String> metrics, Supplier<String> targetsPage) {
      this.metrics = metrics;
      this.targetsPage = targetsPage;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      String path = new QueryStringDecoder(req.uri()).path();
      FullHttpResponse res;
      switch (path) {
        case "/metrics" -> res = text(HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=utf-8", metrics.get());
        case "/health" -> res = text(HttpResponseStatus.OK, "text/plain; charset=utf-8", "ok\n");
        case "/targets", "/" -> res = text(HttpResponseStatus.OK, "text/html; charset=utf-8", targetsPage.get());
        default -> res = text(HttpResponseStatus.NOT_FOUND, "text/plain; charset=utf-8",
            "not found: " + path + "\nthis agent serves /metrics, /health and /targets\n");
      }
      boolean keepAlive = HttpUtil.isKeepAlive(req);
      HttpUtil.setKeepAlive(res, keepAlive);
      var f = ctx.writeAndFlush(res);
      if (!keepAlive) {
        f.addListener(ChannelFutureListener.CLOSE);
      }
    }

    private static FullHttpResponse text(HttpResponseStatus status, String type, String body) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
      res.headers().set(HttpHeaderNames.CONTENT_TYPE, type).setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
      return res;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
