package dev.edgepush.ingest.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.ingest.auth.Identity;
import dev.edgepush.ingest.auth.Kind;
import dev.edgepush.ingest.query.QueryTarget;
import io.netty.buffer.Unpooled;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The query proxy in an EmbeddedChannel, its upstream connection another EmbeddedChannel: what
 * VictoriaMetrics is asked, that the answer is relayed chunk by chunk (never aggregated), that
 * reading upstream pauses while the client is not writable, and the 502/503 answers.
 */
class QueryProxyHandlerTest {
    private static final Identity OPS = new Identity(Kind.READER, "ops", "42");
    private final Routes routes = new Routes(Routes.allRoutes());
    private final List<QueryTarget.Address> asked = new ArrayList<>();
    private final List<EmbeddedChannel> upstreams = new ArrayList<>();
    private final List<EmbeddedChannel> clients = new ArrayList<>();

    /** A connector whose "connection" is an EmbeddedChannel holding only the relay. */
    private final UpstreamConnector connector = (loop, address, relay) -> {
        asked.add(address);
        EmbeddedChannel up = new EmbeddedChannel(relay);
        upstreams.add(up);
        return up.newSucceededFuture();
    };

    private EmbeddedChannel client(QueryTarget target, UpstreamConnector c) {
        EmbeddedChannel client = new EmbeddedChannel(new QueryProxyHandler(target, c));
        client.attr(AuthHandler.IDENTITY).set(OPS);
        clients.add(client);
        return client;
    }

    private void route(EmbeddedChannel ch, HttpMethod method, String path) {
        ch.attr(RouteMatch.KEY).set(((Routes.Lookup.Found) routes.lookup(method, path)).match());
    }

    private FullHttpRequest get(String uri) {
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        req.headers()
                .set(HttpHeaderNames.AUTHORIZATION, "Bearer secret")
                .set(HttpHeaderNames.HOST, "central-ingest:8427")
                .set(HttpHeaderNames.ACCEPT_ENCODING, "gzip");
        return req;
    }

    private static HttpContent chunk(String s) {
        return new DefaultHttpContent(Unpooled.copiedBuffer(s, StandardCharsets.UTF_8));
    }

    @AfterEach
    void noLeaks() {
        for (EmbeddedChannel up : upstreams) {
            up.finishAndReleaseAll();
        }
        for (EmbeddedChannel client : clients) {
            assertFalse(client.finishAndReleaseAll(), "nothing left unread on the client side");
        }
    }

    @Test
    void asksTheClusterForTheReadersTenantWithoutTheirCredentials() {
        EmbeddedChannel ch = client(QueryTarget.parse("http://vmselect:8481/select/{tenant}/prometheus"), connector);
        String uri = "/select/42/prometheus/api/v1/query?query=up&match[]={robot=\"r1\"}";
        route(ch, HttpMethod.GET, uri.substring(0, uri.indexOf('?')));
        ch.writeInbound(get(uri));
        assertEquals(
                new QueryTarget.Address(
                        false, "vmselect", 8481, "/select/42/prometheus/api/v1/query?query=up&match[]={robot=\"r1\"}"),
                asked.get(0));
        FullHttpRequest sent = upstreams.get(0).readOutbound();
        try {
            assertEquals("/select/42/prometheus/api/v1/query?query=up&match[]={robot=\"r1\"}", sent.uri());
            assertNull(sent.headers().get(HttpHeaderNames.AUTHORIZATION), "the reader's token stays with us");
            assertEquals("vmselect:8481", sent.headers().get(HttpHeaderNames.HOST));
            assertEquals("close", sent.headers().get(HttpHeaderNames.CONNECTION));
            assertEquals("gzip", sent.headers().get(HttpHeaderNames.ACCEPT_ENCODING));
        } finally {
            sent.release();
        }
        assertFalse(ch.config().isAutoRead(), "no further request is read while the exchange runs");
        answerEmpty(ch, upstreams.get(0));
    }

