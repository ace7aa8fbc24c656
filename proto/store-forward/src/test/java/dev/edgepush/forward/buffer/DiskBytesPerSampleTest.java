package dev.edgepush.forward.buffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdDictCompress;
import com.github.luben.zstd.ZstdDictTrainer;
import dev.edgepush.forward.send.ZstdSupport;
import dev.edgepush.proto.WriteRequestEncoder;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

/**
 * Disk bytes per buffered sample for candidate encodings of one excerpt (one scrape), on the
 * testbed's sensor data: a target of the testbed's sensor-sim with 1,000 synthetic series (gauges
 * that wander by a Gaussian step of 0.5, three decimals) besides its ~50 own series (temperatures,
 * battery, request and CPU-spike histograms, counters), as the agent stores a scrape: a remote-write
 * 1.0 WriteRequest, labels sorted, job and instance added, the agent's 5 scrape series, one
 * timestamp per scrape. Consecutive scrapes of one target, 1 s apart. A deterministic function of
 * the data: a measurement, not a timing (the microseconds are indicative; the rows after "split"
 * include a check that it reverses, all but format 3's, which times the writer's own path). Prints
 * the table in the README:
 *
 * <pre>./mvnw -B -o -q -pl proto/store-forward -am test -Dtest=DiskBytesPerSampleTest -Dsurefire.failIfNoSpecifiedTests=false -Djazzer.skip=true</pre>
 *
 * <p>Candidates: Snappy (format 2), zstd level 1 and 3 of the request; zstd with a dictionary
 * trained on an earlier hour's scrapes; zstd with the target's previous scrape as a raw-content
 * dictionary (isolated only if that reference is stored durably apart from the excerpt); and the
 * same after {@link DecimalValues#split} (format 3 is split + zstd level 1, self-contained).
 */
class DiskBytesPerSampleTest {
    static final int SYNTHETIC = 1_000;
    static final int SCRAPES = 120;

    /** The testbed's sensor-sim target (SensorModel's series and walks), one scrape per tick. */
    static final class Target {
        private final Random random;
        private final double[] synthetic = new double[SYNTHETIC];
        private final double[] temps = {38.0, 41.0, 29.0};
        private final long[] buckets = new long[2 * 12 + 4];
        private double humidity = 0.45;
        private double charge = 0.9;
        private long requests;
        private final String instance;
        private long seq;

        Target(long seed, int port) {
            random = new Random(seed);
            instance = "127.0.0.1:" + port;
            for (int i = 0; i < SYNTHETIC; i++) {
                synthetic[i] = round(random.nextDouble() * 100.0, 3);
            }
        }

        private static double round(double v, int decimals) {
            double scale = Math.pow(10, decimals);
            return Math.round(v * scale) / scale;
        }

