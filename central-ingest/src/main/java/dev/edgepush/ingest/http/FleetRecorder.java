package dev.edgepush.ingest.http;

import dev.edgepush.ingest.auth.Identity;
import dev.edgepush.ingest.auth.Kind;
import dev.edgepush.ingest.fleet.FleetRegistry;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import java.util.function.LongSupplier;

/**
 * Pipeline position: right after {@link AuthHandler}. Notes every authenticated robot request
 * (even one that is then rate limited or refused: the robot is online either way) and the
 * backlog its agent reports in {@code X-Edgepush-Pending-Samples} and {@code
 * X-Edgepush-Oldest-Pending-Age-Seconds}, its total of dropped samples ({@code
 * X-Edgepush-Dropped-Samples}) and its clock ({@code X-Edgepush-Agent-Time-Ms}, for the robot's
 * clock skew) in the {@link FleetRegistry}. Never rejects.
 */
final class FleetRecorder extends HeadFilter {
    static final String PENDING_HEADER = "X-Edgepush-Pending-Samples";
    static final String OLDEST_AGE_HEADER = "X-Edgepush-Oldest-Pending-Age-Seconds";
    static final String DROPPED_HEADER = "X-Edgepush-Dropped-Samples";
    static final String AGENT_TIME_HEADER = "X-Edgepush-Agent-Time-Ms";
    private final FleetRegistry fleet;
    private final LongSupplier clockMs;

    FleetRecorder(FleetRegistry fleet, LongSupplier clockMs) {
        this.fleet = fleet;
        this.clockMs = clockMs;
    }

    @Override
    protected FullHttpResponse check(ChannelHandlerContext ctx, HttpRequest req) {
        Identity id = ctx.channel().attr(AuthHandler.IDENTITY).get();
        if (id != null && id.kind() == Kind.ROBOT) {
            fleet.recordPush(
                    id.name(),
                    id.tenant(),
                    clockMs.getAsLong(),
                    req.headers().get(PENDING_HEADER),
                    req.headers().get(OLDEST_AGE_HEADER),
                    req.headers().get(DROPPED_HEADER),
                    req.headers().get(AGENT_TIME_HEADER));
        }
        return null;
    }
}