    /** VictoriaMetrics answers 200 with no body; the client gets head and end. */
    private static void answerEmpty(EmbeddedChannel client, EmbeddedChannel up) {
        up.writeInbound(
                new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK),
                LastHttpContent.EMPTY_LAST_CONTENT);
        assertEquals(200, ((HttpResponse) client.readOutbound()).status().code());
        assertSame(LastHttpContent.EMPTY_LAST_CONTENT, client.readOutbound());
    }

    /** Where each reader-door path goes upstream, for a single node and for vmselect (README's table). */
    @Test
    void vmuiConfigPathsStatusPagesAndQueryToolsGoWhereVictoriaMetricsServesThem() {
        String[][] cases = {
            // reader's path, single node's upstream path, vmselect's upstream path
            {"/prometheus/vmui/config.json", "/vmui/config.json", "/select/42/vmui/config.json"},
            {"/vmui/timezone", "/vmui/timezone", "/select/42/vmui/timezone"},
            {
                "/select/42/prometheus/vmui/custom-dashboards",
                "/vmui/custom-dashboards",
                "/select/42/vmui/custom-dashboards"
            },
            {
                "/prometheus/api/v1/status/top_queries",
                "/api/v1/status/top_queries",
                "/select/42/prometheus/api/v1/status/top_queries"
            },
            {
                "/api/v1/status/active_queries",
                "/api/v1/status/active_queries",
                "/select/42/prometheus/api/v1/status/active_queries"
            },
            {"/prometheus/api/v1/export/csv", "/api/v1/export/csv", "/select/42/prometheus/api/v1/export/csv"},
            {
                "/prometheus/api/v1/status/metric_names_stats",
                "/api/v1/status/metric_names_stats",
                "/select/42/prometheus/api/v1/status/metric_names_stats"
            },
            {"/prometheus/expand-with-exprs", "/expand-with-exprs", "/select/42/prometheus/expand-with-exprs"},
            {"/prettify-query", "/prettify-query", "/select/42/prometheus/prettify-query"},
            {
                "/select/42/prometheus/metric-relabel-debug",
                "/metric-relabel-debug",
                "/select/42/prometheus/metric-relabel-debug"
            },
            {"/prometheus/api/v1/rules", "/api/v1/rules", "/select/42/prometheus/api/v1/rules"},
        };
        for (int t = 0; t < 2; t++) {
            QueryTarget target = QueryTarget.parse(
                    t == 0 ? "http://127.0.0.1:8428" : "http://vmselect:8481/select/{tenant}/prometheus");
            for (String[] c : cases) {
                EmbeddedChannel ch = client(target, connector);
                route(ch, HttpMethod.GET, c[0]);
                ch.writeInbound(get(c[0] + "?x=1"));
                assertEquals(c[1 + t] + "?x=1", asked.get(asked.size() - 1).pathAndQuery(), c[0]);
                ((FullHttpRequest) upstreams.get(upstreams.size() - 1).readOutbound()).release();
                answerEmpty(ch, upstreams.get(upstreams.size() - 1));
            }
        }
    }

    @Test
    void vmalertGoesToVmalertProxyUrlOrIsClosedWithVictoriaMetricsStatus() {
        EmbeddedChannel closed = client(QueryTarget.parse("http://127.0.0.1:8428"), connector);
        route(closed, HttpMethod.GET, "/prometheus/vmalert/groups");
        closed.writeInbound(get("/prometheus/vmalert/groups"));
        FullHttpResponse res = closed.readOutbound();
        assertEquals(400, res.status().code());
        assertEquals("application/json", res.headers().get(HttpHeaderNames.CONTENT_TYPE));
        res.release();
        assertTrue(asked.isEmpty(), "nothing forwarded");
        EmbeddedChannel open = new EmbeddedChannel(new QueryProxyHandler(
                QueryTarget.parse("http://127.0.0.1:8428"), QueryTarget.parse("http://vmalert:8880"), connector));
        open.attr(AuthHandler.IDENTITY).set(OPS);
        clients.add(open);
        for (String path : new String[] {"/select/42/prometheus/vmalert/api/v1/rules", "/api/v1/alerts"}) {
            route(open, HttpMethod.GET, path);
            open.writeInbound(get(path));
            QueryTarget.Address a = asked.get(asked.size() - 1);
            assertEquals("vmalert:8880", a.hostHeader());
            assertEquals(path.replace("/select/42/prometheus", ""), a.pathAndQuery());
            ((FullHttpRequest) upstreams.get(upstreams.size() - 1).readOutbound()).release();
            answerEmpty(open, upstreams.get(upstreams.size() - 1));
        }
    }

    @Test
    void singleNodeGetsThePlainApiPathAndVmuiSitsBesideIt() {
        EmbeddedChannel ch = client(QueryTarget.parse("http://127.0.0.1:8428"), connector);
        route(ch, HttpMethod.GET, "/prometheus/api/v1/label/__name__/values");
        ch.writeInbound(get("/prometheus/api/v1/label/__name__/values"));
        assertEquals("/api/v1/label/__name__/values", asked.get(0).pathAndQuery());
        ((FullHttpRequest) upstreams.get(0).readOutbound()).release();
        answerEmpty(ch, upstreams.get(0));
        assertTrue(ch.config().isAutoRead(), "the next request may come once the last chunk is out");

        route(ch, HttpMethod.GET, "/select/42/vmui/static/app.js");
        ch.writeInbound(get("/select/42/vmui/static/app.js"));
        assertEquals("/vmui/static/app.js", asked.get(1).pathAndQuery());
        ((FullHttpRequest) upstreams.get(1).readOutbound()).release();
        answerEmpty(ch, upstreams.get(1));
    }

    @Test
    void relaysTheAnswerChunkByChunkAsItArrives() {
        EmbeddedChannel ch = client(QueryTarget.parse("http://127.0.0.1:8428"), connector);
        route(ch, HttpMethod.GET, "/api/v1/export");
        ch.writeInbound(get("/api/v1/export?match[]=up"));
        EmbeddedChannel up = upstreams.get(0);
        ((FullHttpRequest) up.readOutbound()).release();
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers()
                .set(HttpHeaderNames.CONNECTION, "close")
                .set(HttpHeaderNames.CONTENT_TYPE, "application/stream+json");
        up.writeInbound(head);
        HttpResponse relayed = ch.readOutbound();
        assertEquals(200, relayed.status().code());
        assertNull(relayed.headers().get(HttpHeaderNames.CONNECTION), "hop-by-hop headers are VictoriaMetrics' own");
        assertTrue(HttpUtil.isTransferEncodingChunked(relayed), "a close-delimited body is re-framed as chunked");
        for (String line : new String[] {"{\"metric\":1}\n", "{\"metric\":2}\n"}) {
            up.writeInbound(chunk(line));
            HttpContent c = ch.readOutbound();
            try {
                assertEquals(
                        line,
                        c.content().toString(StandardCharsets.UTF_8),
                        "each chunk is out before the next arrives");
            } finally {
                c.release();
            }
        }
        up.writeInbound(new DefaultLastHttpContent());
        ((LastHttpContent) ch.readOutbound()).release();
        assertFalse(up.isOpen(), "the upstream connection is closed after the answer");
        assertTrue(ch.config().isAutoRead());
    }

    @Test
    void stopsReadingUpstreamWhileTheClientCannotTakeMore() {
        EmbeddedChannel ch = client(QueryTarget.parse("http://127.0.0.1:8428"), connector);
        ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));
        route(ch, HttpMethod.GET, "/api/v1/export");
        ch.writeInbound(get("/api/v1/export?match[]=up"));
        EmbeddedChannel up = upstreams.get(0);
        ((FullHttpRequest) up.readOutbound()).release();
        // writeOneInbound: no channelReadComplete, so nothing is flushed to the client yet.
        up.writeOneInbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        up.writeOneInbound(chunk("more than sixteen bytes of export"));
        assertFalse(ch.isWritable());
        assertFalse(up.config().isAutoRead(), "VictoriaMetrics is not read while the client is backed up");
        ch.flush(); // the client drains
        assertTrue(ch.isWritable());
        assertTrue(up.config().isAutoRead(), "reading resumes once the client drained");
        ((HttpResponse) ch.readOutbound()).headers();
        ((HttpContent) ch.readOutbound()).release();
        up.writeInbound(new DefaultLastHttpContent());
        ((LastHttpContent) ch.readOutbound()).release();
    }

    @Test
    void answers502WhenVictoriaMetricsCannotBeReachedOrHangsUpBeforeAnswering() {
        UpstreamConnector refused = (loop, address, relay) -> {
            asked.add(address);
            EmbeddedChannel up = new EmbeddedChannel();
            upstreams.add(up);
            return up.newFailedFuture(new ConnectException("Connection refused"));
        };
        EmbeddedChannel ch = client(QueryTarget.parse("http://127.0.0.1:9"), refused);
        route(ch, HttpMethod.GET, "/api/v1/query");
        FullHttpRequest req = get("/api/v1/query?query=up");
        ch.writeInbound(req);
        assertEquals(0, req.refCnt());
        FullHttpResponse res = ch.readOutbound();
        assertEquals(502, res.status().code());
        assertTrue(res.content().toString(StandardCharsets.UTF_8).contains("Connection refused"));
        res.release();
        assertTrue(ch.config().isAutoRead());

        EmbeddedChannel ch2 = client(QueryTarget.parse("http://127.0.0.1:8428"), connector);
        route(ch2, HttpMethod.GET, "/api/v1/query");
        ch2.writeInbound(get("/api/v1/query?query=up"));
        ((FullHttpRequest) upstreams.get(1).readOutbound()).release();
        upstreams.get(1).close();
        FullHttpResponse res2 = ch2.readOutbound();
        assertEquals(502, res2.status().code());
        res2.release();
    }

    @Test
    void closesTheClientWhenVictoriaMetricsBreaksOffMidAnswer() {
        EmbeddedChannel ch = client(QueryTarget.parse("http://127.0.0.1:8428"), connector);
        route(ch, HttpMethod.GET, "/api/v1/export");
        ch.writeInbound(get("/api/v1/export"));
        EmbeddedChannel up = upstreams.get(0);
        ((FullHttpRequest) up.readOutbound()).release();
        up.writeInbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK), chunk("{\"metric\""));
        up.close();
        assertInstanceOf(HttpResponse.class, ch.readOutbound());
        ((HttpContent) ch.readOutbound()).release();
        assertFalse(ch.isOpen(), "a truncated body must not look complete");
    }

    @Test
    void withoutQueryUrlAnswers503AndReleasesTheRequest() {
        EmbeddedChannel ch = client(null, connector);
        route(ch, HttpMethod.GET, "/api/v1/query");
        FullHttpRequest req = get("/api/v1/query?query=up");
        ch.writeInbound(req);
        assertEquals(0, req.refCnt());
        FullHttpResponse res = ch.readOutbound();
        assertEquals(503, res.status().code());
        assertTrue(res.content().toString(StandardCharsets.UTF_8).contains("-query.url"));
        res.release();
    }

    @Test
    void otherRoutesPassThrough() {
        EmbeddedChannel ch = client(QueryTarget.parse("http://127.0.0.1:8428"), connector);
        route(ch, HttpMethod.GET, "/metrics");
        FullHttpRequest req = get("/metrics");
        ch.writeInbound(req);
        assertSame(req, ch.readInbound());
        req.release();
        assertTrue(asked.isEmpty());
    }
}