        /** The next scrape as the agent buffers it: a 1.0 WriteRequest. */
        byte[] scrape(long tsMs) {
            seq++;
            for (int i = 0; i < temps.length; i++) {
                temps[i] = round(temps[i] + (40 - temps[i]) * 0.05 + random.nextGaussian() * 0.6, 2);
            }
            humidity = round(humidity + (0.45 - humidity) * 0.02 + random.nextGaussian() * 0.01, 4);
            charge = round(charge - 0.001 * random.nextDouble(), 4);
            int n = 15 + random.nextInt(40);
            requests += n;
            for (int b = 0; b < buckets.length; b++) {
                buckets[b] += random.nextInt(1 + n * (b % 12 + 1) / 12);
            }
            for (int i = 0; i < SYNTHETIC; i++) {
                synthetic[i] = round(synthetic[i] + random.nextGaussian() * 0.5, 3);
            }
            WriteRequestEncoder e = new WriteRequestEncoder(128 * 1024);
            String[] sensors = {"battery", "motor_left", "motor_right"};
            for (int i = 0; i < temps.length; i++) {
                add(e, "sensor_temperature_celsius", "sensor", sensors[i], temps[i], tsMs);
            }
            add(e, "sensor_humidity_ratio", null, null, humidity, tsMs);
            add(e, "sensor_battery_charge_ratio", null, null, charge, tsMs);
            add(e, "sensor_battery_voltage_volts", null, null, round(7 * (3.3 + 0.9 * charge), 3), tsMs);
            add(e, "sensor_queue_depth", null, null, random.nextInt(10), tsMs);
            String[] les = {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"};
            for (int b = 0; b < 12; b++) {
                add(e, "sensor_request_duration_seconds_bucket", "le", les[b], buckets[b], tsMs);
                add(e, "sensor_cpu_spike_duration_seconds_bucket", "le", les[b], buckets[12 + b], tsMs);
            }
            add(e, "sensor_request_duration_seconds_count", null, null, requests, tsMs);
            add(e, "sensor_request_duration_seconds_sum", null, null, round(requests * 0.0412, 6), tsMs);
            add(e, "sensor_requests_total", "status", "200", requests, tsMs);
            add(e, "sensor_uptime_seconds", null, null, round(seq * 1.0003, 3), tsMs);
            add(e, "sensor_build_info", "version", "1.4.2-sim", 1, tsMs);
            add(e, "sensor_scrape_seq", null, null, seq, tsMs);
            for (int i = 0; i < SYNTHETIC; i++) {
                add(e, "sensor_synthetic_value", "idx", Integer.toString(i), synthetic[i], tsMs);
            }
            add(e, "up", null, null, 1, tsMs);
            add(e, "scrape_duration_seconds", null, null, round(0.002 + random.nextDouble() * 0.003, 6), tsMs);
            add(e, "scrape_samples_scraped", null, null, SYNTHETIC + 41, tsMs);
            add(e, "scrape_samples_post_metric_relabeling", null, null, SYNTHETIC + 41, tsMs);
            add(e, "scrape_series_added", null, null, 0, tsMs);
            return e.toByteArray();
        }

        int samplesPerScrape() {
            return SYNTHETIC + 41 + 5;
        }

        private void add(WriteRequestEncoder e, String name, String label, String value, double v, long tsMs) {
            String[] labels = label == null
                    ? new String[] {"__name__", name, "instance", instance, "job", "sensor"}
                    : new String[] {"__name__", name, "instance", instance, "job", "sensor", label, value};
            if (label != null && label.compareTo("instance") < 0) {
                labels = new String[] {"__name__", name, label, value, "instance", instance, "job", "sensor"};
            }
            e.addSeries(labels, labels.length / 2, v, tsMs);
        }
    }

    private static int zstd(byte[] src, int len, int level) {
        byte[] out = new byte[(int) Zstd.compressBound(len)];
        long n = Zstd.compressByteArray(out, 0, out.length, src, 0, len, level);
        assertTrue(!Zstd.isError(n));
        return (int) n;
    }

    private static int zstdDict(byte[] src, int len, ZstdDictCompress dict) {
        byte[] out = new byte[(int) Zstd.compressBound(len)];
        long n = Zstd.compressFastDict(out, 0, src, 0, len, dict);
        assertTrue(!Zstd.isError(n));
        return (int) n;
    }

    private static byte[] split(byte[] plain) {
        byte[] s = new byte[DecimalValues.maxSplitLength(plain.length)];
        int n = DecimalValues.split(plain, 0, plain.length, s);
        byte[] copy = Arrays.copyOf(s, n);
        byte[] back = copy.clone();
        DecimalValues.join(back, plain.length, n);
        assertArrayEquals(plain, Arrays.copyOf(back, plain.length), "split is reversible");
        return Arrays.copyOf(s, n);
    }

    private static byte[] trained(boolean splitFirst) {
        ZstdDictTrainer trainer = new ZstdDictTrainer(32 << 20, 64 << 10);
        Target earlier = new Target(99, 9101);
        for (int k = 0; k < 60; k++) {
            byte[] one = earlier.scrape(1_700_000_000_000L - 3_600_000L + k * 60_000L);
            byte[] r = splitFirst ? split(one) : one;
            for (int at = 0; at < r.length; at += 4096) {
                trainer.addSample(Arrays.copyOfRange(r, at, Math.min(r.length, at + 4096)));
            }
        }
        return trainer.trainSamples();
    }

