package dev.edgepush.ingest.http;

import dev.edgepush.ingest.auth.Identity;
import dev.edgepush.ingest.auth.Kind;
import dev.edgepush.ingest.auth.TokenStore;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AttributeKey;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;

/**
 * Pipeline position: after {@link RouteHandler}, before the body is read. For a route that is
 * not public, resolves the token through the {@link TokenStore} and puts the {@link Identity} on
 * the channel ({@link #IDENTITY}).
 *
 * <p>The token comes from {@code Authorization: Bearer <token>}; on reader routes (query proxy,
 * VMUI, fleet) also from {@code Authorization: Basic}, the token being the password and the user
 * name ignored, because a browser cannot send a bearer token. Answers 401 for no or an unknown
 * token, with {@code WWW-Authenticate: Bearer} on robot routes and {@code Basic} on reader routes
 * (so a browser prompts), and 403 for a token of the wrong kind or a path whose accountID is not
 * the token's tenant. On reader routes these are Prometheus JSON errors ({@link
 * HttpResponses#error}), on robot routes plain text.
 */
final class AuthHandler extends HeadFilter {
    public static final AttributeKey<Identity> IDENTITY = AttributeKey.valueOf("edgepush.identity");
    static final String BASIC_CHALLENGE = "Basic realm=\"central-ingest\"";
    private static final String BEARER = "bearer ";
    private static final String BASIC = "basic ";
    private final TokenStore tokens;

    AuthHandler(TokenStore tokens) {
        this.tokens = tokens;
    }

    @Override
    protected FullHttpResponse check(ChannelHandlerContext ctx, HttpRequest req) {
        ctx.channel().attr(IDENTITY).set(null);
        RouteMatch match = ctx.channel().attr(RouteMatch.KEY).get();
        if (match == null || match.route().access() == Route.Access.PUBLIC) {
            return null;
        }
        boolean reader = match.route().access() == Route.Access.READER;
        String header = req.headers().get(HttpHeaderNames.AUTHORIZATION);
        String token = null;
        if (header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            token = header.substring(BEARER.length()).strip();
        } else if (reader && header != null && header.regionMatches(true, 0, BASIC, 0, BASIC.length())) {
            token = basicPassword(header.substring(BASIC.length()).strip());
        }
        if (token == null) {
            return unauthorized(
                    req,
                    reader,
                    reader
                            ? "missing 'Authorization: Bearer <reader token>' or basic auth with the reader token as the password"
                            : "missing 'Authorization: Bearer <token>' (edge-agent: -remoteWrite.bearerTokenFile)");
        }
        Optional<Identity> found = tokens.lookup(token);
        if (found.isEmpty()) {
            return unauthorized(req, reader, "unknown token");
        }
        Identity id = found.get();
        Kind needed = reader ? Kind.READER : Kind.ROBOT;
        if (id.kind() != needed) {
            return refuse(
                    req,
                    reader,
                    HttpResponseStatus.FORBIDDEN,
                    "a " + id.kind().name().toLowerCase(Locale.ROOT)
                            + " token (" + id.name() + ") may not use "
                            + match.route().name() + "; it needs a "
                            + needed.name().toLowerCase(Locale.ROOT) + " token");
        }
        if (match.pathTenant() != null && !id.inTenant(match.pathTenant())) {
            return refuse(
                    req,
                    reader,
                    HttpResponseStatus.FORBIDDEN,
                    "the URL names tenant '" + match.pathTenant() + "' but the token of " + id.name()
                            + " belongs to tenant '" + id.tenant() + "'");
        }
        ctx.channel().attr(IDENTITY).set(id);
        return null;
    }

    /** The password of {@code user:password} in base64, or null when it is not that. */
    private static String basicPassword(String encoded) {
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        return colon < 0 ? null : decoded.substring(colon + 1);
    }

    /** Reader routes answer in the Prometheus JSON error shape (VMUI, Grafana); robot routes in text. */
    private static FullHttpResponse refuse(HttpRequest req, boolean reader, HttpResponseStatus status, String why) {
        return reader ? HttpResponses.error(req, status, why) : HttpResponses.text(status, why);
    }

    private static FullHttpResponse unauthorized(HttpRequest req, boolean reader, String why) {
        FullHttpResponse res = refuse(req, reader, HttpResponseStatus.UNAUTHORIZED, why);
        res.headers()
                .set(HttpHeaderNames.WWW_AUTHENTICATE, reader ? BASIC_CHALLENGE : "Bearer realm=\"central-ingest\"");
        return res;
    }
}
