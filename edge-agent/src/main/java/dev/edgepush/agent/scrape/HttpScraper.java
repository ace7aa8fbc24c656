package dev.edgepush.agent.scrape;

import dev.edgepush.compat.TlsConfig;
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
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContentDecompressor;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLException;

/**
 * Fetches {@code /metrics} bodies over HTTP(S) with Netty: gzip accepted and decompressed, the
 * decompressed body capped at {@code maxBodyBytes}, each fetch bounded by the target's timeout.
 *
 * <p>Each target has one {@link Connection} (its {@link ScrapeLoop} owns it and closes it when
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
  static final String ACCEPT = "text/plain;version=0.0.4;q=1,application/openmetrics-text;version=1.0.0;q=0.5,*/*;q=0.1";

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
  private static final class Gathering implements BodyConsumer {
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
  private final int maxBodyBytes;
  private final String userAgent;
  private final boolean keepAlive;
  private final LongAdder connectionsOpened;
  /** One TLS context per distinct tls_config (usually one or two per agent), built on first use. */
  private final Map<TlsConfig, SslContext> ssl = new ConcurrentHashMap<>();

  /** A scraper with keep-alive connections, counting connections itself. */
  public HttpScraper(EventLoopGroup group, int maxBodyBytes, String userAgent) {
    this(group, maxBodyBytes, userAgent, true, new LongAdder());
  }

  /**
   * @param keepAlive false for {@code -promscrape.disableKeepAlive}: a new connection and {@code
   *     Connection: close} for every scrape
   * @param connectionsOpened counts every connection to a target that was established
   */
  public HttpScraper(EventLoopGroup group, int maxBodyBytes, String userAgent, boolean keepAlive,
      LongAdder connectionsOpened) {
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
  public Connection connection(ScrapeTarget target) {
    return connection(target, group.next());
  }

  /**
   * The connection holder of one target: its channels live on {@code loop} and its callbacks run
   * there. Nothing is opened before the first {@link Connection#fetch}.
   */
  public Connection connection(ScrapeTarget target, EventLoop loop) {
    return new Connection(target, loop);
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

  static String describe(Throwable t) {
    String m = t.getMessage();
    return m == null ? t.getClass().getSimpleName() : m;
  }

  /** One fetch: its consumer (done called exactly once), its timer and the channel it runs on. */
  private static final class Exchange {
    final BodyConsumer callback;
    final long deadlineNanos;
    SslContext sslContext;
    String authorization;
    ScheduledFuture<?> timeout;
    /** The channel the request went out on (or is connecting); events of other channels are ignored. */
    Channel channel;
    /** The request went out on a connection an earlier fetch had used: a close before any response byte is retried. */
    boolean reused;
    /** A response byte arrived on {@link #channel}. */
    boolean responseStarted;
    boolean done;
    /** Decompressed body bytes so far, against the cap. */
    long bodyBytes;
    /** The response allows the connection to be kept. */
    boolean keepAliveResponse;

    Exchange(BodyConsumer callback, long timeoutMs) {
      this.callback = callback;
      this.deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    }
  }

  /**
   * The connection of one target: at most one fetch at a time (a scrape loop never overlaps its
   * scrapes) and at most one open channel, kept between fetches when keep-alive allows. The
   * pipeline's handlers are built once per channel and find the fetch in progress in {@link
   * #current}. All state is touched on {@link #loop} only; {@link #fetch} and {@link #close} hop
   * onto it when called from elsewhere.
   */
  public final class Connection implements ScrapeSource {
    private final ScrapeTarget target;
    private final EventLoop loop;
    private final boolean https;
    private final int port;
    /** server_name: the name sent in SNI and checked against the certificate. */
    private final String peerHost;
    private final String hostHeader;
    private final String pathAndQuery;
    /** The open (or opening) channel, or null. */
    private Channel channel;
    /** The fetch in progress, or null when idle. */
    private Exchange current;
    private boolean closed;
    /** A heap copy of a direct buffer's bytes for {@link BodyConsumer#content}. */
    private byte[] piece = new byte[0];

    private Connection(ScrapeTarget target, EventLoop loop) {
      this.target = target;
      this.loop = loop;
      URI url = target.url();
      this.https = "https".equalsIgnoreCase(url.getScheme());
      this.port = url.getPort() > 0 ? url.getPort() : (https ? 443 : 80);
      this.peerHost = target.tls().serverName() != null ? target.tls().serverName() : url.getHost();
      this.hostHeader = url.getHost() + (url.getPort() > 0 ? ":" + url.getPort() : "");
      String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
      this.pathAndQuery = url.getRawQuery() == null ? path : path + "?" + url.getRawQuery();
    }

    /** Fetches the target once, the body gathered whole; {@code callback} runs on the connection's event loop. */
    public void fetch(Callback callback) {
      fetch(new Gathering(callback));
    }

    /** Fetches the target once, the body streamed to {@code consumer} on the connection's event loop. */
    @Override
    public void fetch(BodyConsumer consumer) {
      if (!loop.inEventLoop()) {
        loop.execute(() -> fetch(consumer));
        return;
      }
      long timeoutMs = target.timeout().toMillis();
      Exchange ex = new Exchange(consumer, timeoutMs);
      if (closed) {
        ex.callback.done("the scrape connection of " + target.url() + " is closed");
        return;
      }
      if (current != null) {
        ex.callback.done("a scrape of " + target.url() + " is already in flight");
        return;
      }
      try {
        ex.sslContext = https ? ssl(target.tls()) : null;
        ex.authorization = ScrapeAuthHeader.of(target.auth());
      } catch (SSLException e) {
        ex.callback.done("TLS setup failed: " + e.getMessage());
        return;
      } catch (IOException e) {
        ex.callback.done(e.getMessage());
        return;
      }
      current = ex;
      ex.timeout = loop.schedule(() -> {
        if (!ex.done) {
          if (ex.channel != null) {
            drop(ex.channel); // the response may be half read: never reuse it
          }
          fail(ex, "scrape timed out after " + timeoutMs + " ms (scrape_timeout)");
        }
      }, timeoutMs, TimeUnit.MILLISECONDS);
      Channel ch = channel;
      if (keepAlive && ch != null && ch.isActive()) {
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

    private void connect(Exchange ex) {
      long remainingMs = TimeUnit.NANOSECONDS.toMillis(ex.deadlineNanos - System.nanoTime());
      SslContext sslContext = ex.sslContext;
      Bootstrap b =
          new Bootstrap()
              .group(loop)
              .channel(NioSocketChannel.class)
              .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, remainingMs))
              .handler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      ChannelPipeline p = ch.pipeline();
                      if (sslContext != null) {
                        p.addLast(sslContext.newHandler(ch.alloc(), peerHost, port));
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
          fail(ex,
              "cannot connect to " + target.url().getHost() + ":" + port + ": " + describe(f.cause()));
          return;
        }
        connectionsOpened.increment();
        send(ch, ex);
      });
    }

    private void send(Channel ch, Exchange ex) {
      ex.channel = ch;
      ex.responseStarted = false;
      FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, pathAndQuery);
      req.headers()
          .set(HttpHeaderNames.HOST, hostHeader)
          .set(HttpHeaderNames.ACCEPT, ACCEPT)
          .set(HttpHeaderNames.ACCEPT_ENCODING, HttpHeaderValues.GZIP)
          .set(HttpHeaderNames.USER_AGENT, userAgent)
          .set("X-Prometheus-Scrape-Timeout-Seconds", Double.toString(target.timeout().toMillis() / 1000.0));
      if (!keepAlive) {
        req.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      }
      if (ex.authorization != null) {
        req.headers().set(HttpHeaderNames.AUTHORIZATION, ex.authorization);
      }
      ch.writeAndFlush(req).addListener((ChannelFuture f) -> {
        if (!f.isSuccess()) {
          failOrRetry(ex, ch, "cannot send the request: " + describe(f.cause()));
        }
      });
    }

    /**
     * {@code ch} failed under {@code ex}: closes it, then retries on a fresh connection if the
     * request went out on a reused one and nothing of the response came back, else fails.
     */
    private void failOrRetry(Exchange ex, Channel ch, String error) {
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

    private void fail(Exchange ex, String error) {
      finish(ex, error);
    }

    private void finish(Exchange ex, String error) {
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
    private Exchange exchangeOf(Channel ch) {
      Exchange ex = current;
      return ex != null && ex.channel == ch ? ex : null;
    }

    /**
     * First after TLS: notes that a response byte arrived (a close after that is not retried)
     * and closes a connection that receives bytes while no request is out on it.
     */
    private final class ResponseStart extends ChannelInboundHandlerAdapter {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Exchange ex = exchangeOf(ctx.channel());
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
     * {@code maxBodyBytes} (-promscrape.maxScrapeSize) as it is counted, not once it is whole.
     */
    private final class ResponseHandler extends SimpleChannelInboundHandler<HttpObject> {
      @Override
      protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
        Channel ch = ctx.channel();
        Exchange ex = exchangeOf(ch);
        if (ex == null) {
          drop(ch);
          return;
        }
        if (msg.decoderResult().isFailure()) {
          drop(ch);
          fail(ex, "bad HTTP response: " + describe(msg.decoderResult().cause()));
          return;
        }
        if (msg instanceof HttpResponse res) {
          long declared = HttpUtil.getContentLength(res, -1L);
          if (declared > maxBodyBytes && !res.headers().contains(HttpHeaderNames.CONTENT_ENCODING)) {
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
          if (ex.bodyBytes > maxBodyBytes) {
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
            if (!keepAlive || closed || !ex.keepAliveResponse) {
              drop(ch);
            }
            finish(ex, null);
          }
        }
      }

      private String tooLarge() {
        return "body larger than " + maxBodyBytes + " bytes (-promscrape.maxScrapeSize)";
      }

      @Override
      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Channel ch = ctx.channel();
        Exchange ex = exchangeOf(ch);
        if (ex == null) {
          drop(ch);
        } else if (cause instanceof TooLongFrameException || cause.getCause() instanceof TooLongFrameException) {
          drop(ch);
          fail(ex, "body larger than " + maxBodyBytes + " bytes (-promscrape.maxScrapeSize)");
        } else {
          failOrRetry(ex, ch, describe(cause));
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
        Exchange ex = exchangeOf(ch);
        if (ex != null) {
          failOrRetry(ex, ch, "connection closed before a full response");
        }
        ctx.fireChannelInactive();
      }
    }
  }
}
