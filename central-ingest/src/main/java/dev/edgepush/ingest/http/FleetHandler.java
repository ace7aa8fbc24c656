package dev.edgepush.ingest.http;

import dev.edgepush.ingest.auth.Identity;
import dev.edgepush.ingest.fleet.FleetRegistry;
import dev.edgepush.ingest.fleet.FleetReport;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.function.LongSupplier;

/**
 * Pipeline position: an endpoint handler after the aggregator. Serves the fleet view of the
 * reader's tenant ({@link FleetReport}): {@code GET /api/v1/fleet} as JSON and {@code GET /fleet}
 * as a page that reloads itself. Releases what it answers; other routes pass on.
 */
final class FleetHandler extends ChannelInboundHandlerAdapter {
  private final FleetRegistry fleet;
  private final LongSupplier clockMs;

  FleetHandler(FleetRegistry fleet, LongSupplier clockMs) {
    this.fleet = fleet;
    this.clockMs = clockMs;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    RouteMatch match = ctx.channel().attr(RouteMatch.KEY).get();
    if (!(msg instanceof FullHttpRequest) || match == null || !(match.is(Route.FLEET_JSON) || match.is(Route.FLEET_PAGE))) {
      ctx.fireChannelRead(msg);
      return;
    }
    ((FullHttpRequest) msg).release();
    Identity id = ctx.channel().attr(AuthHandler.IDENTITY).get();
    if (id == null) {
      throw new IllegalStateException("fleet route without identity: AuthHandler is missing from the pipeline");
    }
    FleetReport report = new FleetReport(id.tenant(), clockMs.getAsLong(), fleet);
    FullHttpResponse res = match.is(Route.FLEET_JSON)
        ? HttpResponses.body(HttpResponseStatus.OK, "application/json", report.json())
        : HttpResponses.body(HttpResponseStatus.OK, "text/html; charset=utf-8", report.html());
    res.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
    ctx.writeAndFlush(res);
  }
}
