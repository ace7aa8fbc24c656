package dev.edgepush.ingest.http;

import dev.edgepush.ingest.auth.Identity;
import dev.edgepush.ingest.fleet.FleetRegistry;
import dev.edgepush.ingest.fleet.FleetReport;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AttributeKey;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Pipeline position: an endpoint handler after the aggregator. Serves the fleet view of the
 * reader's tenant ({@link FleetReport}): {@code GET /api/v1/fleet} as JSON, {@code GET /fleet} as
 * the live page, its files under {@code /fleet/assets/} ({@link FleetAssets}), and {@code GET
 * /api/v1/fleet/events}, the page's server-sent events: one {@code data:} line of {@link
 * FleetReport#eventJson} every {@link #EVENT_INTERVAL_MS} ms for as long as the client stays
 * (at most {@link FleetStreams#MAX_PER_ADDRESS} per client address, else 429). Releases what it
 * answers; other routes pass on.
 */
final class FleetHandler extends ChannelInboundHandlerAdapter {
    /** One event a second: agents push every second. */
    static final long EVENT_INTERVAL_MS = 1000;
    /** How long a browser waits before it reconnects a stream that ended (the SSE {@code retry} field). */
    static final long RECONNECT_MS = 2000;

    private static final AttributeKey<ScheduledFuture<?>> TICKER = AttributeKey.valueOf("edgepush.fleetStream");

    private final FleetRegistry fleet;
    private final LongSupplier clockMs;
    private final FleetStreams streams;

    FleetHandler(FleetRegistry fleet, LongSupplier clockMs) {
        this(fleet, clockMs, new FleetStreams());
    }

    FleetHandler(FleetRegistry fleet, LongSupplier clockMs, FleetStreams streams) {
        this.fleet = fleet;
        this.clockMs = clockMs;
        this.streams = streams;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        RouteMatch match = ctx.channel().attr(RouteMatch.KEY).get();
        if (!(msg instanceof FullHttpRequest)
                || match == null
                || !(match.is(Route.FLEET_JSON)
                        || match.is(Route.FLEET_PAGE)
                        || match.is(Route.FLEET_EVENTS)
                        || match.is(Route.FLEET_ASSET))) {
            ctx.fireChannelRead(msg);
            return;
        }
        FullHttpRequest req = (FullHttpRequest) msg;
        try {
            Identity id = ctx.channel().attr(AuthHandler.IDENTITY).get();
            if (id == null) {
                throw new IllegalStateException(
                        "fleet route without identity: AuthHandler is missing from the pipeline");
            }
            if (match.is(Route.FLEET_ASSET)) {
                ctx.writeAndFlush(asset(req, match));
            } else if (match.is(Route.FLEET_EVENTS)) {
                stream(ctx, req, id.tenant());
            } else {
                FleetReport report = new FleetReport(id.tenant(), clockMs.getAsLong(), fleet);
                FullHttpResponse res = match.is(Route.FLEET_JSON)
                        ? HttpResponses.body(HttpResponseStatus.OK, "application/json", report.json())
                        : HttpResponses.body(
                                HttpResponseStatus.OK, "text/html; charset=utf-8", report.html(FleetAssets::url));
                res.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
                ctx.writeAndFlush(res);
            }
        } finally {
            req.release();
        }
    }

    private static FullHttpResponse asset(FullHttpRequest req, RouteMatch match) {
        String path = req.uri();
        int q = path.indexOf('?');
        String name = (q < 0 ? path : path.substring(0, q)).substring("/fleet/assets/".length());
        FleetAssets.Asset a = FleetAssets.get(name);
        if (a == null) {
            return HttpResponses.error(req, HttpResponseStatus.NOT_FOUND, "no fleet page asset " + name);
        }
        FullHttpResponse res;
        if (a.etag().equals(req.headers().get(HttpHeaderNames.IF_NONE_MATCH))) {
            res = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_MODIFIED, Unpooled.EMPTY_BUFFER);
        } else {
            res = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(a.bytes()));
            res.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, a.contentType())
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, a.bytes().length);
        }
        // private: the files are behind the reader's credentials, so shared caches keep none.
        res.headers()
                .set(HttpHeaderNames.CACHE_CONTROL, "private, max-age=3600")
                .set(HttpHeaderNames.ETAG, a.etag());
        return res;
    }

    private void stream(ChannelHandlerContext ctx, FullHttpRequest req, String tenant) {
        Channel ch = ctx.channel();
        if (!streams.tryOpen(ch)) {
            FullHttpResponse res = HttpResponses.error(
                    req,
                    HttpResponseStatus.TOO_MANY_REQUESTS,
                    "this address already holds " + FleetStreams.MAX_PER_ADDRESS
                            + " fleet event streams (close a tab), " + "or the server is stopping");
            res.headers().set(HttpHeaderNames.RETRY_AFTER, "10");
            ctx.writeAndFlush(res);
            return;
        }
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
                .set("X-Accel-Buffering", "no"); // a reverse proxy in front must not hold events back
        ctx.write(head);
        ctx.write(chunk("retry: " + RECONNECT_MS + "\n\n"));
        sendEvent(ctx, tenant);
        ScheduledFuture<?> ticker = ctx.executor()
                .scheduleAtFixedRate(
                        () -> sendEvent(ctx, tenant), EVENT_INTERVAL_MS, EVENT_INTERVAL_MS, TimeUnit.MILLISECONDS);
        ch.attr(TICKER).set(ticker);
        ch.closeFuture().addListener(f -> ticker.cancel(false));
    }

    /** Stops the events of {@code ch}'s stream (before the server ends it); on its event loop. */
    static void stopStream(Channel ch) {
        ScheduledFuture<?> ticker = ch.attr(TICKER).getAndSet(null);
        if (ticker != null) {
            ticker.cancel(false);
        }
    }

    private void sendEvent(ChannelHandlerContext ctx, String tenant) {
        Channel ch = ctx.channel();
        if (!ch.isActive()) {
            stopStream(ch);
            return;
        }
        if (!ch.isWritable()) {
            return; // a slow reader: skip this one, the next event carries the whole state anyway
        }
        FleetReport report = new FleetReport(tenant, clockMs.getAsLong(), fleet);
        ctx.writeAndFlush(chunk("data: " + report.eventJson() + "\n\n"));
    }

    private static DefaultHttpContent chunk(String text) {
        return new DefaultHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    }
}
