package dev.edgepush.ingest.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The open event streams of the fleet page ({@code GET /api/v1/fleet/events}), one per server:
 * at most {@link #MAX_PER_ADDRESS} per client address (a page open in many tabs, or a client
 * that never closes, holds no more), and {@link #closeAll} ends every one cleanly (the last
 * chunk, then the connection) when the server stops. Thread-safe.
 */
public final class FleetStreams {
    /** Streams one client address may hold open; the next gets 429. */
    public static final int MAX_PER_ADDRESS = 8;

    private final Map<Channel, InetAddress> open = new ConcurrentHashMap<>();
    private final Map<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();
    private volatile boolean closing;

    /**
     * Counts a new stream on {@code ch}; false (nothing counted) when its address already holds
     * {@link #MAX_PER_ADDRESS} or the server is stopping. The count is given back when the channel
     * closes.
     */
    boolean tryOpen(Channel ch) {
        InetAddress address = ch.remoteAddress() instanceof InetSocketAddress
                ? ((InetSocketAddress) ch.remoteAddress()).getAddress()
                : InetAddress.getLoopbackAddress();
        if (closing) {
            return false;
        }
        boolean[] admitted = {false};
        perAddress.compute(address, (a, n) -> {
            int count = n == null ? 0 : n;
            if (count >= MAX_PER_ADDRESS) {
                return n;
            }
            admitted[0] = true;
            return count + 1;
        });
        if (!admitted[0]) {
            return false;
        }
        open.put(ch, address);
        ch.closeFuture().addListener(f -> release(ch));
        return true;
    }

    private void release(Channel ch) {
        InetAddress address = open.remove(ch);
        if (address != null) {
            perAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
        }
    }

    /** Streams open now, from every address. */
    public int openCount() {
        return open.size();
    }

    /**
     * Ends every stream: the terminating chunk, then the connection closes; waits up to {@code
     * timeoutMs} for them. New streams are refused from now on.
     */
    public void closeAll(long timeoutMs) {
        closing = true;
        java.util.List<Channel> streams = java.util.List.copyOf(open.keySet());
        CountDownLatch done = new CountDownLatch(streams.size());
        for (Channel ch : streams) {
            ch.eventLoop().execute(() -> {
                FleetHandler.stopStream(ch);
                ch.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
            });
            ch.closeFuture().addListener(f -> done.countDown());
        }
        try {
            done.await(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
