package dev.edgepush.forward.buffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.forward.send.Backoff;
import dev.edgepush.forward.send.PushOutcome;
import dev.edgepush.forward.send.SendCounters;
import dev.edgepush.forward.send.Sender;
import dev.edgepush.proto.rw1.RemoteWrite;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/**
 * Requests too large for one excerpt: split into pieces between series, read back through the
 * sender's real path (excerpts joined into compressed batches), decoded, identical; a single
 * series too large even for an excerpt counted as too_large.
 */
class DiskBufferSplitTest {
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    @TempDir
    Path dir;

    final SplittableRandom random = new SplittableRandom(7);
    long now = 1_000_000;
    DiskBuffer buffer;
    SendCounters metrics;
    /** What the sender pushed, each body decompressed and decoded, merged in order. */
    final RemoteWrite.WriteRequest.Builder received = RemoteWrite.WriteRequest.newBuilder();

    int pushes;

    @BeforeEach
    void open() throws IOException {
        buffer = DiskBuffer.open(dir);
        metrics = new SendCounters("samples_dropped_total{reason=\"rejected\"}");
    }

    @AfterEach
    void close() {
        buffer.close();
    }

    private String randomString(int n) {
        char[] c = new char[n];
        for (int i = 0; i < n; i++) {
            c[i] = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
        }
        return new String(c);
    }

    private static RemoteWrite.Label label(String name, String value) {
        return RemoteWrite.Label.newBuilder().setName(name).setValue(value).build();
    }

    /** Series {@code i}: random label values and sample values (Snappy gains little), 1-3 samples, a histogram now and then. */
    private RemoteWrite.TimeSeries series(int i, String idValue) {
        RemoteWrite.TimeSeries.Builder ts = RemoteWrite.TimeSeries.newBuilder()
                .addLabels(label("__name__", "robot_metric_" + i % 50))
                .addLabels(label("id", idValue))
                .addLabels(label("job", "robot"));
        for (int p = 0; p <= i % 3; p++) {
            ts.addSamples(RemoteWrite.Sample.newBuilder()
                    .setValue(random.nextDouble())
                    .setTimestamp(1_700_000_000_000L + i + p));
        }
        if (i % 97 == 0) {
            ts.addHistograms(RemoteWrite.Histogram.newBuilder()
                    .setCountInt(i)
                    .setSum(random.nextDouble())
                    .setTimestamp(1_700_000_000_000L + i));
        }
        return ts.build();
    }

    private RemoteWrite.TimeSeries series(int i) {
        return series(i, randomString(32));
    }

    /** Serialized series {@code from..to-1}, as one WriteRequest. */
    private byte[] request(int from, int to) {
        RemoteWrite.WriteRequest.Builder r = RemoteWrite.WriteRequest.newBuilder();
        for (int i = from; i < to; i++) {
            r.addTimeseries(series(i));
        }
        return r.build().toByteArray();
    }

    /** Series 0, 1, ... until the request is at least {@code bytes} long. */
    private byte[] requestOfAtLeast(int bytes) {
        RemoteWrite.WriteRequest.Builder r = RemoteWrite.WriteRequest.newBuilder();
        long size = 0;
        for (int i = 0; size < bytes; i++) {
            RemoteWrite.TimeSeries ts = series(i);
            r.addTimeseries(ts);
            size += ts.getSerializedSize(); // plus its tag and length
        }
        return r.build().toByteArray();
    }

