package dev.edgepush.ingest.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.util.AttributeKey;

/**
 * Pipeline position: the first head check, before {@link RouteHandler} (a preflight carries no
 * token), with its {@link Headers} on the outbound side just before it. CORS for browser
 * clients on other origins ({@link CorsPolicy}, {@code -http.corsAllowedOrigins}):
 *
 * <ul>
 *   <li>a preflight ({@code OPTIONS} with {@code Origin} and {@code
 *       Access-Control-Request-Method}) is answered here: 204 with the allowed methods and
 *       headers for an allowed origin, 403 (Prometheus JSON error) for any other or when CORS is
 *       off;
 *   <li>every response to a request from an allowed origin (401, 403, 404 and VictoriaMetrics'
 *       answers alike) gets {@code Access-Control-Allow-Origin} and {@code Vary: Origin}, plus
 *       {@code Access-Control-Allow-Credentials: true} for a listed origin.
 * </ul>
 */
final class CorsHandler extends HeadFilter {
    /** The allowed origin of the request being answered, or null. */
    static final AttributeKey<String> ORIGIN = AttributeKey.valueOf("edgepush.corsOrigin");

    static final String ALLOW_METHODS = "GET, POST, OPTIONS";
    static final String DEFAULT_ALLOW_HEADERS = "Authorization, Content-Type, Accept";
    static final String MAX_AGE_SECONDS = "600";
    private final CorsPolicy policy;

    CorsHandler(CorsPolicy policy) {
        this.policy = policy;
    }

    @Override
    protected FullHttpResponse check(ChannelHandlerContext ctx, HttpRequest req) {
        String origin = req.headers().get(HttpHeaderNames.ORIGIN);
        boolean allowed = policy.allows(origin);
        ctx.channel().attr(ORIGIN).set(allowed ? origin : null);
        boolean preflight = req.method().equals(HttpMethod.OPTIONS)
                && origin != null
                && req.headers().contains(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD);
        if (!preflight) {
            return null;
        }
        if (!allowed) {
            return HttpResponses.json(
                    HttpResponseStatus.FORBIDDEN,
                    "origin " + origin + " may not call central-ingest: "
                            + (policy.enabled()
                                    ? "it is not in -http.corsAllowedOrigins (" + policy + ")"
                                    : "CORS is off; list it in -http.corsAllowedOrigins, e.g. -http.corsAllowedOrigins="
                                            + origin));
        }
        FullHttpResponse res = HttpResponses.empty(HttpResponseStatus.NO_CONTENT);
        String requested = req.headers().get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS);
        res.headers()
                .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, ALLOW_METHODS)
                .set(
                        HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS,
                        requested != null && requested.matches("[A-Za-z0-9\\-_, ]{1,1000}")
                                ? requested
                                : DEFAULT_ALLOW_HEADERS)
                .set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, MAX_AGE_SECONDS);
        return res; // Headers adds the origin and credentials
    }

    /** The outbound half: adds the allow headers to the response of an allowed origin's request. */
    static final class Headers extends ChannelOutboundHandlerAdapter {
        private final CorsPolicy policy;

        Headers(CorsPolicy policy) {
            this.policy = policy;
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
            if (msg instanceof HttpResponse
                    && ((HttpResponse) msg).status().codeClass() != HttpStatusClass.INFORMATIONAL) {
                String origin = ctx.channel().attr(ORIGIN).getAndSet(null);
                HttpHeaders h = ((HttpResponse) msg).headers();
                if (origin != null) {
                    h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, policy.allowOrigin(origin));
                    if (policy.listed(origin)) {
                        h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
                    }
                }
                if (policy.enabled()) {
                    h.add(HttpHeaderNames.VARY, "Origin");
                }
            }
            super.write(ctx, msg, promise);
        }
    }
}
