package dev.edgepush.ingest.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * Pipeline position: a head check right after {@link RouteHandler}. A request on a {@link
 * Route#CLOSED} path (admin, snapshots, write and import paths other than the robots' own,
 * VictoriaMetrics' own configuration pages: {@link Route#CLOSED_PATH}) is answered 403 with a
 * Prometheus JSON error naming why, whatever its token, and never reaches VictoriaMetrics. Its
 * body is never read.
 */
final class ClosedPathHandler extends HeadFilter {
    static final String WHY = " is closed in central-ingest's reader door: admin, write, import and server"
            + " configuration paths are not served to readers (central-ingest/README.md, \"Querying: the reader door\")";

    @Override
    protected FullHttpResponse check(ChannelHandlerContext ctx, HttpRequest req) {
        RouteMatch match = ctx.channel().attr(RouteMatch.KEY).get();
        if (match == null || !match.is(Route.CLOSED)) {
            return null;
        }
        String path = new QueryStringDecoder(req.uri()).path();
        return HttpResponses.error(req, HttpResponseStatus.FORBIDDEN, path + WHY);
    }
}
