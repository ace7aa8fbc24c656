package dev.edgepush.ingest.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.ingest.IngestFlags;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link CorsPolicy} and {@link CorsHandler} on their own: {@code *}, listed origins, bad flag values. */
class CorsPolicyTest {

    @Test
    void listedOriginsGetCredentialsStarGetsNone() {
        CorsPolicy p = CorsPolicy.of(List.of("https://Grafana.example.com, http://localhost:3000", "*"));
        assertTrue(p.listed("https://grafana.example.com"));
        assertEquals("https://grafana.example.com", p.allowOrigin("https://grafana.example.com"));
        assertTrue(p.allows("https://other.example"));
        assertFalse(p.listed("https://other.example"));
        assertEquals("*", p.allowOrigin("https://other.example"));
        assertFalse(p.allows(null));
        assertFalse(CorsPolicy.of(List.of()).enabled());
        assertFalse(CorsPolicy.OFF.allows("https://grafana.example.com"));
    }

    @Test
    void aPathOrAMissingSchemeIsAFlagErrorNamingTheFlag() {
        assertThrows(IllegalArgumentException.class, () -> CorsPolicy.of(List.of("https://grafana.example.com/")));
        assertThrows(IllegalArgumentException.class, () -> CorsPolicy.of(List.of("grafana.example.com")));
        IngestFlags.FlagException e = assertThrows(
                IngestFlags.FlagException.class,
                () -> IngestFlags.parse(new String[] {
                            "-remoteWrite.url=http://127.0.0.1:8428/api/v1/write",
                            "-auth.tokensFile=/nonexistent",
                            "-http.corsAllowedOrigins=grafana.example.com"
                        })
                        .validate());
        assertTrue(e.getMessage().startsWith("-http.corsAllowedOrigins=grafana.example.com: "), e.getMessage());
    }

    @Test
    void starAnswersAnyOriginWithoutCredentials() {
        CorsPolicy star = CorsPolicy.of(List.of("*"));
        EmbeddedChannel ch = new EmbeddedChannel(new CorsHandler.Headers(star), new CorsHandler(star));
        FullHttpRequest pre = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.OPTIONS, "/api/v1/query");
        pre.headers()
                .set(HttpHeaderNames.ORIGIN, "https://any.example")
                .set(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD, "GET");
        ch.writeInbound(pre);
        FullHttpResponse res = ch.readOutbound();
        assertEquals(204, res.status().code());
        assertEquals("*", res.headers().get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN));
        assertNull(res.headers().get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS));
        assertEquals(
                CorsHandler.DEFAULT_ALLOW_HEADERS, res.headers().get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS));
        res.release();
        // An actual request passes on; its answer (written by a later handler) gets the header.
        FullHttpRequest get = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/api/v1/labels");
        get.headers().set(HttpHeaderNames.ORIGIN, "https://any.example");
        ch.writeInbound(get);
        FullHttpRequest passed = ch.readInbound();
        passed.release();
        ch.writeOutbound(HttpResponses.json(HttpResponseStatus.UNAUTHORIZED, "no token"));
        FullHttpResponse answer = ch.readOutbound();
        assertEquals("*", answer.headers().get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN));
        answer.release();
        assertFalse(ch.finishAndReleaseAll());
    }
}