    private static byte[] metadata(String family) {
        return RemoteWrite.WriteRequest.newBuilder()
                .addMetadata(RemoteWrite.MetricMetadata.newBuilder()
                        .setType(RemoteWrite.MetricMetadata.MetricType.GAUGE)
                        .setMetricFamilyName(family)
                        .setHelp("help of " + family))
                .build()
                .toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** Samples as the buffer's callers count them: samples plus histograms. */
    private static int samples(RemoteWrite.WriteRequest r) {
        int n = 0;
        for (RemoteWrite.TimeSeries ts : r.getTimeseriesList()) {
            n += ts.getSamplesCount() + ts.getHistogramsCount();
        }
        return n;
    }

    private record Excerpt(byte[] payload, int sampleCount, int compressedLength) {}

    /** Every unacknowledged excerpt, decompressed, through {@link BufferReader}. */
    private List<Excerpt> excerpts() throws IOException {
        List<Excerpt> out = new ArrayList<>();
        try (BufferReader reader = buffer.reader()) {
            BufferReader.Record r = new BufferReader.Record();
            while (reader.next(r)) {
                byte[] payload = new byte[r.uncompressedLength];
                assertEquals(r.uncompressedLength, r.decompressTo(payload, 0));
                out.add(new Excerpt(payload, r.sampleCount, r.compressedLength()));
            }
        }
        return out;
    }

    /** Drains the buffer through a {@link Sender} into {@link #received}; returns the samples sent. */
    private long sendAll() throws IOException {
        Sender.Transport transport = new Sender.Transport() {
            @Override
            public PushOutcome push(byte[] body, int offset, int length) {
                try {
                    received.mergeFrom(Snappy.uncompress(Arrays.copyOfRange(body, offset, offset + length)));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(
                            "the pushed body is not a valid Snappy block of a WriteRequest", e);
                }
                pushes++;
                return new PushOutcome.Delivered(204);
            }

            @Override
            public long lastRequestBytes() {
                return 0;
            }
        };
        Sender sender = new Sender(
                buffer,
                transport,
                new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), new SplittableRandom(1)),
                metrics,
                () -> now,
                Duration.ofSeconds(1),
                100_000,
                1 << 20,
                "test");
        for (int i = 0; i < 1000 && buffer.pendingSamples() > 0; i++) {
            now += 1000;
            sender.runOnce();
        }
        sender.closeReader();
        return metrics.samplesSent();
    }

    private void assertNothingDropped() {
        assertEquals(0, buffer.diskFullSamplesTotal(), "disk_full");
        assertEquals(0, buffer.tooLargeSamplesTotal(), "too_large");
        assertEquals(0, buffer.corruptSamplesTotal(), "corrupt");
        assertNull(buffer.appendFailure());
    }

    @Test
    void aRequestLargerThanOneExcerptIsSplitBetweenSeriesAndArrivesWholeInOrder() throws IOException {
        // 20,000 series with random label values, metadata entries between them: the top-level
        // fields of a WriteRequest in an order protobuf-java would not write but must accept.
        byte[] request = concat(request(0, 7000), metadata("first"), request(7000, 20_000), metadata("last"));
        RemoteWrite.WriteRequest expected = RemoteWrite.WriteRequest.parseFrom(request);
        int count = samples(expected);
        assertTrue(
                Snappy.compress(request).length + RecordFormat.HEADER_BYTES > RecordFormat.MAX_EXCERPT_BYTES,
                "the request compressed is larger than an excerpt: " + request.length + " bytes");

        assertTrue(buffer.append(request, request.length, count, now) > 0);

        assertEquals(count, buffer.pendingSamples());
        assertEquals(count, buffer.bufferedSamplesTotal());
        assertNothingDropped();
        List<Excerpt> excerpts = excerpts();
        assertTrue(
                excerpts.size() >= request.length / RecordFormat.PIECE_LIMIT_BYTES + 1, excerpts.size() + " excerpts");
        int sum = 0;
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (Excerpt e : excerpts) {
            assertTrue(e.payload.length <= RecordFormat.PIECE_LIMIT_BYTES, "piece of " + e.payload.length + " bytes");
            assertTrue(e.compressedLength + RecordFormat.HEADER_BYTES <= RecordFormat.MAX_EXCERPT_BYTES);
            RemoteWrite.WriteRequest piece = RemoteWrite.WriteRequest.parseFrom(e.payload);
            assertEquals(samples(piece), e.sampleCount, "each piece counts its own samples");
            sum += e.sampleCount;
            joined.writeBytes(e.payload);
        }
        assertEquals(count, sum);
        assertArrayEquals(request, joined.toByteArray(), "the pieces are the request, cut between fields");

        assertEquals(count, sendAll());
        assertTrue(pushes > 1, "batches of at most 1 MiB: " + pushes);
        assertEquals(
                expected.getTimeseriesList(), received.getTimeseriesList(), "the same series and samples, in order");
        assertEquals(expected.getMetadataList(), received.getMetadataList());
        assertEquals(0, buffer.pendingSamples());
        assertNothingDropped();
    }

    @Test
    void thePiecesCountsAddUpToTheCallersCountWhateverItIs() throws IOException {
        byte[] request = requestOfAtLeast(5 * RecordFormat.PIECE_LIMIT_BYTES / 2);
        int counted = samples(RemoteWrite.WriteRequest.parseFrom(request));
        for (int callers : new int[] {counted + 7, counted - 7, 1, 0}) {
            long before = buffer.bufferedSamplesTotal();
            buffer.append(request, request.length, callers, now);
            assertEquals(callers, buffer.bufferedSamplesTotal() - before, "caller said " + callers);
        }
        List<Excerpt> excerpts = excerpts();
        int pieces = excerpts.size() / 4;
        assertEquals(0, excerpts.size() % 4);
        for (int k = 0; k < 4; k++) {
            int sum = 0;
            for (Excerpt e : excerpts.subList(k * pieces, (k + 1) * pieces)) {
                assertTrue(e.sampleCount >= 0);
                sum += e.sampleCount;
            }
            assertEquals(new int[] {counted + 7, counted - 7, 1, 0}[k], sum);
        }
        Excerpt last = excerpts.get(pieces - 1);
        assertEquals(
                samples(RemoteWrite.WriteRequest.parseFrom(last.payload)) + 7,
                last.sampleCount,
                "the last piece takes the remainder");
        assertEquals(2L * counted + 1, buffer.pendingSamples());
        assertNothingDropped();
    }

    @Test
    void aSingleSeriesTooLargeForAnExcerptIsDroppedAsTooLargeNotDiskFull() throws IOException {
        // A label value of random characters: Snappy cannot bring it under an excerpt.
        RemoteWrite.TimeSeries huge = series(1, randomString(2 * RecordFormat.MAX_EXCERPT_BYTES));
        int hugeSamples = huge.getSamplesCount();
        byte[] before = request(100, 400);
        byte[] after = request(400, 700);
        byte[] request = concat(
                before,
                RemoteWrite.WriteRequest.newBuilder()
                        .addTimeseries(huge)
                        .build()
                        .toByteArray(),
                after);
        int count = samples(RemoteWrite.WriteRequest.parseFrom(request));

        assertTrue(buffer.append(request, request.length, count, now) > 0, "the rest was written");

        assertEquals(hugeSamples, buffer.tooLargeSamplesTotal());
        assertEquals(0, buffer.diskFullSamplesTotal());
        assertNull(buffer.appendFailure(), "the buffer is not in the disk full state");
        assertEquals(count - hugeSamples, buffer.pendingSamples());
        assertEquals(count - hugeSamples, sendAll());
        RemoteWrite.WriteRequest expected = RemoteWrite.WriteRequest.parseFrom(concat(before, after));
        assertEquals(expected.getTimeseriesList(), received.getTimeseriesList(), "everything but the huge series");

        // A request of only that series: nothing written, nothing failed.
        byte[] alone = RemoteWrite.WriteRequest.newBuilder()
                .addTimeseries(huge)
                .build()
                .toByteArray();
        assertEquals(0, buffer.append(alone, alone.length, hugeSamples, now));
        assertEquals(2L * hugeSamples, buffer.tooLargeSamplesTotal());
        assertEquals(0, buffer.pendingSamples());
        assertEquals(0, buffer.diskFullSamplesTotal());
    }

    @Test
    void aSingleSeriesLongerThanAPieceThatCompressesIntoAnExcerptIsWrittenAlone() throws IOException {
        RemoteWrite.TimeSeries big = series(1, "a".repeat(RecordFormat.PIECE_LIMIT_BYTES + 1000));
        byte[] bigBytes =
                RemoteWrite.WriteRequest.newBuilder().addTimeseries(big).build().toByteArray();
        byte[] request = concat(request(100, 200), bigBytes, request(200, 300));
        RemoteWrite.WriteRequest expected = RemoteWrite.WriteRequest.parseFrom(request);
        int count = samples(expected);

        assertTrue(buffer.append(request, request.length, count, now) > 0);

        List<Excerpt> excerpts = excerpts();
        assertEquals(3, excerpts.size());
        assertArrayEquals(bigBytes, excerpts.get(1).payload, "the big series alone");
        assertEquals(big.getSamplesCount(), excerpts.get(1).sampleCount);
        assertEquals(count, buffer.pendingSamples());
        assertNothingDropped();
        assertEquals(count, sendAll());
        assertEquals(expected.getTimeseriesList(), received.getTimeseriesList());
    }

    @Test
    void aRequestUpToThePieceLimitIsOneExcerptAsBefore() throws IOException {
        byte[] request = request(0, 500);
        assertTrue(request.length <= RecordFormat.PIECE_LIMIT_BYTES);
        int count = samples(RemoteWrite.WriteRequest.parseFrom(request));

        buffer.append(request, request.length, count, now);

        List<Excerpt> excerpts = excerpts();
        assertEquals(1, excerpts.size());
        assertArrayEquals(request, excerpts.get(0).payload);
        assertEquals(count, excerpts.get(0).sampleCount);
        assertNothingDropped();
    }

    @Test
    void anUnparsableRestIsOnePieceAndNeverACrash() throws IOException {
        byte[] valid = request(0, 1000);
        byte[] garbage = new byte[RecordFormat.PIECE_LIMIT_BYTES]; // 0xff...: a varint that never ends
        Arrays.fill(garbage, (byte) 0xff);
        byte[] request = concat(valid, garbage);

        buffer.append(request, request.length, 5000, now);

        List<Excerpt> excerpts = excerpts();
        assertArrayEquals(garbage, excerpts.get(excerpts.size() - 1).payload, "the unparsable rest, whole");
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        excerpts.forEach(e -> joined.writeBytes(e.payload));
        assertArrayEquals(request, joined.toByteArray());
        assertEquals(5000, excerpts.stream().mapToInt(Excerpt::sampleCount).sum());
        assertNothingDropped();

        // Random bytes (parts may even parse as fields), too long for one excerpt: whatever cannot
        // be stored is too_large, the counts still add up, nothing throws.
        byte[] noise = new byte[3 * RecordFormat.MAX_EXCERPT_BYTES];
        random.nextBytes(noise);
        long buffered = buffer.bufferedSamplesTotal();
        buffer.append(noise, noise.length, 1234, now);
        assertEquals(1234, buffer.bufferedSamplesTotal() - buffered + buffer.tooLargeSamplesTotal());
        assertEquals(0, buffer.diskFullSamplesTotal());
    }

    @Test
    void largeAppendsFromSeveralThreadsAtOnceKeepEachRequestsSeriesInOrder() throws Exception {
        int threads = 3;
        int perThread = 3;
        int seriesPerRequest = 2 * RecordFormat.PIECE_LIMIT_BYTES / 100; // over 100 bytes each: 2+ pieces
        // Series of thread t, request k, number j carry the label id "t/k/j".
        byte[][][] requests = new byte[threads][perThread][];
        int[][] counts = new int[threads][perThread];
        long total = 0;
        for (int t = 0; t < threads; t++) {
            for (int k = 0; k < perThread; k++) {
                RemoteWrite.WriteRequest.Builder r = RemoteWrite.WriteRequest.newBuilder();
                for (int j = 0; j < seriesPerRequest; j++) {
                    r.addTimeseries(series(j, t + "/" + k + "/" + j + "/" + randomString(40)));
                }
                RemoteWrite.WriteRequest req = r.build();
                requests[t][k] = req.toByteArray();
                counts[t][k] = samples(req);
                total += counts[t][k];
                assertTrue(requests[t][k].length > RecordFormat.PIECE_LIMIT_BYTES);
            }
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            done.add(pool.submit(() -> {
                start.await();
                for (int k = 0; k < perThread; k++) {
                    assertTrue(
                            buffer.append(requests[thread][k], requests[thread][k].length, counts[thread][k], k) > 0);
                }
                return null;
            }));
        }
        start.countDown();
        for (java.util.concurrent.Future<?> f : done) {
            f.get();
        }
        pool.shutdown();

        assertEquals(total, buffer.pendingSamples());
        int[] nextRequest = new int[threads];
        int[] nextSeries = new int[threads];
        long read = 0;
        for (Excerpt e : excerpts()) {
            RemoteWrite.WriteRequest piece = RemoteWrite.WriteRequest.parseFrom(e.payload);
            assertEquals(samples(piece), e.sampleCount);
            read += e.sampleCount;
            for (RemoteWrite.TimeSeries ts : piece.getTimeseriesList()) {
                String[] id = ts.getLabels(1).getValue().split("/");
                int t = Integer.parseInt(id[0]);
                assertEquals(nextRequest[t], Integer.parseInt(id[1]), "thread " + t + "'s requests in order");
                assertEquals(nextSeries[t], Integer.parseInt(id[2]), "and their series in order, none missing");
                if (++nextSeries[t] == seriesPerRequest) {
                    nextSeries[t] = 0;
                    nextRequest[t]++;
                }
            }
        }
        assertEquals(total, read);
        for (int t = 0; t < threads; t++) {
            assertEquals(perThread, nextRequest[t]);
        }
        assertNothingDropped();
    }
}
