package dev.edgepush.ingest.http;

import dev.edgepush.ingest.auth.Identity;
import dev.edgepush.ingest.auth.Kind;
import dev.edgepush.ingest.completeness.CompletenessLedger;
import dev.edgepush.ingest.completeness.PushSeq;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import java.util.function.LongSupplier;

/**
 * Pipeline position: right after {@link FleetRecorder}. Reads a robot's remote-write push's
 * completeness headers ({@link PushSeq}) from its head, and accounts the push in the {@link
 * CompletenessLedger} when its answer goes out, before it is passed on: a 2xx (written to the
 * WAL) as received, an answer the agent never retries (a 4xx other than 408 and 429, as
 * edge-agent's OutcomeClassifier decides) as refused; a retryable answer (5xx, 408, 429) not at
 * all, the push will come again. Not sharable: one instance per channel.
 */
final class CompletenessRecorder extends ChannelDuplexHandler {
    private final CompletenessLedger ledger;
    private final LongSupplier clockMs;
    private PushSeq pending;
    private Identity pendingIdentity;

    CompletenessRecorder(CompletenessLedger ledger, LongSupplier clockMs) {
        this.ledger = ledger;
        this.clockMs = clockMs;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest req) {
            pending = null;
            Identity id = ctx.channel().attr(AuthHandler.IDENTITY).get();
            RouteMatch match = ctx.channel().attr(RouteMatch.KEY).get();
            if (id != null && id.kind() == Kind.ROBOT && match != null && match.is(Route.WRITE)) {
                pending = PushSeq.of(req.headers()::get);
                pendingIdentity = id;
            }
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof HttpResponse res && pending != null) {
            int code = res.status().code();
            PushSeq push = pending;
            pending = null;
            if (code >= 200 && code <= 299) {
                ledger.record(pendingIdentity.tenant(), pendingIdentity.name(), true, push, clockMs.getAsLong());
            } else if (!(code >= 500 || code == 429 || code == 408)) {
                ledger.record(pendingIdentity.tenant(), pendingIdentity.name(), false, push, clockMs.getAsLong());
            }
        }
        super.write(ctx, msg, promise);
    }
}
