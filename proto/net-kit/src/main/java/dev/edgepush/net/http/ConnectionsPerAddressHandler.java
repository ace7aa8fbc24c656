package dev.edgepush.net.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Pipeline position: the first of the HTTP guards, before the codec (after TLS, if any; it acts
 * on {@code channelActive}, before any byte is read). Caps the connections open at once from one
 * client IP address at {@code -http.maxConnsPerAddress}: one more is closed at once, counted as
 * {@code too_many_connections} and logged (rate limited). Closing rather than answering 429
 * keeps it independent of TLS and costs the server nothing. Sharable: one instance per server
 * holds the counts.
 */
@ChannelHandler.Sharable
public final class ConnectionsPerAddressHandler extends ChannelInboundHandlerAdapter {
    private static final AttributeKey<InetAddress> COUNTED = AttributeKey.valueOf("edgepush.connCapCounted");
    private final int maxConnsPerAddress;
    private final ClosedConnections closed;
    private final ConcurrentHashMap<InetAddress, Integer> open = new ConcurrentHashMap<>();

    public ConnectionsPerAddressHandler(int maxConnsPerAddress, ClosedConnections closed) {
        this.maxConnsPerAddress = maxConnsPerAddress;
        this.closed = closed;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        SocketAddress remote = ctx.channel().remoteAddress();
        if (!(remote instanceof InetSocketAddress)) {
            ctx.fireChannelActive();
            return;
        }
        InetAddress addr = ((InetSocketAddress) remote).getAddress();
        int n = open.merge(addr, 1, Integer::sum);
        ctx.channel().attr(COUNTED).set(addr);
        if (n > maxConnsPerAddress) {
            closed.closed(
                    ClosedConnections.Reason.TOO_MANY_CONNECTIONS,
                    addr.getHostAddress(),
                    n - 1 + " open, -http.maxConnsPerAddress=" + maxConnsPerAddress);
            ctx.close();
            return;
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        InetAddress addr = ctx.channel().attr(COUNTED).getAndSet(null);
        if (addr != null) {
            open.computeIfPresent(addr, (a, c) -> c <= 1 ? null : c - 1);
        }
        ctx.fireChannelInactive();
    }

    /** Connections counted as open from {@code addr} (for tests). */
    int openFrom(InetAddress addr) {
        return open.getOrDefault(addr, 0);
    }
}
