package dev.edgepush.net.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Pipeline position: after the codec and {@link FramingErrorHandler}, before the keep-alive
 * handler and the endpoints, so it sees every decoded request part coming in and every response
 * going out. Closes a connection that holds the server without making progress, in the manner of
 * Netty's {@code ReadTimeoutHandler} but aware of where in a request the connection is:
 *
 * <ul>
 *   <li>HEAD: the head must be complete within {@code -http.headerReadTimeout} of the request's
 *       first byte (of the connection's opening, for the first request): slowloris;
 *   <li>BODY: no pause in the body longer than {@code -http.bodyReadTimeout}, and the body
 *       complete within {@code -http.maxBodyDuration} of the head (a chunked body that never
 *       ends, however steadily it trickles);
 *   <li>BUSY: the server is answering (WAL write, a proxied query): no timeout of ours;
 *   <li>IDLE: after the last answer, no byte for {@code -http.idleConnTimeout}: an idle
 *       keep-alive connection is closed (VictoriaMetrics' flag and default).
 * </ul>
 *
 * One timer per connection, on its event loop, re-armed only on phase changes (a body's chunks
 * just record the time, the timer looks when it fires). Counted in {@link ClosedConnections}.
 */
public final class RequestTimeoutsHandler extends ChannelDuplexHandler {
    enum Phase {
        HEAD,
        BODY,
        BUSY,
        IDLE
    }

    private final HttpServerLimits limits;
    private final ClosedConnections closed;
    private Phase phase = Phase.HEAD;
    /** Requests whose head was read and whose final response was not written yet. */
    private int inFlight;

    private long phaseStartNanos;
    private long lastBodyNanos;
    private ScheduledFuture<?> timer;
    private boolean stopped;
    /** A message came through since the last channelReadComplete. */
    private boolean readMessage;

    public RequestTimeoutsHandler(HttpServerLimits limits, ClosedConnections closed) {
        this.limits = limits;
        this.closed = closed;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive() && ctx.channel().isRegistered()) {
            enter(ctx, Phase.HEAD);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        enter(ctx, Phase.HEAD);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        readMessage = true;
        if (msg instanceof HttpRequest) {
            inFlight++;
            enter(ctx, Phase.BODY);
        } else if (msg instanceof HttpContent && phase == Phase.BODY) {
            lastBodyNanos = System.nanoTime();
        }
        if (msg instanceof LastHttpContent && phase == Phase.BODY) {
            enter(ctx, inFlight == 0 ? Phase.IDLE : Phase.BUSY);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // Bytes arrived that did not complete a head (the codec passes nothing on until it has one):
        // a new request has begun, and its head has -http.headerReadTimeout from now. A read that
        // did pass messages on ended a request, whose answer may already have made the phase IDLE.
        if (phase == Phase.IDLE && !readMessage) {
            enter(ctx, Phase.HEAD);
        }
        readMessage = false;
        ctx.fireChannelReadComplete();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        boolean interim = msg instanceof HttpResponse
                && ((HttpResponse) msg).status().codeClass() == HttpStatusClass.INFORMATIONAL;
        if (msg instanceof LastHttpContent && !interim) {
            inFlight = Math.max(0, inFlight - 1);
            if (inFlight == 0 && phase == Phase.BUSY) {
                enter(ctx, Phase.IDLE);
            }
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stop();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    Phase phase() {
        return phase;
    }

    private void stop() {
        stopped = true;
        cancel();
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void enter(ChannelHandlerContext ctx, Phase next) {
        phase = next;
        phaseStartNanos = System.nanoTime();
        lastBodyNanos = phaseStartNanos;
        arm(ctx);
    }

    private void arm(ChannelHandlerContext ctx) {
        cancel();
        if (stopped) {
            return;
        }
        long delayMs = remainingMs(System.nanoTime());
        if (delayMs == Long.MAX_VALUE) {
            return;
        }
        Phase armedFor = phase;
        timer = ctx.executor().schedule(() -> fire(ctx, armedFor), Math.max(1, delayMs), TimeUnit.MILLISECONDS);
    }

    /** Milliseconds left in the current phase, Long.MAX_VALUE when it has no timeout. */
    private long remainingMs(long now) {
        long sinceStartMs = TimeUnit.NANOSECONDS.toMillis(now - phaseStartNanos);
        return switch (phase) {
            case HEAD -> left(limits.headerReadTimeoutMs(), sinceStartMs);
            case IDLE -> left(limits.idleConnTimeoutMs(), sinceStartMs);
            case BODY ->
                Math.min(
                        left(limits.bodyReadTimeoutMs(), TimeUnit.NANOSECONDS.toMillis(now - lastBodyNanos)),
                        left(limits.maxBodyDurationMs(), sinceStartMs));
            case BUSY -> Long.MAX_VALUE;
        };
    }

    private static long left(long timeoutMs, long elapsedMs) {
        return timeoutMs == 0 ? Long.MAX_VALUE : timeoutMs - elapsedMs;
    }

    private void fire(ChannelHandlerContext ctx, Phase armedFor) {
        timer = null;
        if (stopped || phase != armedFor) {
            return;
        }
        if (remainingMs(System.nanoTime()) > 0) {
            arm(ctx); // the body moved on since the timer was set
            return;
        }
        ClosedConnections.Reason reason =
                switch (phase) {
                    case HEAD -> ClosedConnections.Reason.HEADER_TIMEOUT;
                    case BODY -> ClosedConnections.Reason.BODY_TIMEOUT;
                    default -> ClosedConnections.Reason.IDLE_TIMEOUT;
                };
        stop();
        closed.closed(reason, ctx.channel().remoteAddress(), null);
        ctx.close();
    }
}
