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
import java.util.Optional;

/**
 * Pipeline position: after {@link RouteHandler}, before the body is read. For a route that is
 * not public, resolves {@code Authorization: Bearer <token>} through the {@link TokenStore} and
 * puts the {@link Identity} on the channel ({@link #IDENTITY}). Answers 401 (no or unknown
 * token, with {@code WWW-Authenticate: Bearer}) and 403 (a token of the wrong kind, or a path
 * whose accountID is not the token's tenant).
 */
final class AuthHandler extends HeadFilter {
  public static final AttributeKey<Identity> IDENTITY = AttributeKey.valueOf("edgepush.identity");
  private static final String BEARER = "bearer ";
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
    String header = req.headers().get(HttpHeaderNames.AUTHORIZATION);
    if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return unauthorized("missing 'Authorization: Bearer <token>' (edge-agent: -remoteWrite.bearerTokenFile)");
    }
    Optional<Identity> found = tokens.lookup(header.substring(BEARER.length()).strip());
    if (found.isEmpty()) {
      return unauthorized("unknown bearer token");
    }
    Identity id = found.get();
    Kind needed = match.route().access() == Route.Access.ROBOT ? Kind.ROBOT : Kind.READER;
    if (id.kind() != needed) {
      return HttpResponses.text(HttpResponseStatus.FORBIDDEN, "a " + id.kind().name().toLowerCase(java.util.Locale.ROOT)
          + " token (" + id.name() + ") may not use " + match.route().name() + "; it needs a "
          + needed.name().toLowerCase(java.util.Locale.ROOT) + " token");
    }
    if (match.pathTenant() != null && !sameTenant(match.pathTenant(), id.tenant())) {
      return HttpResponses.text(HttpResponseStatus.FORBIDDEN, "the URL names tenant '" + match.pathTenant()
          + "' but the token of " + id.name() + " belongs to tenant '" + id.tenant() + "'");
    }
    ctx.channel().attr(IDENTITY).set(id);
    return null;
  }

  /** VictoriaMetrics reads accountID {@code 42} as {@code 42:0}. */
  static boolean sameTenant(String a, String b) {
    return normalize(a).equals(normalize(b));
  }

  private static String normalize(String t) {
    return t.endsWith(":0") ? t.substring(0, t.length() - 2) : t;
  }

  private static FullHttpResponse unauthorized(String why) {
    FullHttpResponse res = HttpResponses.text(HttpResponseStatus.UNAUTHORIZED, why);
    res.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"central-ingest\"");
    return res;
  }
}
