package dev.edgepush.agent.scrape;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** One fetch: its consumer (done called exactly once), its timer and the channel it runs on. */
final class ScrapeExchange {
    final HttpScraper.BodyConsumer callback;
    final long deadlineNanos;
    SslContext sslContext;
    String authorization;
    ScheduledFuture<?> timeout;
    /** The channel the request went out on (or is connecting); events of other channels are ignored. */
    Channel channel;
    /** The request went out on a connection an earlier fetch had used: a close before any response byte is retried. */
    boolean reused;
    /** A response byte arrived on {@link #channel}. */
    boolean responseStarted;

    boolean done;
    /** Decompressed body bytes so far, against the cap. */
    long bodyBytes;
    /** The response allows the connection to be kept. */
    boolean keepAliveResponse;

    ScrapeExchange(HttpScraper.BodyConsumer callback, long timeoutMs) {
        this.callback = callback;
        this.deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    }
}
