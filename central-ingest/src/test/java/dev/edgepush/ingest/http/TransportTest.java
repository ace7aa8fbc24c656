package dev.edgepush.ingest.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TransportTest {

    @Test
    void epollOnLinuxOnX86_64() {
        // The shaded jar carries the x86_64 library; anywhere else NIO is the answer, not an error.
        Transport expected = System.getProperty("os.name").equals("Linux")
                        && System.getProperty("os.arch").equals("amd64")
                ? Transport.EPOLL
                : Transport.NIO;
        assertEquals(expected, Transport.best());
    }

    /** A port already taken: the same words from either transport, as the launcher prints them. */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void aTakenPortIsSaidTheJdksWay(Transport t) throws Exception {
        if (t == Transport.EPOLL && Transport.best() != Transport.EPOLL) {
            return; // covered by epollOnLinuxOnX86_64
        }
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, t.ioHandlerFactory());
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            var bound = new ServerBootstrap()
                    .group(group)
                    .channel(t.serverChannel())
                    .childHandler(new ChannelInboundHandlerAdapter())
                    .bind("127.0.0.1", taken.getLocalPort())
                    .await();
            assertEquals("Address already in use", Transport.reason(bound.cause()));
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
        assertEquals(
                "Connection refused: /127.0.0.1:9",
                Transport.reason(new IOException("finishConnect(..) failed: Connection refused: /127.0.0.1:9")));
    }

    /** Each transport's loops take its own channel kinds: a server and a client connection echo a line. */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void aGroupNamesItsTransportAndItsChannelsWork(Transport t) throws Exception {
        if (t == Transport.EPOLL && Transport.best() != Transport.EPOLL) {
            return; // covered by the test above
        }
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, t.ioHandlerFactory());
        try {
            assertEquals(t, Transport.of(group));
            Channel server = new ServerBootstrap()
                    .group(group)
                    .channel(Transport.of(group).serverChannel())
                    .childHandler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ctx.writeAndFlush(msg);
                        }
                    })
                    .bind("127.0.0.1", 0)
                    .sync()
                    .channel();
            CompletableFuture<byte[]> echoed = new CompletableFuture<>();
            Channel client = new Bootstrap()
                    .group(group)
                    .channel(Transport.of(group.next()).socketChannel())
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ByteBuf b = (ByteBuf) msg;
                            byte[] bytes = new byte[b.readableBytes()];
                            b.readBytes(bytes);
                            b.release();
                            echoed.complete(bytes);
                        }
                    })
                    .connect((InetSocketAddress) server.localAddress())
                    .sync()
                    .channel();
            byte[] line = "hello\n".getBytes(StandardCharsets.US_ASCII);
            client.writeAndFlush(Unpooled.wrappedBuffer(line)).sync();
            assertArrayEquals(line, echoed.get(10, TimeUnit.SECONDS));
            client.close().sync();
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
