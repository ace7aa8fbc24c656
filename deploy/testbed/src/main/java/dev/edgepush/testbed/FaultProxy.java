package dev.edgepush.testbed;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.traffic.ChannelTrafficShapingHandler;
import io.netty.handler.traffic.GlobalTrafficShapingHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy between agents and the central side that misbehaves on command, the way real
 * uplinks do. Modes ({@link Mode}): {@code PASS}; {@code CUT} (close every connection and
 * refuse new ones); {@code BLACKHOLE} (accept, swallow, never answer: the nasty case, only a
 * client timeout ends it); {@code RESET_MID_REQUEST} (let {@code resetAfterBytes} of a request
 * through, then reset both sides with RST). Independently: {@code latencyMs} delays every chunk
 * each way, {@code bytesPerSecond} caps bandwidth per connection, {@code linkBytesPerSecond} the
 * bandwidth of all connections together (the uplink). Thread-safe: settings are read per
 * connection or per chunk.
 */
public final class FaultProxy implements AutoCloseable {
    /** What the proxy does to traffic. */
    public enum Mode {
        PASS,
        CUT,
        BLACKHOLE,
        RESET_MID_REQUEST
    }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final ChannelGroup open = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final Channel server;
    private final InetSocketAddress upstream;
    private volatile Mode mode = Mode.PASS;
    private volatile long latencyMs;
    private volatile long bytesPerSecond;
    private volatile long resetAfterBytes = 100;
    /** Shared by every connection opened while a link cap is set; null until one is. */
    private volatile GlobalTrafficShapingHandler linkShaper;

    final AtomicLong connectionsAccepted = new AtomicLong();
    final AtomicLong connectionsReset = new AtomicLong();

    public FaultProxy(InetSocketAddress listen, InetSocketAddress upstream) throws InterruptedException {
        this.upstream = upstream;
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        open.add(ch);
                        connectionsAccepted.incrementAndGet();
                        GlobalTrafficShapingHandler link = linkShaper;
                        if (link != null) {
                            ch.pipeline().addLast(link);
                        }
                        if (bytesPerSecond > 0) {
                            ch.pipeline()
                                    .addLast(new ChannelTrafficShapingHandler(bytesPerSecond, bytesPerSecond, 100));
                        }
                        ch.pipeline().addLast(new Front());
                    }
                })
                .bind(listen)
                .sync()
                .channel();
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Switches the mode; CUT closes every open connection at once. */
    public void mode(Mode m) {
        this.mode = m;
        if (m == Mode.CUT) {
            open.close();
        }
    }

    public Mode mode() {
        return mode;
    }

    public void latencyMs(long ms) {
        this.latencyMs = ms;
    }

    public void bytesPerSecond(long bps) {
        this.bytesPerSecond = bps;
    }

    /**
     * Caps all connections opened from now on together at {@code bps} bytes per second each way
     * (0: no cap); connections already open keep the cap they were opened with.
     */
    public synchronized void linkBytesPerSecond(long bps) {
        GlobalTrafficShapingHandler link = linkShaper;
        if (link == null) {
            if (bps <= 0) {
                return;
            }
            linkShaper = new GlobalTrafficShapingHandler(group, bps, bps, 100);
        } else {
            link.configure(bps, bps);
        }
    }

    public void resetAfterBytes(long n) {
        this.resetAfterBytes = n;
    }

    public String status() {
        return "{\"mode\":\"" + mode + "\",\"latency_ms\":" + latencyMs + ",\"bytes_per_second\":" + bytesPerSecond
                + ",\"reset_after_bytes\":" + resetAfterBytes + ",\"connections_accepted\":" + connectionsAccepted.get()
                + ",\"connections_reset\":" + connectionsReset.get() + ",\"open_connections\":" + open.size() + "}";
    }

    private void forward(Channel to, Object msg) {
        long delay = latencyMs;
        if (delay > 0) {
            to.eventLoop().schedule(() -> to.writeAndFlush(msg), delay, TimeUnit.MILLISECONDS);
        } else {
            to.writeAndFlush(msg);
        }
    }

    static void reset(Channel ch) {
        if (ch.isActive()) {
            ch.config().setOption(ChannelOption.SO_LINGER, 0); // close with RST, not FIN
            ch.close();
        }
    }

    private static void closeOnFlush(Channel ch) {
        if (ch.isActive()) {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** The agent-facing side of one connection. */
    private final class Front extends ChannelInboundHandlerAdapter {
        private Channel back;
        private long requestBytes;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel front = ctx.channel();
            Mode m = mode;
            if (m == Mode.CUT) {
                front.close();
                return;
            }
            if (m == Mode.BLACKHOLE) {
                front.config().setAutoRead(true); // swallow whatever comes, answer nothing
                return;
            }
            new Bootstrap()
                    .group(front.eventLoop())
                    .channel(NioSocketChannel.class)
                    .option(ChannelOption.AUTO_READ, false)
                    .handler(new Back(front))
                    .connect(upstream)
                    .addListener((ChannelFutureListener) f -> {
                        if (f.isSuccess()) {
                            back = f.channel();
                            open.add(back);
                            if (front.pipeline().get(GlobalTrafficShapingHandler.class) != null) {
                                // The link shaper suspends reading only on a channel that reads by itself.
                                front.config().setAutoRead(true);
                            } else {
                                front.read();
                            }
                        } else {
                            front.close();
                        }
                    });
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Mode m = mode;
            if (m == Mode.BLACKHOLE || back == null || m == Mode.CUT) {
                ((ByteBuf) msg).release();
                if (m == Mode.CUT) {
                    ctx.close();
                }
                return;
            }
            requestBytes += ((ByteBuf) msg).readableBytes();
            if (m == Mode.RESET_MID_REQUEST && requestBytes > resetAfterBytes) {
                ByteBuf buf = (ByteBuf) msg;
                int keep = (int) Math.max(0, buf.readableBytes() - (requestBytes - resetAfterBytes));
                back.writeAndFlush(buf.retainedSlice(buf.readerIndex(), keep)).addListener(f -> {
                    reset(back);
                    reset(ctx.channel());
                });
                buf.release();
                connectionsReset.incrementAndGet();
                return;
            }
            forward(back, msg);
            ctx.channel().read();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (back != null) {
                closeOnFlush(back);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** The central-facing side of one connection. */
    private final class Back extends ChannelInboundHandlerAdapter {
        private final Channel front;

        Back(Channel front) {
            this.front = front;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.read();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (mode == Mode.BLACKHOLE || mode == Mode.CUT) {
                ((ByteBuf) msg).release(); // a link that went dark mid-exchange answers nothing
                return;
            }
            forward(front, msg);
            ctx.read();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closeOnFlush(front);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        open.close().syncUninterruptibly();
        GlobalTrafficShapingHandler link = linkShaper;
        if (link != null) {
            link.release();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
