package dev.edgepush.ingest.wal;

import dev.edgepush.forward.buffer.DiskBuffer;
import dev.edgepush.forward.send.Backoff;
import dev.edgepush.forward.send.PushOutcome;
import dev.edgepush.forward.send.RemoteWriteClient;
import dev.edgepush.forward.send.SendCounters;
import dev.edgepush.forward.send.Sender;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;

/**
 * One lane of a forwarding destination (a URL: one shard, and in cluster mode one tenant): its own
 * {@link DiskBuffer} directory and one {@link Sender} thread that drains it to the URL with
 * the store-and-forward sender's delivery rules (2xx done; 5xx, 429, 408, network error retried with backoff and
 * {@code Retry-After}; other 4xx rejected, logged with the body and counted).
 */
final class Destination implements AutoCloseable {
    static final String USER_AGENT = "central-ingest/0.1.0";
    /** A shared endpoint gets many robots' data: a second of it is a good batch. */
    private static final Duration FLUSH_INTERVAL = Duration.ofSeconds(1);
    /**
     * The WAL holds a series' samples under one label set (~40 bytes a sample when a robot sends a
     * few per series), so 200k samples are near 8 MiB; a request of one sample per series
     * (~150 bytes each) is bounded by {@link #MAX_BATCH_BYTES} first. Fewer, larger requests: the
     * forwarder sends one at a time per lane, so each round trip's fixed cost (ack fsync, HTTP)
     * counts.
     */
    private static final int MAX_BATCH_SAMPLES = 200_000;
    /** Well under VictoriaMetrics' default -maxInsertRequestSize of 32 MiB. */
    private static final int MAX_BATCH_BYTES = 16 << 20;

    private static final Duration SEND_TIMEOUT = Duration.ofMinutes(1);

    final String url;
    final DiskBuffer buffer;
    final SendCounters metrics;
    private final RemoteWriteClient client;
    private final Sender sender;
    private final Thread thread;

    /** @param group the forwarders' shared event loops, where this lane's connection lives */
    Destination(Path dir, String url, long maxDiskBytes, EventLoopGroup group) throws IOException {
        this.url = url;
        this.buffer = DiskBuffer.open(dir, maxDiskBytes, DiskBuffer.DEFAULT_SYNC_INTERVAL, "central-ingest-wal-sync");
        buffer.writeDenseWhenBehind(false);
        this.metrics = new SendCounters("central_ingest_samples_dropped_total{reason=\"rejected\"}");
        this.client = new RemoteWriteClient(group, url, null, SEND_TIMEOUT, USER_AGENT, null);
        this.sender = new Sender(
                buffer,
                new Sender.Transport() {
                    @Override
                    public PushOutcome push(byte[] body, int offset, int length) {
                        return client.pushCompressed(body, offset, length);
                    }

                    @Override
                    public long lastRequestBytes() {
                        return client.lastRequestBytes();
                    }
                },
                Backoff.withDefaults(new SecureRandom()),
                metrics,
                System::currentTimeMillis,
                FLUSH_INTERVAL,
                MAX_BATCH_SAMPLES,
                MAX_BATCH_BYTES,
                redact(url));
        this.thread = new Thread(sender, "central-ingest-forward-" + dir.getFileName());
        thread.setDaemon(true);
        thread.start();
    }

    long forwardedSamples() {
        return metrics.samplesSent();
    }

    long rejectedSamples() {
        return metrics.samplesRejected();
    }

    static String redact(String url) {
        return url.replaceAll("//[^/@]*@", "//<credentials>@");
    }

    /** Stops the sender (its unacknowledged batch is sent again after restart) and closes the WAL. */
    @Override
    public void close() {
        sender.stop();
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sender.closeReader();
        client.close();
        buffer.close();
    }
}