    @Test
    void bytesPerSampleOfOneExcerpt() throws Exception {
        assertTrue(ZstdSupport.available("test"), "zstd-jni loads on the build machine");
        String[] names = {
            "Snappy (format 2)",
            "zstd 1",
            "zstd 3",
            "zstd 3, trained 64 KiB dictionary",
            "zstd 3, previous scrape as dictionary",
            "split + Snappy",
            "split + zstd 1 (format 3, as the writer does it)",
            "split + zstd -1",
            "split + zstd 3",
            "split + zstd 3, trained 64 KiB dictionary",
            "split + zstd 3, previous scrape as dictionary",
        };
        long[] bytes = new long[names.length];
        long[] nanos = new long[names.length];
        ZstdDictCompress dictPlain = new ZstdDictCompress(trained(false), 3);
        ZstdDictCompress dictSplit = new ZstdDictCompress(trained(true), 3);
        Target t = new Target(1, 9100);
        RecordFormat.Compressor compressor = new RecordFormat.Compressor();
        byte[] snappyOut = new byte[1 << 20];
        byte[] previous = null;
        byte[] previousSplit = null;
        long samples = 0;
        for (int k = 0; k < SCRAPES + 10; k++) {
            byte[] plain = t.scrape(1_700_000_000_000L + k * 1000L + (k * 7) % 13);
            byte[] s = split(plain);
            boolean counted = k >= 10; // warm-up
            if (counted) {
                samples += t.samplesPerScrape();
            }
            ZstdDictCompress prev = previous == null ? null : new ZstdDictCompress(previous, 3);
            ZstdDictCompress prevSplit = previousSplit == null ? null : new ZstdDictCompress(previousSplit, 3);
            for (int c = 0; c < names.length; c++) {
                long t0 = System.nanoTime();
                int n =
                        switch (c) {
                            case 0 -> Snappy.rawCompress(plain, 0, plain.length, snappyOut, 0);
                            case 1 -> zstd(plain, plain.length, 1);
                            case 2 -> zstd(plain, plain.length, 3);
                            case 3 -> zstdDict(plain, plain.length, dictPlain);
                            case 4 -> prev == null ? 0 : zstdDict(plain, plain.length, prev);
                            case 5 -> Snappy.compress(split(plain)).length;
                            case 6 -> {
                                compressor.compress(plain, 0, plain.length);
                                assertTrue(compressor.version() == RecordFormat.VERSION);
                                yield compressor.length();
                            }
                            case 7 -> zstd(split(plain), s.length, -1);
                            case 8 -> zstd(split(plain), s.length, 3);
                            case 9 -> zstdDict(split(plain), s.length, dictSplit);
                            default -> prevSplit == null ? 0 : zstdDict(split(plain), s.length, prevSplit);
                        };
                if (counted) {
                    bytes[c] += n + RecordFormat.HEADER_BYTES;
                    nanos[c] += System.nanoTime() - t0;
                }
            }
            if (prev != null) {
                prev.close();
                prevSplit.close();
            }
            previous = plain;
            previousSplit = s;
        }
        StringBuilder table = new StringBuilder(String.format(
                Locale.ROOT,
                "%d scrapes of %,d samples; excerpt header included%n"
                        + "| one excerpt = one scrape | bytes/sample | µs per scrape |%n|---|---:|---:|%n",
                SCRAPES,
                t.samplesPerScrape()));
        for (int c = 0; c < names.length; c++) {
            table.append(String.format(
                    Locale.ROOT,
                    "| %s | %.2f | %d |%n",
                    names[c],
                    bytes[c] / (double) samples,
                    nanos[c] / 1000 / SCRAPES));
        }
        System.out.print(table);
        assertTrue(bytes[6] < bytes[0] / 2, "format 3 less than half of format 2");
        assertTrue(bytes[6] < 6L * samples, "format 3 under 6 bytes per sample");
    }
}
