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
    private static final TokenStore TOKENS =
            t -> Optional.ofNullable(Map.of("rt", R1, "qt", OPS).get(t));
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
        for (String auth : new String[] {null, "Bearer nope", basic("ops", "nope"), "Basic !!!", basic("ops", "")}) {
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
        // r2's push carried edge-agent's sequence headers: excerpts 0-4 and 8-9 of 0-11.
        fleet.completeness()
                .record(
                        "42",
                        "r2",
                        true,
                        new dev.edgepush.ingest.completeness.PushSeq(
                                "00000000000000aa",
                                new long[] {0, 4, 8, 9},
                                70,
                                1_700_000_000_000L - 200_000,
                                12,
                                "disk_full=60,corrupt=0",
                                30),
                        t0 - 180_000);
        fleet.recordPush("r1", "42:0", t0 - 1_000, "1500", "12.5");
        for (int s = 0; s < 10; s++) {
            fleet.recordSamples("r1", "42", 100, t0 - 9_000 + s * 1000L);
        }
        fleet.recordPush("x9", "7", t0, "1", "1"); // another tenant
        EmbeddedChannel ch = fleetChannel(fleet, t0, "/api/v1/fleet");
        String json = body(ch, "/api/v1/fleet", "application/json");
        assertTrue(
                json.startsWith("{\"tenant\":\"42\",\"time\":\"2023-11-14T22:13:20Z\",\"offlineAfterSeconds\":120,"
                        + "\"robotsTotal\":2,\"robotsOnline\":1,"),
                json);
        assertTrue(
                json.contains(
                        "{\"robot\":\"r1\",\"online\":true,\"lastPush\":\"2023-11-14T22:13:19Z\","
                                + "\"lastPushAgeSeconds\":1.000,\"samplesPerSecond\":100.000,\"pendingSamples\":1500,"
                                + "\"oldestPendingAgeSeconds\":12.500,\"refusedSamples\":{\"tooOld\":0,\"tooNew\":0},\"completeness\":null}"),
                json);
        assertTrue(json.contains("{\"robot\":\"r2\",\"online\":false,"), json);
        assertTrue(
                json.contains("\"completeness\":{\"epoch\":\"00000000000000aa\",\"epochs\":1,\"receivedExcerpts\":7,"
                        + "\"receivedSamples\":70,\"duplicateExcerpts\":0,\"duplicateSamples\":0,\"nextSeq\":12,\"completeThroughSeq\":4,"
                        + "\"completeUpTo\":\"2023-11-14T22:10:00Z\",\"missingExcerpts\":{\"dropped\":3,\"refused\":0,\"pending\":2,"
                        + "\"lost\":0},\"refusedSamples\":0,\"missingRanges\":[{\"first\":5,\"last\":7,\"excerpts\":3,\"reason\":"
                        + "\"dropped\"},{\"first\":10,\"last\":11,\"excerpts\":2,\"reason\":\"pending\"}],\"robotDroppedSamples\":"
                        + "{\"disk_full\":60,\"corrupt\":0},\"robotPendingSamples\":30}}"),
                json);
        assertTrue(json.contains("\"pendingSamples\":null,\"oldestPendingAgeSeconds\":null,"), json);
        assertTrue(json.indexOf("\"r1\"") < json.indexOf("\"r2\""), "sorted by name");
        assertFalse(json.contains("x9"), "robots of other tenants are not shown");
        assertEquals(2, fleet.onlineCount(t0), "the metric counts every tenant with the same rule");
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void fleetPageShowsTheTableWithoutScriptsAndLinksItsLiveScriptAndAssets() {
        FleetRegistry fleet = new FleetRegistry();
        fleet.recordPush("r1", "42", 1000, "3", null, "0", "1200");
        fleet.recordPush("<b>", "42", 1000, null, null);
        fleet.recordPush("r3", "42", 1000, null, null);
        // r1 received 0-9 of 0-11 (2 pending: complete); r3 lost 5-7 on the robot.
        fleet.completeness()
                .record(
                        "42",
                        "r1",
                        true,
                        new dev.edgepush.ingest.completeness.PushSeq(
                                "00000000000000aa", new long[] {0, 9}, 10, 900, 12, null, 2),
                        1000);
        fleet.completeness()
                .record(
                        "42",
                        "r3",
                        true,
                        new dev.edgepush.ingest.completeness.PushSeq(
                                "00000000000000bb", new long[] {0, 4, 8, 9}, 7, 900, 10, null, 0),
                        1000);
        EmbeddedChannel ch = fleetChannel(fleet, 2000, "/fleet");
        String html = body(ch, "/fleet", "text/html; charset=utf-8");
        assertTrue(html.contains("<noscript><meta http-equiv=\"refresh\" content=\"5\"></noscript>"), html);
        assertTrue(
                html.contains("<tr data-robot=\"r1\"><td class=\"robot\" data-label=\"robot\">r1</td>"
                        + "<td class=\"state online\" data-label=\"state\">online</td>"
                        + "<td class=\"lastPush\" data-label=\"last push\">1.0 s ago</td>"
                        + "<td class=\"pending\" data-label=\"backlog\">3</td>"),
                html);
        assertTrue(html.contains("<td class=\"skew\" data-label=\"clock skew\">+0.2 s</td>"), html);
        assertTrue(html.contains("&lt;b&gt;") && !html.contains("<b>"), "robot names are escaped: " + html);
        assertTrue(html.contains("3 of 3 robots online"), html);
        assertTrue(html.contains("<th data-key=\"complete\">complete</th>"), html);
        assertTrue(
                html.contains("<td class=\"complete\" data-label=\"complete\" title=\"complete up to"
                        + " 1970-01-01T00:00:00.900Z\">complete</td>"),
                html);
        assertTrue(
                html.contains("<td class=\"complete warn\" data-label=\"complete\" title=\"complete up to"
                        + " 1970-01-01T00:00:00.900Z\">3 missing</td>"),
                html);
        assertTrue(
                html.contains("<td class=\"complete\" data-label=\"complete\">?</td>"),
                "<b> is not accounted: " + html);
        assertTrue(html.contains("<script src=\"" + FleetAssets.url("fleet.js") + "\" defer></script>"), html);
        assertTrue(html.contains("data-events=\"/api/v1/fleet/events\""), html);
        assertTrue(html.contains("name=\"viewport\""), "readable on a phone");
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void fleetEventJsonHasStateDropsSkewAndTheBacklogTrend() {
        FleetRegistry fleet = new FleetRegistry(Duration.ofMinutes(2));
        long t0 = 1_700_000_000_000L;
        fleet.recordPush("r1", "42", t0 - 3_000, "3000", "30", "5", Long.toString(t0 - 3_000 - 1500));
        fleet.recordPush("r1", "42", t0 - 2_000, "1000", "20", "5", Long.toString(t0 - 2_000 - 1500));
        fleet.recordPush("r1", "42", t0 - 1_000, "10", "0.5", "5", Long.toString(t0 - 1_000 - 1500));
        fleet.recordPush("r2", "42", t0 - 1_000, "5000", "60", null, null);
        fleet.recordPush("r3", "42", t0 - 600_000, "7", "1", null, null);
        fleet.recordOutOfRange("r2", "42", 2, 3);
        fleet.recordOutOfRange("r2", "42", 1, 0);
        String json = new dev.edgepush.ingest.fleet.FleetReport("42", t0, fleet).eventJson();
        assertTrue(
                json.startsWith("{\"tenant\":\"42\",\"timeMs\":1700000000000,\"offlineAfterSeconds\":120,"
                        + "\"drainingAfterSeconds\":10.000,\"robotsTotal\":3,\"robotsOnline\":2,"),
                json);
        assertTrue(
                json.contains("{\"robot\":\"r1\",\"state\":\"online\",\"lastPushMs\":1699999999000,"
                        + "\"lastPushAgeSeconds\":1.000,\"samplesPerSecond\":0.000,\"pendingSamples\":10,"
                        + "\"oldestPendingAgeSeconds\":0.500,\"refusedSamples\":{\"tooOld\":0,\"tooNew\":0},\"completeness\":null,\"droppedSamples\":5,\"clockSkewSeconds\":-1.500,"
                        + "\"backlog\":[[1699999997,3000],[1699999998,1000],[1699999999,10]]}"),
                json);
        assertTrue(json.contains("{\"robot\":\"r2\",\"state\":\"draining\","), "an old backlog: " + json);
        assertTrue(
                json.contains("\"refusedSamples\":{\"tooOld\":3,\"tooNew\":3}"), "r2's out-of-range samples: " + json);
        assertTrue(
                json.contains("\"droppedSamples\":null,\"clockSkewSeconds\":null,\"backlog\":[[1699999999,5000]]}"),
                json);
        assertTrue(json.contains("{\"robot\":\"r3\",\"state\":\"offline\","), json);
        assertTrue(json.contains("\"backlog\":[]}"), "r3's report is older than the trend's window: " + json);
    }

    @Test
    void eventStreamSendsAnEventASecondAndRefusesTheNinthStreamOfAnAddress() throws Exception {
        FleetRegistry fleet = new FleetRegistry();
        fleet.recordPush("r1", "42", 1000, "3", "0.1", "0", "1000");
        FleetStreams streams = new FleetStreams();
        java.util.List<EmbeddedChannel> open = new java.util.ArrayList<>();
        for (int i = 0; i < FleetStreams.MAX_PER_ADDRESS; i++) {
            EmbeddedChannel ch = streamChannel(fleet, streams);
            ch.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/api/v1/fleet/events"));
            io.netty.handler.codec.http.HttpResponse head = ch.readOutbound();
            assertEquals(200, head.status().code());
            assertEquals("text/event-stream; charset=utf-8", head.headers().get(HttpHeaderNames.CONTENT_TYPE));
            assertEquals("retry: 2000\n\n", content(ch.readOutbound()));
            String first = content(ch.readOutbound());
            assertTrue(first.startsWith("data: {\"tenant\":\"42\",") && first.endsWith("]}\n\n"), first);
            assertFalse(first.substring(0, first.length() - 2).contains("\n"), "one line per event: " + first);
            open.add(ch);
        }
        assertEquals(FleetStreams.MAX_PER_ADDRESS, streams.openCount());
        EmbeddedChannel ninth = streamChannel(fleet, streams);
        ninth.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/api/v1/fleet/events"));
        FullHttpResponse refused = ninth.readOutbound();
        assertEquals(429, refused.status().code());
        assertEquals("10", refused.headers().get(HttpHeaderNames.RETRY_AFTER));
        refused.release();

        EmbeddedChannel ch = open.get(0);
        ch.advanceTimeBy(FleetHandler.EVENT_INTERVAL_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertTrue(content(ch.readOutbound()).startsWith("data: {"), "the next event, a second later");

        ch.close();
        assertEquals(FleetStreams.MAX_PER_ADDRESS - 1, streams.openCount(), "a closed stream gives its place back");
        EmbeddedChannel again = streamChannel(fleet, streams);
        again.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/api/v1/fleet/events"));
        io.netty.handler.codec.http.HttpResponse head = again.readOutbound();
        assertEquals(200, head.status().code());
        again.finishAndReleaseAll();
        for (EmbeddedChannel c : open) {
            c.finishAndReleaseAll();
        }
        ninth.finishAndReleaseAll();
    }

    @Test
    void closeAllEndsEveryStreamWithTheLastChunkAndRefusesNewOnes() {
        FleetRegistry fleet = new FleetRegistry();
        FleetStreams streams = new FleetStreams();
        EmbeddedChannel ch = streamChannel(fleet, streams);
        ch.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/api/v1/fleet/events"));
        streams.closeAll(0);
        ch.runPendingTasks();
        Object last = null;
        for (Object o; (o = ch.readOutbound()) != null; ) {
            if (last != null) {
                io.netty.util.ReferenceCountUtil.release(last);
            }
            last = o;
        }
        assertTrue(last instanceof io.netty.handler.codec.http.LastHttpContent, String.valueOf(last));
        assertFalse(ch.isOpen(), "then the connection closes");
        assertEquals(0, streams.openCount());
        EmbeddedChannel late = streamChannel(fleet, streams);
        late.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/api/v1/fleet/events"));
        FullHttpResponse refused = late.readOutbound();
        assertEquals(429, refused.status().code());
        refused.release();
        late.finishAndReleaseAll();
    }

    @Test
    void assetsAreServedWithCacheHeadersAndAnEtagThatAnswers304() {
        FleetRegistry fleet = new FleetRegistry();
        EmbeddedChannel ch = fleetChannel(fleet, 1000, "/fleet/assets/uPlot.iife.min.js");
        ch.writeInbound(
                new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, FleetAssets.url("uPlot.iife.min.js")));
        FullHttpResponse res = ch.readOutbound();
        assertEquals(200, res.status().code());
        assertEquals("text/javascript; charset=utf-8", res.headers().get(HttpHeaderNames.CONTENT_TYPE));
        assertEquals("private, max-age=3600", res.headers().get(HttpHeaderNames.CACHE_CONTROL));
        assertTrue(res.content().toString(StandardCharsets.UTF_8).contains("uPlot"));
        String etag = res.headers().get(HttpHeaderNames.ETAG);
        res.release();
        FullHttpRequest again =
                new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/fleet/assets/uPlot.iife.min.js");
        again.headers().set(HttpHeaderNames.IF_NONE_MATCH, etag);
        ch.writeInbound(again);
        FullHttpResponse notModified = ch.readOutbound();
        assertEquals(304, notModified.status().code());
        notModified.release();
        assertFalse(ch.finishAndReleaseAll());
        EmbeddedChannel missing = fleetChannel(fleet, 1000, "/fleet/assets/nope.js");
        missing.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/fleet/assets/nope.js"));
        FullHttpResponse notFound = missing.readOutbound();
        assertEquals(404, notFound.status().code());
        notFound.release();
        assertFalse(missing.finishAndReleaseAll());
    }

    private EmbeddedChannel streamChannel(FleetRegistry fleet, FleetStreams streams) {
        EmbeddedChannel ch = new EmbeddedChannel(new FleetHandler(fleet, () -> 2000, streams));
        ch.attr(RouteMatch.KEY)
                .set(((Routes.Lookup.Found) routes.lookup(HttpMethod.GET, "/api/v1/fleet/events")).match());
        ch.attr(AuthHandler.IDENTITY).set(OPS);
        return ch;
    }

    private static String content(Object chunk) {
        io.netty.handler.codec.http.HttpContent c = (io.netty.handler.codec.http.HttpContent) chunk;
        try {
            return c.content().toString(StandardCharsets.UTF_8);
        } finally {
            c.release();
        }
    }
}
