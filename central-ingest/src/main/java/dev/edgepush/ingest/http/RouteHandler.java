package dev.edgepush.ingest.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * Pipeline position: first after the HTTP codec and keep-alive handler. Looks the request's
 * method and path up in the {@link Routes} and puts the {@link RouteMatch} on the channel for the
 * handlers after it; answers 404 (unknown path) or 405 (known path, wrong method) itself, in
 * the Prometheus JSON error shape ({@link HttpResponses#error}).
 */
final class RouteHandler extends HeadFilter {
    private final Routes routes;

    RouteHandler(Routes routes) {
        this.routes = routes;
    }

    @Override
    protected FullHttpResponse check(ChannelHandlerContext ctx, HttpRequest req) {
        ctx.channel().attr(RouteMatch.KEY).set(null);
        String path = new QueryStringDecoder(req.uri()).path();
        Routes.Lookup lookup = routes.lookup(req.method(), path);
        if (lookup instanceof Routes.Lookup.Found) {
            ctx.channel().attr(RouteMatch.KEY).set(((Routes.Lookup.Found) lookup).match());
            return null;
        }
        if (lookup instanceof Routes.Lookup.WrongMethod) {
            Route r = ((Routes.Lookup.WrongMethod) lookup).route();
            FullHttpResponse res = HttpResponses.error(
                    req,
                    HttpResponseStatus.METHOD_NOT_ALLOWED,
                    req.method() + " is not allowed on " + path + "; use " + r.methods());
            res.headers()
                    .set(HttpHeaderNames.ALLOW, r.methods().iterator().next().name());
            return res;
        }
        return HttpResponses.error(
                req,
                HttpResponseStatus.NOT_FOUND,
                "not found: " + path
                        + "; central-ingest serves POST /api/v1/write, /api/v1/import/prometheus,"
                        + " /insert/<accountID>/prometheus/api/v1/write; with a reader token the query API (/api/v1/query, query_range,"
                        + " series, labels, label/<name>/values, export, metadata, status/..., see central-ingest/README.md, also"
                        + " under /prometheus and /select/<accountID>/prometheus), /vmui/, /vmalert/; GET /api/v1/fleet, /api/v1/fleet/events, /fleet,"
                        + " /metrics, /health");
    }
}
