package dev.edgepush.ingest.wal;

import dev.edgepush.forward.buffer.DiskBuffer;
import dev.edgepush.ingest.decode.StampedBatch;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The central write-ahead log and forwarder: per destination {@code -remoteWrite.queues} lanes,
 * each one store-and-forward {@code DiskBuffer} (Chronicle Queue, checksummed excerpts, durable ack file)
 * and one {@code Sender}, so a destination has that many requests in flight.
 *
 * <p>Destinations. {@code -remoteWrite.url} is a list of shards; a series goes to the shard its
 * sorted labels hash to ({@code ShardHash}). A URL holding {@code {tenant}} (cluster mode,
 * vminsert: {@code http://vminsert:8480/insert/{tenant}/prometheus/api/v1/write}) is expanded
 * with the robot's tenant, so each (shard, tenant) is its own destination, created on the first
 * push of that tenant. Either every URL holds {@code {tenant}} or none does. Without it (single
 * node) every tenant goes to the same URL and the tenant is not written anywhere: a single node
 * has no tenants, so isolation between tenants needs the cluster.
 *
 * <p>Lanes. Within a destination a series goes to the lane its label hash picks ({@code
 * ShardHash.lane}), always the same one, so its samples leave in the order they were appended
 * (per-series timestamp order on the wire); different series' lanes drain in parallel.
 *
 * <p>On disk: {@code <wal.path>/shard-<i>} (single node) or {@code
 * <wal.path>/shard-<i>-tenant-<accountID>[_<projectID>]} (cluster) is lane 0; lane {@code j > 0}
 * adds {@code -lane-<j>}; each a DiskBuffer directory (lane 0 keeps the name from before lanes,
 * so an upgraded ingest keeps its backlog). At start every such directory is reopened and
 * drained, so a backlog survives restarts even if its robots never push again; a lane directory
 * beyond {@code -remoteWrite.queues} (the flag was lowered) is drained too but gets no new data.
 * Changing the number of lanes moves about 1/n of the series to another lane, so until the old
 * lane's backlog is sent, such a series' old and new samples may arrive interleaved. The shard
 * index is the URL's position in the flag list: keep the list's order, append new shards at the
 * end.
 *
 * <p>What is guaranteed. {@link #append} returns only after every shard's excerpt of the batch is
 * in its queue's mapped file; the caller answers 204 only then. From then on a {@code kill -9}
 * loses nothing (the page cache survives the process; power loss can lose what the kernel had
 * not written back). Forwarding is at-least-once: a batch is acknowledged in the WAL only after
 * the destination's 2xx (or a permanent 4xx, counted as rejected); after a crash the
 * unacknowledged tail is sent again, identical, so VictoriaMetrics collapses the duplicates.
 * A batch split over shards is not atomic: if one shard's append fails (a full disk: {@code
 * DiskBuffer.append} returns -1 and counts the excerpt's samples as disk_full although the
 * robot still holds them) the request gets 500 and
 * the robot's retry duplicates the shards that succeeded (harmless, as above). The disk cap
 * ({@code -wal.maxDiskBytes}) applies to each destination, split evenly over its lanes (each lane
 * directory gets {@code cap / lanes}); passing it drops the
 * oldest whole files, counted as {@code disk_full} (the 429 on {@code -wal.maxPendingSamples}
 * is there so that this does not happen). Thread-safe.
 *
 * <p>Threads: one sender thread per lane; their HTTP connections all live on one event loop
 * thread the WAL owns ({@code central-ingest-forward-*}), apart from the server's loops, so that
 * the server's orderly stop (which lets requests in flight finish appending) does not cut pushes
 * in flight: they end, or time out, when {@link #close} stops the senders.
 */
public final class ForwardingWal implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ForwardingWal.class);
    public static final String TENANT_PLACEHOLDER = "{tenant}";
    private static final Pattern DIR =
            Pattern.compile("shard-(\\d+)(?:-tenant-(\\d+(?:_\\d+)?))?(?:-lane-([1-9]\\d{0,8}))?");

    private final Path dir;
    private final List<String> urls;
    private final boolean clusterMode;
    private final int lanes;
    private final long maxDiskBytesPerDestination;
    private final Map<String, Destination> destinations = new ConcurrentHashMap<>();
    /** The connections of every destination's lanes: pushes are I/O, one thread carries them. */
    private final EventLoopGroup forwardLoop;

    /** One lane per destination. */
    public ForwardingWal(Path dir, List<String> urls, long maxDiskBytesPerDestination) throws IOException {
        this(dir, urls, 1, maxDiskBytesPerDestination);
    }

    /** {@code lanes} lanes (own directory and sender each) per destination. */
    public ForwardingWal(Path dir, List<String> urls, int lanes, long maxDiskBytesPerDestination) throws IOException {
        if (lanes < 1) {
            throw new IllegalArgumentException("lanes must be at least 1: " + lanes);
        }
        this.lanes = lanes;
        this.dir = dir;
        this.urls = List.copyOf(urls);
        this.clusterMode = urls.get(0).contains(TENANT_PLACEHOLDER);
        for (String u : urls) {
            if (u.contains(TENANT_PLACEHOLDER) != clusterMode) {
                throw new IllegalArgumentException("either every -remoteWrite.url holds {tenant} or none does");
            }
        }
        this.maxDiskBytesPerDestination = maxDiskBytesPerDestination;
        this.forwardLoop = new MultiThreadIoEventLoopGroup(
                1, new DefaultThreadFactory("central-ingest-forward", true), NioIoHandler.newFactory());
        try {
            Files.createDirectories(dir);
            reopenExisting();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private void reopenExisting() throws IOException {
        List<Path> subdirs;
        try (Stream<Path> s = Files.list(dir)) {
            subdirs = s.filter(Files::isDirectory).sorted().toList();
        }
        for (Path p : subdirs) {
            Matcher m = DIR.matcher(p.getFileName().toString());
            if (!m.matches()) {
                continue;
            }
            int shard = Integer.parseInt(m.group(1));
            String tenant = m.group(2) == null ? null : m.group(2).replace('_', ':');
            int lane = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
            if (shard >= urls.size() || (tenant != null) != clusterMode) {
                log.error(
                        "WAL directory {} does not match the -remoteWrite.url list ({} URLs, {} mode): its backlog"
                                + " is NOT forwarded; restore the previous URL list to drain it",
                        p,
                        urls.size(),
                        clusterMode ? "cluster" : "single-node");
                continue;
            }
            if (lane >= lanes) {
                log.warn(
                        "WAL directory {} is lane {} but -remoteWrite.queues={}: its backlog is forwarded, new data goes"
                                + " to the other lanes",
                        p,
                        lane,
                        lanes);
            }
            destination(shard, tenant, lane);
        }
    }

    /** Number of shards (URLs). */
    public int shardCount() {
        return urls.size();
    }

    /** Lanes per destination ({@code -remoteWrite.queues}). */
    public int lanes() {
        return lanes;
    }

    /**
     * Appends a stamped batch of {@code tenant}'s robot, built for {@link #shardCount()} shards and
     * {@link #lanes()} lanes: one excerpt per non-empty (shard, lane). Returns when all are in the
     * WAL (see the class comment for what that guarantees).
     */
    public void append(String tenant, StampedBatch batch, long nowMs) throws IOException {
        List<StampedBatch.ShardPart> parts = batch.shards();
        if (parts.size() != urls.size() * lanes) {
            throw new IllegalArgumentException(
                    "batch has " + parts.size() + " parts, expected " + urls.size() + " shards x " + lanes + " lanes");
        }
        for (int i = 0; i < parts.size(); i++) {
            StampedBatch.ShardPart part = parts.get(i);
            if (part.length() == 0) {
                continue;
            }
            DiskBuffer buffer = destination(i / lanes, clusterMode ? tenant : null, i % lanes).buffer;
            if (buffer.append(part.writeRequest(), part.length(), part.points(), nowMs) < 0) {
                // A full disk: the caller answers 500 and the robot keeps the batch and sends it again.
                throw new IOException("the WAL cannot write: " + buffer.appendFailure());
            }
        }
    }

    /** For tests: the buffer of a destination (opened if new). */
    DiskBuffer bufferFor(int shard, String tenant, int lane) throws IOException {
        return destination(shard, clusterMode ? tenant : null, lane).buffer;
    }

    private Destination destination(int shard, String tenant, int lane) throws IOException {
        String key = (tenant == null ? "shard-" + shard : "shard-" + shard + "-tenant-" + tenant.replace(':', '_'))
                + (lane == 0 ? "" : "-lane-" + lane);
        Destination d = destinations.get(key);
        if (d != null) {
            return d;
        }
        synchronized (destinations) {
            d = destinations.get(key);
            if (d == null) {
                String url = tenant == null ? urls.get(shard) : urls.get(shard).replace(TENANT_PLACEHOLDER, tenant);
                long laneCap = maxDiskBytesPerDestination == 0 ? 0 : Math.max(1, maxDiskBytesPerDestination / lanes);
                d = new Destination(dir.resolve(key), url, laneCap, forwardLoop);
                destinations.put(key, d);
                log.info("forwarding {} to {}", key, Destination.redact(url));
            }
            return d;
        }
    }

    /** Samples in the WAL not yet acknowledged by their destination. */
    public long pendingSamples() {
        return destinations.values().stream()
                .mapToLong(d -> d.buffer.pendingSamples())
                .sum();
    }

    public long forwardedSamples() {
        return destinations.values().stream()
                .mapToLong(Destination::forwardedSamples)
                .sum();
    }

    /**
     * Samples given up on: rejected (permanent 4xx), disk_full (cap), corrupt (damaged excerpt),
     * too_large (a single series too large for a WAL excerpt).
     */
    public long droppedSamples(String reason) {
        return switch (reason) {
            case "rejected" ->
                destinations.values().stream()
                        .mapToLong(Destination::rejectedSamples)
                        .sum();
            case "disk_full" ->
                destinations.values().stream()
                        .mapToLong(d -> d.buffer.diskFullSamplesTotal())
                        .sum();
            case "corrupt" ->
                destinations.values().stream()
                        .mapToLong(d -> d.buffer.corruptSamplesTotal())
                        .sum();
            case "too_large" ->
                destinations.values().stream()
                        .mapToLong(d -> d.buffer.tooLargeSamplesTotal())
                        .sum();
            default -> 0;
        };
    }

    /** Unsent WAL excerpts lost to damage whose sample count could not be read. */
    public long corruptExcerpts() {
        return destinations.values().stream()
                .mapToLong(d -> d.buffer.corruptExcerptsTotal())
                .sum();
    }

    /** WAL files found damaged at start. */
    public long corruptFiles() {
        return destinations.values().stream()
                .mapToLong(d -> d.buffer.corruptFilesTotal())
                .sum();
    }

    /** Allocated disk blocks of every destination's directory (what du reports). */
    public long diskBytes() {
        return destinations.values().stream()
                .mapToLong(d -> d.buffer.diskBytes())
                .sum();
    }

    /** Applies the disk cap of every destination; called about once a second. */
    public void enforceCaps() {
        for (Destination d : new ArrayList<>(destinations.values())) {
            try {
                d.buffer.enforceCap();
            } catch (IOException | RuntimeException e) {
                log.error("cannot enforce the disk cap on {}: {}", d.buffer.directory(), e.toString());
            }
        }
    }

    @Override
    public void close() {
        synchronized (destinations) {
            destinations.values().forEach(Destination::close);
            destinations.clear();
        }
        forwardLoop.shutdownGracefully(0, 3, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
