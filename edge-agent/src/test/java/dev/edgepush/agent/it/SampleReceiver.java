package dev.edgepush.agent.it;

import com.sun.net.httpserver.HttpServer;
import dev.edgepush.proto.rw1.RemoteWrite;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.xerial.snappy.Snappy;

/**
 * A remote-write receiver that keeps what the no-input-can-kill-it tests look at: the values of
 * {@code test_seq} (a {@link dev.edgepush.testsupport.CountingTarget}'s answer numbers) with their timestamps, how many
 * samples each job sent per timestamp, and the {@code up} values per job. Answers 204 to all.
 */
final class SampleReceiver implements AutoCloseable {
    private final HttpServer server;
    /** test_seq values received (one per scrape of the counting target). */
    final NavigableSet<Long> seqs = new ConcurrentSkipListSet<>();
    /** test_seq value -> the timestamp of its sample (its scrape's start). */
    final Map<Long, Long> seqTimestamps = new ConcurrentHashMap<>();
    /** job -> timestamp -> samples of that job at that timestamp, synthetic series not counted. */
    final Map<String, Map<Long, LongAdder>> perScrape = new ConcurrentHashMap<>();
    /** job -> timestamp -> the up value. */
    final Map<String, Map<Long, Double>> up = new ConcurrentHashMap<>();

    final AtomicLong samples = new AtomicLong();
    /**
     * timestamp -> the distinct series (their labels, in order) with a sample at it, so that a
     * duplicate delivery counts once; kept only when asked for (a million-series scrape would not fit).
     */
    final Map<Long, Set<String>> seriesAt = new ConcurrentHashMap<>();

    private final boolean keepSeries;

    SampleReceiver() throws IOException {
        this(0, false);
    }

    /**
     * On {@code port} (0: any free port; a given one, e.g. where an agent already pushes while
     * nothing listens there), keeping {@link #seriesAt} if {@code keepSeries}.
     */
    SampleReceiver(int port, boolean keepSeries) throws IOException {
        this.keepSeries = keepSeries;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.setExecutor(Executors.newSingleThreadExecutor());
        server.createContext("/api/v1/write", ex -> {
            try {
                byte[] raw = Snappy.uncompress(ex.getRequestBody().readAllBytes());
                record(RemoteWrite.WriteRequest.parseFrom(raw));
                ex.sendResponseHeaders(204, -1);
            } catch (IOException | RuntimeException e) {
                ex.sendResponseHeaders(400, -1);
            }
            ex.close();
        });
        server.start();
    }

    private void record(RemoteWrite.WriteRequest req) {
        for (RemoteWrite.TimeSeries ts : req.getTimeseriesList()) {
            String name = "";
            String job = "";
            for (RemoteWrite.Label l : ts.getLabelsList()) {
                if (l.getName().equals("__name__")) {
                    name = l.getValue();
                } else if (l.getName().equals("job")) {
                    job = l.getValue();
                }
            }
            String key = keepSeries
                    ? ts.getLabelsList().stream()
                            .map(l -> l.getName() + "=" + l.getValue())
                            .toList()
                            .toString()
                    : null;
            for (RemoteWrite.Sample s : ts.getSamplesList()) {
                samples.incrementAndGet();
                if (keepSeries) {
                    seriesAt.computeIfAbsent(s.getTimestamp(), t -> ConcurrentHashMap.newKeySet())
                            .add(key);
                }
                if (Double.isNaN(s.getValue())) {
                    continue; // staleness markers
                }
                if (name.equals("test_seq")) {
                    seqs.add((long) s.getValue());
                    seqTimestamps.put((long) s.getValue(), s.getTimestamp());
                } else if (name.equals("up")) {
                    up.computeIfAbsent(job, j -> new ConcurrentHashMap<>()).put(s.getTimestamp(), s.getValue());
                } else if (!name.startsWith("scrape_")) {
                    perScrape
                            .computeIfAbsent(job, j -> new ConcurrentHashMap<>())
                            .computeIfAbsent(s.getTimestamp(), t -> new LongAdder())
                            .increment();
                }
            }
        }
    }

    /** Distinct samples (series and timestamp; staleness markers included) with a timestamp before {@code ms}. */
    long distinctSamplesBefore(long ms) {
        return seriesAt.entrySet().stream()
                .filter(e -> e.getKey() < ms)
                .mapToLong(e -> e.getValue().size())
                .sum();
    }

    /** The timestamp of the scrape that answered {@code seq}. */
    long seqTimestamp(long seq) {
        return seqTimestamps.getOrDefault(seq, -1L);
    }

    String writeUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1/write";
    }

    /** Samples of {@code job} with timestamp {@code ts}. */
    long count(String job, long ts) {
        LongAdder a = perScrape.getOrDefault(job, Map.of()).get(ts);
        return a == null ? 0 : a.sum();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
