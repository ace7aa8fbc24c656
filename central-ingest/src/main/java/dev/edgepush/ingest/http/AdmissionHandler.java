package dev.edgepush.ingest.http;

import dev.edgepush.ingest.auth.Identity;
import dev.edgepush.ingest.auth.Kind;
import dev.edgepush.ingest.limit.RobotRateLimiter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

/**
 * Pipeline position: after auth, before the body is read. Answers 429 with {@code Retry-After}
 * (so the agent keeps its data buffered and comes back later) when the robot is over its rate
 * ({@link RobotRateLimiter}) or the WAL backlog is over {@code -wal.maxPendingSamples}. The
 * Retry-After of a backlog refusal is spread at random over {@link #BACKLOG_RETRY_MIN_S}..{@link
 * #BACKLOG_RETRY_MAX_S} seconds, so a fleet that reconnects at once comes back spread out.
 */
final class AdmissionHandler extends HeadFilter {
    /** Long enough for the forwarder to drain a few batches. */
    static final int BACKLOG_RETRY_MIN_S = 5;
    /** Short enough that a robot's own buffer does not grow much meanwhile (it holds hours). */
    static final int BACKLOG_RETRY_MAX_S = 30;

    private final RobotRateLimiter limiter;
    private final LongSupplier walPendingSamples;
    private final long maxPendingSamples;

    AdmissionHandler(RobotRateLimiter limiter, LongSupplier walPendingSamples, long maxPendingSamples) {
        this.limiter = limiter;
        this.walPendingSamples = walPendingSamples;
        this.maxPendingSamples = maxPendingSamples;
    }

    @Override
    protected FullHttpResponse check(ChannelHandlerContext ctx, HttpRequest req) {
        Identity id = ctx.channel().attr(AuthHandler.IDENTITY).get();
        if (id == null || id.kind() != Kind.ROBOT) {
            return null;
        }
        long pending = walPendingSamples.getAsLong();
        if (maxPendingSamples > 0 && pending > maxPendingSamples) {
            int after = ThreadLocalRandom.current().nextInt(BACKLOG_RETRY_MIN_S, BACKLOG_RETRY_MAX_S + 1);
            return tooMany(
                    after,
                    "the ingest's backlog (" + pending + " samples) is over -wal.maxPendingSamples=" + maxPendingSamples
                            + "; keep the data buffered and retry in " + after + " s");
        }
        long waitMs = limiter.waitMs(id.name());
        if (waitMs > 0) {
            // Up to a second of jitter on top: robots limited together do not return together.
            int after = (int) Math.min(
                    Integer.MAX_VALUE,
                    (waitMs + 999) / 1000 + ThreadLocalRandom.current().nextInt(2));
            return tooMany(
                    after, "robot " + id.name() + " is over -maxSamplesPerSecondPerRobot; retry in " + after + " s");
        }
        return null;
    }

    private static FullHttpResponse tooMany(int afterSeconds, String why) {
        FullHttpResponse res = HttpResponses.text(HttpResponseStatus.TOO_MANY_REQUESTS, why);
        res.headers().setInt(HttpHeaderNames.RETRY_AFTER, Math.max(1, afterSeconds));
        return res;
    }
}
