package dev.edgepush.agent;

import dev.edgepush.net.http.ClosedConnections;
import dev.edgepush.net.http.HttpServerGuards;
import dev.edgepush.net.http.HttpServerLimits;
import dev.edgepush.net.tls.ServerTls;
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
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The agent's own HTTP endpoint on {@code -httpListenAddr}: {@code /metrics} (self metrics,
 * Prometheus text), {@code /health} ("ok"), {@code /targets} (a page a person can read at a
 * glance), and with a {@link LocalPush} the local push paths {@code POST /api/v1/write} and
 * {@code /api/v1/import/prometheus}. Request bodies are capped (64 KiB without local push,
 * {@code -maxInsertRequestSize} with it). Timeouts, the per-address connection cap, framing errors
 * and response framing are {@link HttpServerGuards}', as in central-ingest. {@code -tls} and
 * {@code -httpAuth.*} protect it ({@link ListenerSecurity}).
 */
final class StatusServer implements AutoCloseable {
    private final Channel channel;
    /** {@code GET /api/v1/status}: the /targets page's live values ({@link TargetsPage#statusJson}). */
    private final java.util.concurrent.atomic.AtomicReference<Supplier<String>> statusJson =
            new java.util.concurrent.atomic.AtomicReference<>(() -> "{\"remotes\":[]}\n");
    /**
     * Local pushes are parsed and buffered on a thread of their own, not on the event loop that
     * scrapes the targets: a 6 MB push takes seconds, and on the event loop every target's scrapes
     * waited for it (a hole in every target's data). LocalPush is serial anyway; one push waits
     * while another runs, and a third is answered 429 rather than held in memory.
     */
    private final ThreadPoolExecutor pushes = new ThreadPoolExecutor(
            1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(1), new DefaultThreadFactory("edge-agent-push", true));

    StatusServer(EventLoopGroup group, String host, int port, Supplier<String> metrics, Supplier<String> targetsPage)
            throws IOException, InterruptedException {
        this(
                group,
                host,
                port,
                metrics,
                targetsPage,
                null,
                64 * 1024,
                new HttpServerGuards(HttpServerLimits.DEFAULTS, new ClosedConnections("edge-agent")),
                ListenerSecurity.OPEN,
                null);
    }

    /**
     * With {@code push} non-null it also takes local pushes ({@link LocalPush}); request bodies are
     * then capped at {@code maxBodyBytes} (the aggregator answers 413 past it). {@code guards}
     * adds the codec with the {@code -http.*} timeouts and limits ({@link HttpServerGuards}). With
     * {@code tls} non-null it speaks https only; {@code security}'s basic auth guards every path but
     * /health.
     */
    StatusServer(
            EventLoopGroup group,
            String host,
            int port,
            Supplier<String> metrics,
            Supplier<String> targetsPage,
            LocalPush push,
            int maxBodyBytes,
            HttpServerGuards guards,
            ListenerSecurity security,
            ServerTls tls)
            throws IOException, InterruptedException {
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tls != null) {
                            tls.addTo(ch);
                        }
                        guards.addTo(ch.pipeline());
                        if (security.basicAuth()) {
                            ch.pipeline().addLast(new BasicAuthGate(security.username(), security.password()));
                        }
                        ch.pipeline()
                                .addLast(new HttpObjectAggregator(maxBodyBytes))
                                .addLast(new Router(metrics, targetsPage, statusJson, push, pushes));
                    }
                });
        var bound = b.bind(host, port).await();
        if (!bound.isSuccess()) {
            throw new IOException(
                    "cannot listen on -httpListenAddr=" + host + ":" + port + ": "
                            + bound.cause().getMessage(),
                    bound.cause());
        }
        this.channel = bound.channel();
    }

    /** What {@code GET /api/v1/status} answers from now on. */
    void statusJson(Supplier<String> json) {
        statusJson.set(json);
    }

    int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        pushes.shutdown();
    }

    private static final class Router extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final Supplier<String> metrics;
        private final Supplier<String> targetsPage;
        private final java.util.concurrent.atomic.AtomicReference<Supplier<String>> statusJson;
        private final LocalPush push;
        private final Executor pushes;

        Router(
                Supplier<String> metrics,
                Supplier<String> targetsPage,
                java.util.concurrent.atomic.AtomicReference<Supplier<String>> statusJson,
                LocalPush push,
                Executor pushes) {
            this.metrics = metrics;
            this.targetsPage = targetsPage;
            this.statusJson = statusJson;
            this.push = push;
            this.pushes = pushes;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            String path = new QueryStringDecoder(req.uri()).path();
            FullHttpResponse res;
            if (push != null && (path.equals(LocalPush.WRITE_PATH) || path.equals(LocalPush.IMPORT_PATH))) {
                if (!req.method().equals(io.netty.handler.codec.http.HttpMethod.POST)) {
                    res = text(
                            HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain; charset=utf-8", path + " takes POST\n");
                } else {
                    byte[] body = new byte[req.content().readableBytes()];
                    req.content().readBytes(body);
                    String contentType = req.headers().get(HttpHeaderNames.CONTENT_TYPE);
                    boolean keepAlive = HttpUtil.isKeepAlive(req);
                    try {
                        pushes.execute(() -> {
                            LocalPush.Answer a = push.handle(path, body, contentType);
                            respond(
                                    ctx,
                                    keepAlive,
                                    a.code() == 204
                                            ? new DefaultFullHttpResponse(
                                                    HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT)
                                            : text(
                                                    HttpResponseStatus.valueOf(a.code()),
                                                    "text/plain; charset=utf-8",
                                                    a.message() + "\n"));
                        });
                    } catch (RejectedExecutionException e) {
                        respond(
                                ctx,
                                keepAlive,
                                text(
                                        HttpResponseStatus.TOO_MANY_REQUESTS,
                                        "text/plain; charset=utf-8",
                                        "two local pushes are already being buffered; retry later\n"));
                    }
                    return;
                }
                respond(ctx, req, res);
                return;
            }
            switch (path) {
                case "/metrics" ->
                    res = text(HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=utf-8", metrics.get());
                case "/health" -> res = text(HttpResponseStatus.OK, "text/plain; charset=utf-8", "ok\n");
                case "/targets", "/" ->
                    res = text(HttpResponseStatus.OK, "text/html; charset=utf-8", targetsPage.get());
                case "/api/v1/status" -> {
                    res = text(
                            HttpResponseStatus.OK,
                            "application/json",
                            statusJson.get().get());
                    res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
                }
                default ->
                    res = text(
                            HttpResponseStatus.NOT_FOUND,
                            "text/plain; charset=utf-8",
                            "not found: " + path
                                    + "\nthis agent serves /metrics, /health, /targets and /api/v1/status\n");
            }
            respond(ctx, req, res);
        }

        private static void respond(ChannelHandlerContext ctx, FullHttpRequest req, FullHttpResponse res) {
            respond(ctx, HttpUtil.isKeepAlive(req), res);
        }

        /** Safe from any thread: Netty hands the write to the channel's event loop. */
        private static void respond(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse res) {
            HttpUtil.setKeepAlive(res, keepAlive);
            var f = ctx.writeAndFlush(res);
            if (!keepAlive) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
        }

        private static FullHttpResponse text(HttpResponseStatus status, String type, String body) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            FullHttpResponse res =
                    new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, type).setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
            return res;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
