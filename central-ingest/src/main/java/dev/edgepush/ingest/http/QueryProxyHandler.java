package dev.edgepush.ingest.http;

import dev.edgepush.ingest.auth.Identity;
import dev.edgepush.ingest.query.QueryTarget;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.regex.Matcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pipeline position: an endpoint handler after the aggregator. Proxies the query API and VMUI
 * routes ({@link Route#QUERY}, {@link Route#VMUI}) to {@code -query.url} for the reader
 * {@link AuthHandler} let through, in the reader's tenant ({@link QueryTarget}), and {@link
 * Route#VMALERT} to {@code -vmalert.proxyURL} (without it {@code /vmalert/...} answers 400 as
 * VictoriaMetrics does, and rules/alerts go to {@code -query.url}). Its own errors are
 * Prometheus JSON errors ({@link HttpResponses#error}).
 *
 * <p>The request (small: a query or a form) is sent as received, minus the client's credentials
 * and hop-by-hop headers, on a new upstream connection; the response streams back through an
 * {@link UpstreamRelay} with bounded memory. While one exchange runs this connection reads no
 * further requests ({@code autoRead} off), so pipelined requests cannot interleave responses.
 * Answers 503 when {@code -query.url} is not set and 502 when VictoriaMetrics cannot be reached.
 */
final class QueryProxyHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(QueryProxyHandler.class);
    private final QueryTarget target;
    private final UpstreamConnector connector;
    /** The upstream connection of the exchange in progress, or null. Touched on this channel's loop only. */
    private Channel upstream;

    /** vmalert's base ({@code -vmalert.proxyURL}), or null. */
    private final QueryTarget vmalert;

    /** @param target null when {@code -query.url} is not set */
    QueryProxyHandler(QueryTarget target, UpstreamConnector connector) {
        this(target, null, connector);
    }

    /** @param vmalert null when {@code -vmalert.proxyURL} is not set: {@code /vmalert/...} is then closed */
    QueryProxyHandler(QueryTarget target, QueryTarget vmalert, UpstreamConnector connector) {
        this.target = target;
        this.vmalert = vmalert;
        this.connector = connector;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        RouteMatch match = ctx.channel().attr(RouteMatch.KEY).get();
        if (!(msg instanceof FullHttpRequest)
                || match == null
                || !(match.is(Route.QUERY) || match.is(Route.VMUI) || match.is(Route.VMALERT))) {
            ctx.fireChannelRead(msg);
            return;
        }
        FullHttpRequest req = (FullHttpRequest) msg;
        if (target == null && !(match.is(Route.VMALERT) && vmalert != null)) {
            answer(
                    ctx,
                    req,
                    HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "the query proxy is off: start central-ingest with -query.url (e.g. http://127.0.0.1:8428)");
            return;
        }
        Identity id = ctx.channel().attr(AuthHandler.IDENTITY).get();
        if (id == null) {
            req.release();
            throw new IllegalStateException("query route without identity: AuthHandler is missing from the pipeline");
        }
        String uri = req.uri();
        int q = uri.indexOf('?');
        String rawPath = q < 0 ? uri : uri.substring(0, q);
        String rawQuery = q < 0 ? null : uri.substring(q + 1);
        Matcher m = match.route().path().matcher(rawPath);
        if (!m.matches()) { // the decoded path matched, the encoded one does not: an encoded '/' or the like
            answer(ctx, req, HttpResponseStatus.BAD_REQUEST, "unsupported encoding in path " + rawPath);
            return;
        }
        String api = m.group("api");
        QueryTarget.Address address;
        if (match.is(Route.VMUI)) {
            address = target.vmui(id.tenant(), api, rawQuery);
        } else if (match.is(Route.VMALERT) && vmalert != null) {
            address = vmalert.api(id.tenant(), api, rawQuery);
        } else if (match.is(Route.VMALERT) && api.startsWith("/vmalert")) {
            // closed as VictoriaMetrics closes it, with its status and message
            answer(
                    ctx,
                    req,
                    HttpResponseStatus.BAD_REQUEST,
                    "for accessing vmalert flag '-vmalert.proxyURL' must be configured (central-ingest's flag)");
            return;
        } else {
            address =
                    target.api(id.tenant(), api, rawQuery); // rules and alerts without vmalert: VictoriaMetrics' answer
        }
        forward(ctx, req, address);
    }

    /** Answers {@code req} with our own error (JSON, or text for a page) and releases it. */
    private static void answer(
            ChannelHandlerContext ctx, FullHttpRequest req, HttpResponseStatus status, String message) {
        FullHttpResponse res = HttpResponses.error(req, status, message);
        req.release();
        ctx.writeAndFlush(res);
    }

    private void forward(ChannelHandlerContext ctx, FullHttpRequest req, QueryTarget.Address address) {
        Channel client = ctx.channel();
        prepare(req, address, client.remoteAddress());
        client.config().setAutoRead(false);
        String name = address.hostHeader();
        ChannelFuture connected = connector.connect(
                client.eventLoop(), address, new UpstreamRelay(client, name, () -> exchangeDone(client)));
        upstream = connected.channel();
        connected.addListener(f -> {
            if (!f.isSuccess()) {
                req.release();
                log.warn(
                        "query proxy: cannot connect to {}: {}", name, f.cause().toString());
                client.writeAndFlush(HttpResponses.json(
                        HttpResponseStatus.BAD_GATEWAY,
                        "cannot reach VictoriaMetrics at -query.url (" + name + "): " + Transport.reason(f.cause())));
                exchangeDone(client);
                return;
            }
            connected.channel().writeAndFlush(req).addListener(w -> {
                if (!w.isSuccess()) {
                    connected.channel().close(); // the relay answers 502 when it sees the close
                }
            });
        });
    }

    private void exchangeDone(Channel client) {
        if (upstream == null) {
            return;
        }
        upstream = null;
        client.config().setAutoRead(true);
    }

    /** The request as VictoriaMetrics gets it: its own path and host, no credentials, one use. */
    private static void prepare(FullHttpRequest req, QueryTarget.Address address, SocketAddress from) {
        req.setUri(address.pathAndQuery());
        req.setProtocolVersion(HttpVersion.HTTP_1_1);
        HttpHeaders h = req.headers();
        h.remove(HttpHeaderNames.AUTHORIZATION)
                .remove(HttpHeaderNames.COOKIE)
                .remove(HttpHeaderNames.PROXY_AUTHORIZATION)
                .remove("Keep-Alive")
                .remove(HttpHeaderNames.TE)
                .remove(HttpHeaderNames.UPGRADE)
                .remove(HttpHeaderNames.EXPECT)
                .remove(HttpHeaderNames.TRANSFER_ENCODING)
                .remove("Proxy-Connection");
        h.set(HttpHeaderNames.HOST, address.hostHeader());
        h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        h.setInt(HttpHeaderNames.CONTENT_LENGTH, req.content().readableBytes());
        if (from instanceof InetSocketAddress) {
            String ip = ((InetSocketAddress) from).getAddress().getHostAddress();
            String prior = h.get("X-Forwarded-For");
            h.set("X-Forwarded-For", prior == null ? ip : prior + ", " + ip);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (upstream != null && ctx.channel().isWritable()) {
            UpstreamRelay.resume(upstream);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (upstream != null) {
            upstream.close(); // the person went away: stop VictoriaMetrics' work too
            upstream = null;
        }
        ctx.fireChannelInactive();
    }
}
