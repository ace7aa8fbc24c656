package dev.edgepush.net.tls;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Right after the listener's {@code SslHandler}: logs a refused handshake as one line naming the
 * peer and the reason ({@link TlsFailure}). Rate-limited per reason: at most one line per {@link
 * #EVERY_MS} for each {@link TlsFailure#kind} (a handful of kinds), the next line saying how many
 * were left out, so that a scanner knocking a thousand times a second writes a few lines every
 * ten seconds, not a thousand. Shared by every connection of a listener.
 */
@ChannelHandler.Sharable
final class HandshakeLog extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(HandshakeLog.class);
    static final long EVERY_MS = 10_000;

    private final String component;
    private final LongSupplier clockMs;
    /** Per kind: {last logged at ms, left out since}. The kinds are a small fixed set. */
    private final Map<String, long[]> lastByKind = new ConcurrentHashMap<>();

    HandshakeLog(String component, LongSupplier clockMs) {
        this.component = component;
        this.clockMs = clockMs;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent e && !e.isSuccess()) {
            refused(ctx.channel().remoteAddress(), TlsFailure.of(e.cause(), true));
        }
        super.userEventTriggered(ctx, evt);
    }

    /** The handshake's failure also reaches here as an exception: it is logged above, not again. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (TlsFailure.isTls(cause)) {
            ctx.close();
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    /** Logs the refusal unless one of its kind was logged less than {@link #EVERY_MS} ago; true if logged. */
    boolean refused(SocketAddress from, TlsFailure f) {
        long now = clockMs.getAsLong();
        long[] state = lastByKind.computeIfAbsent(f.kind(), k -> new long[] {Long.MIN_VALUE, 0});
        long leftOut;
        synchronized (state) {
            if (state[0] != Long.MIN_VALUE && now - state[0] < EVERY_MS) {
                state[1]++;
                return false;
            }
            leftOut = state[1];
            state[0] = now;
            state[1] = 0;
        }
        log.warn(
                "{}: TLS handshake from {} refused: {}{}",
                component,
                address(from),
                f.text(),
                leftOut == 0
                        ? ""
                        : " (" + leftOut + " more refused for this reason since the last such line,"
                                + " not logged: at most one line per " + EVERY_MS / 1000 + " s per reason)");
        return true;
    }

    private static String address(SocketAddress a) {
        String s = String.valueOf(a);
        return s.startsWith("/") ? s.substring(1) : s;
    }
}
