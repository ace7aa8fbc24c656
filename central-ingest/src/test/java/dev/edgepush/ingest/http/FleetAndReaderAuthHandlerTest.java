package dev.edgepush.ingest.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.ingest.auth.Identity;
import dev.edgepush.ingest.auth.Kind;
import dev.edgepush.ingest.auth.TokenStore;
import dev.edgepush.ingest.fleet.FleetRegistry;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Reader authentication (bearer and basic) and the fleet view, each in an EmbeddedChannel. */
class FleetAndReaderAuthHandlerTest {
  private static final Identity R1 = new Identity(Kind.ROBOT, "r1", "42");
  private static final Identity OPS = new Identity(Kind.READER, "ops", "42");
  private static final TokenStore TOKENS = t -> Optional.ofNullable(Map.of("rt", R1, "qt", OPS).get(t));
  private final Routes routes = new Routes(Routes.allRoutes());

  private EmbeddedChannel authChannel() {
    return new EmbeddedChannel(new RouteHandler(routes), new AuthHandler(TOKENS));
  }

  private static HttpRequest get(String uri, String authorization) {
    HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
    if (authorization != null) {
      req.headers().set(HttpHeaderNames.AUTHORIZATION, authorization);
    }
    return req;
  }

  private static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private static FullHttpResponse rejected(EmbeddedChannel ch, HttpRequest req, int code) {
    ch.writeInbound(req);
    FullHttpResponse res = ch.readOutbound();
    assertEquals(code, res.status().code(), res.content().toString(StandardCharsets.UTF_8));
    return res;
  }

  @Test
  void readerRoutesTakeTheTokenAsBearerOrAsTheBasicPassword() {
    for (String auth : new String[] {"Bearer qt", basic("anyone", "qt"), basic("", "qt")}) {
      EmbeddedChannel ch = authChannel();
      HttpRequest req = get("/prometheus/api/v1/query_range?query=up", auth);
      ch.writeInbound(req);
      assertSame(req, ch.readInbound(), auth);
      assertEquals(OPS, ch.attr(AuthHandler.IDENTITY).get());
      assertFalse(ch.finishAndReleaseAll());
    }
  }

  @Test
  void readerRoutesChallengeWithBasicSoABrowserPrompts() {
    for (String auth : new String[] {null, "Bearer nope", basic("ops", "nope"), "Basic !!!", basic("ops", "") }) {
      EmbeddedChannel ch = authChannel();
      FullHttpResponse res = rejected(ch, get("/vmui/", auth), 401);
      assertEquals("Basic realm=\"central-ingest\"", res.headers().get(HttpHeaderNames.WWW_AUTHENTICATE));
      res.release();
      assertFalse(ch.finishAndReleaseAll());
    }
  }

  @Test
  void robotTokensAndOtherTenantsAreForbiddenOnReaderRoutes() {
    EmbeddedChannel ch = authChannel();
    rejected(ch, get("/api/v1/query?query=up", "Bearer rt"), 403).release();
    rejected(ch, get("/api/v1/fleet", basic("r1", "rt")), 403).release();
    FullHttpResponse other = rejected(ch, get("/select/7/prometheus/api/v1/query?query=up", "Bearer qt"), 403);
    assertTrue(other.content().toString(StandardCharsets.UTF_8).contains("tenant '7'"));
    other.release();
    rejected(ch, get("/select/7/vmui/", basic("ops", "qt")), 403).release();
    HttpRequest own = get("/select/42:0/vmui/", basic("ops", "qt"));
    ch.writeInbound(own);
    assertSame(own, ch.readInbound());
    assertFalse(ch.finishAndReleaseAll());
  }

  @Test
  void basicAuthIsNotAcceptedForWrites() {
    EmbeddedChannel ch = authChannel();
    HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/api/v1/write");
    req.headers().set(HttpHeaderNames.AUTHORIZATION, basic("r1", "rt"));
    FullHttpResponse res = rejected(ch, req, 401);
    assertTrue(res.headers().get(HttpHeaderNames.WWW_AUTHENTICATE).startsWith("Bearer"));
    res.release();
    assertFalse(ch.finishAndReleaseAll());
  }

