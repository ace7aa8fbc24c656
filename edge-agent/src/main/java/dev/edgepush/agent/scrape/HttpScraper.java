package dev.edgepush.agent.scrape;

import dev.edgepush.compat.TlsConfig;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContentDecompressor;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * Fetches one {@code /metrics} body over HTTP(S) with Netty: gzip accepted and decompressed,
 * the decompressed body capped at {@code maxBodyBytes}, the whole exchange bounded by the
 * target's timeout. One connection per scrape ({@code Connection: close}): at robot scale (a
 * few targets, second-level intervals) this costs little and leaves no idle sockets to a
 * target that went away. The callback runs on the event loop.
 */
public final class HttpScraper {
  /** What vmagent sends: it prefers the text format. */
  static final String ACCEPT = "text/plain;version=0.0.4;q=1,application/openmetrics-text;version=1.0.0;q=0.5,*/*;q=0.1";

  /** The outcome of one fetch: either a body (any status) or an error. */
  public interface Callback {
    void done(int status, String contentType, byte[] body, int length, String error);
  }

  private final EventLoopGroup group;
  private final int maxBodyBytes;
  private final String userAgent;
  /** One TLS context per distinct tls_config (usually one or two per agent), built on first use. */
  private final Map<TlsConfig, SslContext> ssl = new ConcurrentHashMap<>();

  public HttpScraper(EventLoopGroup group, int maxBodyBytes, String userAgent) {
    this.group = group;
    this.maxBodyBytes = maxBodyBytes;
    this.userAgent = userAgent;
  }

  /**
   * The client context of a tls_config: {@code ca_file} replaces the JVM's trust store, {@code
   * cert_file}/{@code key_file} give a client certificate, {@code insecure_skip_verify} trusts any
   * certificate and skips the host name check.
   */
  private SslContext ssl(TlsConfig tls) throws SSLException {
    SslContext ctx = ssl.get(tls);
    if (ctx == null) {
      try {
        SslContextBuilder b = SslContextBuilder.forClient();
        if (tls.insecureSkipVerify()) {
          b.trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null);
        } else if (tls.caFile() != null) {
          b.trustManager(tls.caFile().toFile()); // throws IllegalArgumentException for a bad file
        }
        if (tls.certFile() != null) {
          b.keyManager(tls.certFile().toFile(), tls.keyFile().toFile());
        }
        ctx = b.build();
      } catch (SSLException | RuntimeException e) {
        throw new SSLException("tls_config (ca_file " + tls.caFile() + ", cert_file " + tls.certFile()
            + ", key_file " + tls.keyFile() + "): " + describe(e), e);
      }
      ssl.put(tls, ctx);
    }
    return ctx;
  }

  public void fetch(ScrapeTarget target, Callback callback) {
    URI url = target.url();
    boolean https = "https".equalsIgnoreCase(url.getScheme());
    int port = url.getPort() > 0 ? url.getPort() : (https ? 443 : 80);
    long timeoutMs = target.timeout().toMillis();
    Once once = new Once(callback);
    SslContext sslContext;
    String authorization;
    try {
      sslContext = https ? ssl(target.tls()) : null;
      authorization = ScrapeAuthHeader.of(target.auth());
    } catch (SSLException e) {
      once.fail("TLS setup failed: " + e.getMessage());
      return;
    } catch (IOException e) {
      once.fail(e.getMessage());
      return;
    }
    // server_name: the name sent in SNI and checked against the certificate.
    String peerHost = target.tls().serverName() != null ? target.tls().serverName() : url.getHost();
    Bootstrap b =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, timeoutMs))
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ChannelPipeline p = ch.pipeline();
                    if (sslContext != null) {
                      p.addLast(sslContext.newHandler(ch.alloc(), peerHost, port));
                    }
                    p.addLast(new HttpClientCodec());
                    p.addLast(new HttpContentDecompressor(0));
                    p.addLast(new HttpObjectAggregator(maxBodyBytes));
                    p.addLast(new ResponseHandler(once, maxBodyBytes));
                  }
                });
    ChannelFuture connect = b.connect(url.getHost(), port);
    Channel ch = connect.channel();
    ScheduledFuture<?> timeout =
        ch.eventLoop()
            .schedule(
                () -> {
                  once.fail("scrape timed out after " + target.timeout().toMillis() + " ms (scrape_timeout)");
                  ch.close();
                },
                timeoutMs,
                TimeUnit.MILLISECONDS);
    ch.closeFuture().addListener(f -> {
      timeout.cancel(false);
      // Queued, not immediate: a handler that closes and then throws (the aggregator does for an
      // oversized body) gets its more precise error reported first.
      ch.eventLoop().execute(() -> once.fail("connection closed before a full response"));
    });
    connect.addListener(
        (ChannelFuture f) -> {
          if (!f.isSuccess()) {
            once.fail("cannot connect to " + url.getHost() + ":" + port + ": " + describe(f.cause()));
            return;
          }
          String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
          if (url.getRawQuery() != null) {
            path += "?" + url.getRawQuery();
          }
          FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
          req.headers()
              .set(HttpHeaderNames.HOST, url.getHost() + (url.getPort() > 0 ? ":" + url.getPort() : ""))
              .set(HttpHeaderNames.ACCEPT, ACCEPT)
              .set(HttpHeaderNames.ACCEPT_ENCODING, HttpHeaderValues.GZIP)
              .set(HttpHeaderNames.USER_AGENT, userAgent)
              .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
              .set("X-Prometheus-Scrape-Timeout-Seconds", Double.toString(timeoutMs / 1000.0));
          if (authorization != null) {
            req.headers().set(HttpHeaderNames.AUTHORIZATION, authorization);
          }
          f.channel().writeAndFlush(req);
        });
  }

  static String describe(Throwable t) {
    String m = t.getMessage();
    return m == null ? t.getClass().getSimpleName() : m;
  }

  /** Calls the callback exactly once, whatever happens first. */
  private static final class Once {
    private final Callback callback;
    private boolean called;

    Once(Callback callback) {
      this.callback = callback;
    }

    void fail(String error) {
      if (!called) {
        called = true;
        callback.done(0, null, null, 0, error);
      }
    }

    void ok(int status, String contentType, byte[] body, int length) {
      if (!called) {
        called = true;
        callback.done(status, contentType, body, length, null);
      }
    }
  }

  private static final class ResponseHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
    private final Once once;
    private final int maxBodyBytes;

    ResponseHandler(Once once, int maxBodyBytes) {
      this.once = once;
      this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse msg) {
      if (msg.decoderResult().isFailure()) {
        once.fail("bad HTTP response: " + describe(msg.decoderResult().cause()));
      } else {
        ByteBuf content = msg.content();
        byte[] body = new byte[content.readableBytes()];
        content.readBytes(body);
        once.ok(msg.status().code(), msg.headers().get(HttpHeaderNames.CONTENT_TYPE), body, body.length);
      }
      ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (cause instanceof TooLongFrameException || cause.getCause() instanceof TooLongFrameException) {
        once.fail("body larger than " + maxBodyBytes + " bytes (-promscrape.maxScrapeSize)");
      } else {
        once.fail(describe(cause));
      }
      ctx.close();
    }
  }
}
