package dev.edgepush.net.http.client;

import dev.edgepush.net.tls.ClientTls;
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
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContentDecompressor;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import java.net.SocketAddress;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One keep-alive HTTP/1.1 client connection to one host, on Netty: at most one {@link
 * ClientExchange} at a time and at most one open channel, kept between exchanges when the last
 * response allowed it (and {@code keepAlive} is on). The pipeline's handlers are built once per
 * channel and find the exchange in progress in {@link #current}; a channel that receives bytes
 * while no request is out on it is closed, so a connection is never reused out of step with the
 * server.
 *
 * <p>A request sent on a reused channel that closes or resets before any byte of the response
 * arrived (the server closed its idle connection as the request went out) is sent once more on a
 * fresh connection, as Go's net/http does; any other error, and any exchange ended early, closes
 * the channel. The response's body is passed on as it arrives (no aggregation): a body of any size
 * is never held whole here.
 *
 * <p>All state is touched on {@link #loop} only; {@link #close} hops onto it from elsewhere.
 */
public final class ClientConnection implements AutoCloseable {
    private final EventLoop loop;
    /** The URL's host (IPv6 without brackets): the TLS peer unless a server name is set. */
    private final String host;

    private final int port;
    /** How connect errors name the remote: "cannot connect to {name}: ...". */
    private final String name;

    private final ClientTls tls;
    private final boolean keepAlive;
    private final boolean decompress;
    private final Function<Throwable, String> describe;
    private final Runnable onConnected;

    /** An open idle channel is kept: the next exchange needs no address. Read from any thread. */
    private volatile boolean idle;

    /** The open (or opening) channel, or null. */
    private Channel channel;
    /** The address of the last channel: for an exchange that brought none. */
    private SocketAddress lastAddress;
    /** The exchange in progress, or null when idle. */
    private ClientExchange current;

    private boolean closed;

    /**
     * @param name the remote in connect errors (e.g. {@code host:port})
     * @param tls the TLS peer name for an exchange with a TLS context
     * @param keepAlive false: every exchange on a channel of its own, closed at its end
     * @param decompress undo a gzip or deflate {@code Content-Encoding} of the response
     * @param describe an error's text (e.g. a TLS handshake failure in words)
     * @param onConnected runs for each established connection
     */
    public ClientConnection(
            EventLoop loop,
            String host,
            int port,
            String name,
            ClientTls tls,
            boolean keepAlive,
            boolean decompress,
            Function<Throwable, String> describe,
            Runnable onConnected) {
        this.loop = loop;
        this.host = host;
        this.port = port;
        this.name = name;
        this.tls = Objects.requireNonNull(tls, "tls");
        this.keepAlive = keepAlive;
        this.decompress = decompress;
        this.describe = describe;
        this.onConnected = onConnected;
    }

    public EventLoop loop() {
        return loop;
    }

    /** True when an open channel waits for the next exchange. Safe from any thread. */
    public boolean idle() {
        return idle;
    }

    /** True once {@link #close} has run. Event loop only. */
    public boolean closed() {
        return closed;
    }

    /** True while an exchange is in progress. Event loop only. */
    public boolean busy() {
        return current != null;
    }

    /**
     * Starts {@code ex} on the kept channel, or on a new one. Event loop only; the caller has
     * checked {@link #closed} and {@link #busy}.
     */
    public void start(ClientExchange ex) {
        current = ex;
        idle = false;
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
     * Closes the idle channel now, or the busy one once its exchange has ended (which still
     * completes); later exchanges are refused by their callers. Safe from any thread and after the
     * event loop has shut down (which closes the channel anyway).
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

    private void connect(ClientExchange ex) {
        ex.reused = false; // a fresh connection: a failure now is the exchange's failure, no retry
        ex.responseStarted = false;
        if (loop.isShuttingDown()) { // its channels are being closed; a new one would never complete
            complete(ex, "the client's event loop is shutting down");
            return;
        }
        SocketAddress address = ex.address() != null ? ex.address() : lastAddress;
        if (address == null) { // cannot happen: a kept connection had an address
            complete(ex, "no address for " + host);
            return;
        }
        long remainingMs = TimeUnit.NANOSECONDS.toMillis(ex.deadlineNanos() - System.nanoTime());
        SslContext ssl = ex.ssl();
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        Math.max(1, Math.min(Integer.MAX_VALUE, remainingMs)))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                        ChannelPipeline p = c.pipeline();
                        if (ssl != null) {
                            p.addLast(tls.newHandler(ssl, c.alloc(), host, port));
                        }
                        p.addLast(new ResponseStart());
                        p.addLast(new HttpClientCodec());
                        if (decompress) {
                            p.addLast(new HttpContentDecompressor(0));
                        }
                        p.addLast(new ResponseHandler()); // streams the body: no aggregator
                    }
                });
        ChannelFuture connect = b.connect(address);
        Channel ch = connect.channel();
        channel = ch;
        ex.channel = ch;
        lastAddress = address;
        connect.addListener((ChannelFuture f) -> {
            if (!ex.isOn(ch)) {
                return; // given up meanwhile: ch is closed
            }
            if (!f.isSuccess()) {
                drop(ch);
                complete(ex, "cannot connect to " + name + ": " + describe(f.cause()));
                return;
            }
            if (onConnected != null) {
                onConnected.run();
            }
            send(ch, ex);
        });
    }

    private void send(Channel ch, ClientExchange ex) {
        ex.channel = ch;
        ex.responseStarted = false;
        ex.write(ch);
    }

    /**
     * {@code ch} failed under {@code ex}: closes it, then retries on a fresh connection if the
     * request went out on a reused one and nothing of the response came back, else fails.
     */
    void failOrRetry(ClientExchange ex, Channel ch, String error) {
        if (!ex.isOn(ch)) {
            return;
        }
        drop(ch);
        if (ex.reused && !ex.responseStarted && ex.retryAllowed()) {
            connect(ex);
        } else {
            complete(ex, error);
        }
    }

    void finish(ClientExchange ex, boolean reusable) {
        if (ex.done) {
            return;
        }
        if (!reusable || !keepAlive || closed) {
            drop(ex.channel);
        }
        complete(ex, null);
    }

    void fail(ClientExchange ex, String error) {
        if (ex.done) {
            return;
        }
        if (ex.channel != null) {
            drop(ex.channel);
        }
        complete(ex, error);
    }

    private void complete(ClientExchange ex, String error) {
        if (ex.done) {
            return;
        }
        ex.done = true;
        if (current == ex) {
            current = null;
        }
        Channel ch = channel;
        idle = ch != null && ch.isActive() && !closed;
        ex.completed(error);
    }

    /** Closes {@code ch}; it is no longer the connection's channel. */
    private void drop(Channel ch) {
        if (channel == ch) {
            channel = null;
            idle = false;
        }
        ch.close();
    }

    String describe(Throwable t) {
        return describe.apply(t);
    }

    /** The exchange {@code ch} is serving, or null if it serves none (idle, or left over). */
    private ClientExchange exchangeOf(Channel ch) {
        ClientExchange ex = current;
        return ex != null && ex.channel == ch ? ex : null;
    }

    /**
     * First after TLS: notes that a response byte arrived (a close after that is not retried) and
     * closes a connection that receives bytes while no request is out on it.
     */
    private final class ResponseStart extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ClientExchange ex = exchangeOf(ctx.channel());
            if (ex == null) {
                ReferenceCountUtil.release(msg);
                drop(ctx.channel()); // out of step with the server: never reuse it
                return;
            }
            if (msg instanceof ByteBuf b && b.isReadable()) {
                ex.responseStarted = true;
            }
            ctx.fireChannelRead(msg);
        }
    }

    /** Last in the pipeline: passes the response of the exchange in progress on this channel on as it arrives. */
    private final class ResponseHandler extends SimpleChannelInboundHandler<HttpObject> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            Channel ch = ctx.channel();
            ClientExchange ex = exchangeOf(ch);
            if (ex == null) {
                drop(ch);
                return;
            }
            if (msg.decoderResult().isFailure()) {
                fail(ex, "bad HTTP response: " + describe(msg.decoderResult().cause()));
                return;
            }
            ex.read(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Channel ch = ctx.channel();
            ClientExchange ex = exchangeOf(ch);
            if (ex == null) {
                drop(ch);
                return;
            }
            String fatal = ex.fatal(cause);
            if (fatal != null) {
                fail(ex, fatal);
            } else {
                failOrRetry(ex, ch, describe(cause));
            }
        }

        /**
         * After the decoders have passed on what the close completed (a body delimited by the
         * close) and after any error a handler raised while closing.
         */
        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            Channel ch = ctx.channel();
            if (channel == ch) {
                channel = null;
                idle = false;
            }
            ClientExchange ex = exchangeOf(ch);
            if (ex != null) {
                failOrRetry(ex, ch, "connection closed before a full response");
            }
            ctx.fireChannelInactive();
        }
    }
}