  private EmbeddedChannel fleetChannel(FleetRegistry fleet, long nowMs, String path) {
    EmbeddedChannel ch = new EmbeddedChannel(new FleetHandler(fleet, () -> nowMs));
    ch.attr(RouteMatch.KEY).set(((Routes.Lookup.Found) routes.lookup(HttpMethod.GET, path)).match());
    ch.attr(AuthHandler.IDENTITY).set(OPS);
    return ch;
  }

  private static String body(EmbeddedChannel ch, String path, String contentType) {
    FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
    ch.writeInbound(req);
    assertEquals(0, req.refCnt());
    FullHttpResponse res = ch.readOutbound();
    try {
      assertEquals(200, res.status().code());
      assertEquals(contentType, res.headers().get(HttpHeaderNames.CONTENT_TYPE));
      assertEquals("no-store", res.headers().get(HttpHeaderNames.CACHE_CONTROL));
      return res.content().toString(StandardCharsets.UTF_8);
    } finally {
      res.release();
    }
  }

  @Test
  void fleetJsonListsTheReadersTenantByNameWithRateBacklogAndState() {
    FleetRegistry fleet = new FleetRegistry(Duration.ofMinutes(2));
    long t0 = 1_700_000_000_000L;
    fleet.recordPush("r2", "42", t0 - 180_000, null, null); // 3 minutes ago: offline
    fleet.recordPush("r1", "42:0", t0 - 1_000, "1500", "12.5");
    for (int s = 0; s < 10; s++) {
      fleet.recordSamples("r1", "42", 100, t0 - 9_000 + s * 1000L);
    }
    fleet.recordPush("x9", "7", t0, "1", "1"); // another tenant
    EmbeddedChannel ch = fleetChannel(fleet, t0, "/api/v1/fleet");
    String json = body(ch, "/api/v1/fleet", "application/json");
    assertTrue(json.startsWith("{\"tenant\":\"42\",\"time\":\"2023-11-14T22:13:20Z\",\"offlineAfterSeconds\":120,"
        + "\"robotsTotal\":2,\"robotsOnline\":1,"), json);
    assertTrue(json.contains("{\"robot\":\"r1\",\"online\":true,\"lastPush\":\"2023-11-14T22:13:19Z\","
        + "\"lastPushAgeSeconds\":1.000,\"samplesPerSecond\":100.000,\"pendingSamples\":1500,"
        + "\"oldestPendingAgeSeconds\":12.500}"), json);
    assertTrue(json.contains("{\"robot\":\"r2\",\"online\":false,"), json);
    assertTrue(json.contains("\"pendingSamples\":null,\"oldestPendingAgeSeconds\":null}"), json);
    assertTrue(json.indexOf("\"r1\"") < json.indexOf("\"r2\""), "sorted by name");
    assertFalse(json.contains("x9"), "robots of other tenants are not shown");
    assertEquals(2, fleet.onlineCount(t0), "the metric counts every tenant with the same rule");
    assertFalse(ch.finishAndReleaseAll());
  }

  @Test
  void fleetPageRefreshesItselfAndEscapes() {
    FleetRegistry fleet = new FleetRegistry();
    fleet.recordPush("r1", "42", 1000, "3", null);
    EmbeddedChannel ch = fleetChannel(fleet, 2000, "/fleet");
    String html = body(ch, "/fleet", "text/html; charset=utf-8");
    assertTrue(html.contains("<meta http-equiv=\"refresh\" content=\"5\">"), html);
    assertTrue(html.contains("<td>r1</td><td class=\"on\">online</td><td>1.0 s ago</td><td>0.0</td><td>3</td><td>?</td>"),
        html);
    assertTrue(html.contains("1 of 1 robots online"), html);
    assertFalse(html.contains("<script"), "no scripts needed");
    assertFalse(ch.finishAndReleaseAll());
  }
}
