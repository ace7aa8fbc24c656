package dev.edgepush.forward.send;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import dev.edgepush.forward.buffer.SnappyConcat;
import dev.edgepush.proto.WriteRequestEncoder;
import dev.edgepush.proto.rw2.RemoteWriteV2;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

/**
 * Wire bytes per sample, and the compression time per batch, for batches shaped like those of the
 * testbed's side-by-side benchmark ({@code bench-agents -targets=10 -series=1000 -interval=1s}):
 * {@link #TARGETS} targets of {@link #SERIES} {@code sensor_synthetic_value{idx}} gauges (a random
 * walk of σ 0.5 rounded to 3 decimals, as the sensor simulator serves them) plus the 5 series the
 * agent adds per scrape. A steady batch holds one scrape of every target (a 1 s flush of 1 s
 * scrapes); a batch of the drain after an outage holds {@code maxRowsPerBlock} samples of
 * consecutive scrapes, so again about one per target. Each protocol with Snappy, and 2.0 with zstd
 * at levels 1 to 9 (bytes are deterministic; the milliseconds are this machine's, warm, one batch,
 * and only a guide). The last column is the floor under every 2.0 encoding: the samples' values
 * alone (8 bytes each, in the request's order, nothing else) compressed with zstd level 3 / 9.
 *
 * <pre>./mvnw -B -o -q -pl proto/store-forward -am test -Dtest=TestbedWireBytesTest -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
class TestbedWireBytesTest {
    static final int TARGETS = 10;
    static final int SERIES = 1_000;
    private static final String[] AGENT_SERIES = {
        "up",
        "scrape_duration_seconds",
        "scrape_samples_scraped",
        "scrape_samples_post_metric_relabeling",
        "scrape_series_added"
    };

    /** One scrape of target {@code t} at {@code tsMs}, as the scraper encodes it (1.0, labels sorted). */
    private static byte[] scrape(int t, long tsMs, double[] state, SplittableRandom random) {
        WriteRequestEncoder e = new WriteRequestEncoder();
        String instance = "127.0.0.1:" + (40_000 + 17 * t);
        for (int s = 0; s < SERIES; s++) {
            state[s] = Math.round((state[s] + random.nextGaussian() * 0.5) * 1000) / 1000.0;
            e.addSeries(
                    new String[] {
                        "__name__",
                        "sensor_synthetic_value",
                        "idx",
                        Integer.toString(s),
                        "instance",
                        instance,
                        "job",
                        "sensor"
                    },
                    4,
                    state[s],
                    tsMs);
        }
        for (String name : AGENT_SERIES) {
            double v =
                    name.equals("up") ? 1 : name.equals("scrape_duration_seconds") ? random.nextDouble() / 100 : 1040;
            e.addSeries(new String[] {"__name__", name, "instance", instance, "job", "sensor"}, 3, v, tsMs);
        }
        return e.toByteArray();
    }

    /** {@code rounds} scrapes of every target, one second apart, joined as the sender joins them. */
    static byte[] v1Batch(int rounds) throws Exception {
        SplittableRandom random = new SplittableRandom(1);
        double[][] state = new double[TARGETS][SERIES];
        for (double[] s : state) {
            Arrays.setAll(s, i -> Math.round(random.nextDouble() * 100_000) / 1000.0);
        }
        byte[] batch = new byte[64 << 20];
        int end = SnappyConcat.MAX_PREAMBLE_BYTES;
        int total = 0;
        for (int r = 0; r < rounds; r++) {
            for (int t = 0; t < TARGETS; t++) {
                byte[] plain = scrape(t, 1_700_000_000_000L + r * 1000L + 37 * t + random.nextInt(5), state[t], random);
                byte[] block = Snappy.compress(plain);
                end += SnappyConcat.appendElements(block, 0, block.length, batch, end);
                total += plain.length;
            }
        }
        int start = SnappyConcat.writePreamble(batch, SnappyConcat.MAX_PREAMBLE_BYTES, total);
        return Arrays.copyOfRange(batch, start, end);
    }

    private static long zstd(byte[] src, int length, byte[] dst, int level) {
        long n = Zstd.compressByteArray(dst, 0, dst.length, src, 0, length, level);
        assertTrue(!Zstd.isError(n), Zstd.getErrorName(n));
        return n;
    }

    /** Median of {@code runs} timings of {@code r}, in milliseconds. */
    private static double millis(int runs, Runnable r) {
        double[] t = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            r.run();
            t[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(t);
        return t[runs / 2];
    }

    @Test
    void bytesPerSampleOfTestbedShapedBatches() throws Exception {
        assertTrue(ZstdSupport.available("test"), "zstd-jni loads on the build machine");
        StringBuilder table = new StringBuilder(String.format(
                Locale.ROOT,
                "| scrapes per target | samples | 1.0 + Snappy | 1.0 + zstd 3 | 2.0 + Snappy | 2.0 + zstd 1 | 3 | 5 | 7 | 9 |"
                        + " ms per batch: 2.0 encode + Snappy | zstd 1 | 3 | 5 | 7 | 9 | values alone, zstd 3 / 9 |%n"
                        + "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|%n"));
        for (int rounds : new int[] {1, 10}) {
            byte[] v1 = v1Batch(rounds);
            byte[] v1Plain = Snappy.uncompress(v1);
            ProtocolTransport t = new ProtocolTransport(null, RemoteWriteProtocol.V2, () -> 0, "bytes");
            int v2Snappy = t.encodeV2(v1, 0, v1.length);
            byte[] v2Plain = Arrays.copyOf(t.v2Plain(), t.v2Size());
            assertArrayEquals(
                    Arrays.copyOf(t.packed(), v2Snappy),
                    Arrays.copyOf(t.packed(), t.encodeV2(v1, 0, v1.length)),
                    "deterministic");
            byte[] out = new byte[ZstdSupport.maxCompressedLength(Math.max(v1Plain.length, v2Plain.length))];
            double n = (SERIES + AGENT_SERIES.length) * TARGETS * rounds;
            int[] levels = {1, 3, 5, 7, 9};
            StringBuilder bytes = new StringBuilder();
            StringBuilder ms = new StringBuilder();
            for (int level : levels) {
                bytes.append(String.format(Locale.ROOT, " %.2f |", zstd(v2Plain, v2Plain.length, out, level) / n));
                for (int warm = 0; warm < 20; warm++) {
                    zstd(v2Plain, v2Plain.length, out, level);
                }
                ms.append(String.format(
                        Locale.ROOT, " %.2f |", millis(21, () -> zstd(v2Plain, v2Plain.length, out, level))));
            }
            for (int warm = 0; warm < 20; warm++) {
                t.encodeV2(v1, 0, v1.length);
            }
            double encodeMs = millis(21, () -> {
                try {
                    t.encodeV2(v1, 0, v1.length);
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            java.nio.ByteBuffer values =
                    java.nio.ByteBuffer.allocate(8 * (int) n).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (RemoteWriteV2.TimeSeries ts :
                    RemoteWriteV2.Request.parseFrom(v2Plain).getTimeseriesList()) {
                for (RemoteWriteV2.Sample sample : ts.getSamplesList()) {
                    values.putDouble(sample.getValue());
                }
            }
            assertEquals(values.capacity(), values.position(), "every sample's value");
            byte[] valueBytes = values.array();
            String floor = String.format(
                    Locale.ROOT,
                    " %.2f / %.2f |",
                    zstd(valueBytes, valueBytes.length, out, 3) / n,
                    zstd(valueBytes, valueBytes.length, out, 9) / n);
            table.append(String.format(
                            Locale.ROOT,
                            "| %d | %,d | %.2f | %.2f | %.2f |",
                            rounds,
                            (int) n,
                            v1.length / n,
                            zstd(v1Plain, v1Plain.length, out, ZstdSupport.LEVEL) / n,
                            v2Snappy / n))
                    .append(bytes)
                    .append(String.format(Locale.ROOT, " %.2f |", encodeMs))
                    .append(ms)
                    .append(floor)
                    .append(String.format("%n"));
        }
        System.out.print(table);
    }
}
