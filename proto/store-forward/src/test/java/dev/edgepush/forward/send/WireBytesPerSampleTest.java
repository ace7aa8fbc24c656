package dev.edgepush.forward.send;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdDictTrainer;
import dev.edgepush.forward.buffer.SnappyConcat;
import dev.edgepush.proto.WriteRequestEncoder;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

/**
 * Wire bytes per sample, remote write 1.0 as the sender joins the buffered scrapes versus the same
 * batch as 2.0 ({@link ProtocolTransport}'s encoding), for a fixed sensor-like series set of
 * {@link #SERIES} series (20 families of 50 label sets, job and instance as the agent adds them;
 * gauges wander, counters count) at 1 and 10 scrapes per batch; then each protocol with Snappy and
 * with zstd ({@link ZstdSupport}, as sent to a remote that takes it), and what a zstd dictionary
 * trained on the robot's own earlier scrapes would add. The bytes are a deterministic function of
 * the data, so this is a measurement, not a timing; it prints the tables in the README:
 *
 * <pre>./mvnw -B -o -q -pl proto/store-forward -am test -Dtest=WireBytesPerSampleTest -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
class WireBytesPerSampleTest {
    static final int SERIES = 1_000;
    private static final String[] FAMILIES = {
        "sensor_temperature_celsius",
        "sensor_humidity_ratio",
        "sensor_pressure_pascals",
        "imu_acceleration_mps2",
        "imu_angular_velocity_rads",
        "motor_current_amperes",
        "motor_speed_rpm",
        "motor_temperature_celsius",
        "battery_voltage_volts",
        "battery_current_amperes",
        "lidar_points_total",
        "lidar_frames_dropped_total",
        "camera_frames_total",
        "camera_exposure_seconds",
        "wheel_odometry_meters_total",
        "wifi_signal_dbm",
        "cpu_throttle_events_total",
        "planner_cycle_duration_seconds",
        "localization_error_meters",
        "safety_stops_total"
    };

    /** One scrape of the series set at {@code tsMs}, as the scraper encodes it (1.0, labels sorted). */
    private static byte[] scrape(int n, long tsMs, double[] state, SplittableRandom random) {
        WriteRequestEncoder e = new WriteRequestEncoder();
        String[] labels = new String[10];
        for (int s = 0; s < SERIES; s++) {
            String family = FAMILIES[s % FAMILIES.length];
            int idx = s / FAMILIES.length;
            labels[0] = "__name__";
            labels[1] = family;
            labels[2] = "device";
            labels[3] = "dev" + (idx % 10);
            labels[4] = "instance";
            labels[5] = "127.0.0.1:9100";
            labels[6] = "job";
            labels[7] = "sensor";
            labels[8] = "channel";
            labels[9] = "ch" + (idx / 10);
            // sorted: __name__, channel, device, instance, job
            String[] sorted = {
                labels[0], labels[1], labels[8], labels[9], labels[2], labels[3], labels[4], labels[5], labels[6],
                labels[7]
            };
            if (family.endsWith("_total")) {
                state[s] += random.nextInt(20);
            } else {
                state[s] = Math.round((state[s] + random.nextDouble(-0.5, 0.5)) * 1000) / 1000.0;
            }
            e.addSeries(sorted, 5, state[s], tsMs);
        }
        return e.toByteArray();
    }

    /** The batch of {@code scrapes} scrapes as the sender builds it: each scrape's Snappy block, joined. */
    private static byte[] v1Batch(int scrapes) throws Exception {
        return v1Batch(scrapes, 16, 1_700_000_000_000L);
    }

    /** As {@link #v1Batch(int)}, from the random seed {@code seed}, the first scrape at about {@code startMs}. */
    private static byte[] v1Batch(int scrapes, long seed, long startMs) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        double[] state = new double[SERIES];
        Arrays.setAll(state, i -> 20 + i % 7);
        byte[] batch = new byte[64 << 20];
        int end = SnappyConcat.MAX_PREAMBLE_BYTES;
        int total = 0;
        for (int k = 0; k < scrapes; k++) {
            byte[] plain = scrape(SERIES, startMs + k * 10_000L + random.nextInt(40), state, random);
            byte[] block = Snappy.compress(plain);
            end += SnappyConcat.appendElements(block, 0, block.length, batch, end);
            total += plain.length;
        }
        int start = SnappyConcat.writePreamble(batch, SnappyConcat.MAX_PREAMBLE_BYTES, total);
        return Arrays.copyOfRange(batch, start, end);
    }

    @Test
    void twoPointOhNeedsFewerBytesPerSampleThanOnePointOh() throws Exception {
        StringBuilder table = new StringBuilder(String.format(
                Locale.ROOT,
                "| scrapes per batch | samples | 1.0 bytes | 1.0 bytes/sample | 2.0 bytes | 2.0 bytes/sample | 2.0 / 1.0 |%n"
                        + "|---:|---:|---:|---:|---:|---:|---:|%n"));
        for (int scrapes : new int[] {1, 10}) {
            byte[] v1 = v1Batch(scrapes);
            ProtocolTransport t = new ProtocolTransport(null, RemoteWriteProtocol.V2, () -> 0, "bytes");
            int v2 = t.encodeV2(v1, 0, v1.length);
            byte[] first = Arrays.copyOf(t.packed(), v2);
            assertArrayEquals(first, Arrays.copyOf(t.packed(), t.encodeV2(v1, 0, v1.length)), "deterministic");
            int samples = SERIES * scrapes;
            table.append(String.format(
                    Locale.ROOT,
                    "| %d | %,d | %,d | %.2f | %,d | %.2f | %.0f %% |%n",
                    scrapes,
                    samples,
                    v1.length,
                    v1.length / (double) samples,
                    v2,
                    v2 / (double) samples,
                    100.0 * v2 / v1.length));
            assertTrue(v2 < v1.length, scrapes + " scrapes: 2.0 " + v2 + " bytes vs 1.0 " + v1.length);
        }
        System.out.print(table);
    }

    private static int zstd(byte[] plain, int length, int level) {
        return (int) Zstd.compressByteArray(
                new byte[(int) Zstd.compressBound(length)],
                0,
                (int) Zstd.compressBound(length),
                plain,
                0,
                length,
                level);
    }

    /**
     * A zstd dictionary of {@code dictBytes} trained on the robot's own series: 60 scrapes of the
     * hour before the measured batch (one a minute, other random values), as the requests of one
     * scrape would be sent, 1.0 or 2.0 (uncompressed). Samples are the requests cut into 4 KiB pieces
     * (the trainer wants many samples).
     */
    private static byte[] dictionary(boolean v2, int dictBytes) throws Exception {
        ZstdDictTrainer trainer = new ZstdDictTrainer(64 << 20, dictBytes);
        SplittableRandom seeds = new SplittableRandom(7);
        for (int k = 0; k < 60; k++) {
            byte[] one = v1Batch(1, seeds.nextLong(), 1_700_000_000_000L - 3_600_000L + k * 60_000L);
            byte[] request;
            if (v2) {
                ProtocolTransport t = new ProtocolTransport(null, RemoteWriteProtocol.V2, () -> 0, "dict");
                t.encodeV2(one, 0, one.length);
                request = Arrays.copyOf(t.v2Plain(), t.v2Size());
            } else {
                request = Snappy.uncompress(one);
            }
            for (int at = 0; at < request.length; at += 4096) {
                trainer.addSample(Arrays.copyOfRange(request, at, Math.min(request.length, at + 4096)));
            }
        }
        return trainer.trainSamples();
    }

    @Test
    void zstdNeedsFewerBytesPerSampleThanSnappyForBothProtocols() throws Exception {
        assertTrue(ZstdSupport.available("test"), "zstd-jni loads on the build machine");
        StringBuilder table = new StringBuilder(String.format(
                Locale.ROOT,
                "| scrapes per batch | samples | 1.0 + Snappy | 1.0 + zstd | 2.0 + Snappy | 2.0 + zstd |"
                        + " 2.0 + zstd level 1 / 9 | 1.0 / 2.0 + zstd with a 16 KiB dictionary |%n"
                        + "|---:|---:|---:|---:|---:|---:|---:|---:|%n"));
        byte[] dict1 = dictionary(false, 16 << 10);
        byte[] dict2 = dictionary(true, 16 << 10);
        for (int scrapes : new int[] {1, 10}) {
            byte[] v1 = v1Batch(scrapes);
            byte[] v1Plain = Snappy.uncompress(v1);
            ProtocolTransport t = new ProtocolTransport(null, RemoteWriteProtocol.V2, () -> 0, "bytes");
            int v2Snappy = t.encodeV2(v1, 0, v1.length);
            byte[] v2Plain = Arrays.copyOf(t.v2Plain(), t.v2Size());
            byte[] out = new byte[ZstdSupport.maxCompressedLength(v1Plain.length)];
            int v1Zstd = ZstdSupport.compress(v1Plain, 0, v1Plain.length, out);
            byte[] first = Arrays.copyOf(out, v1Zstd);
            assertArrayEquals(
                    first, Arrays.copyOf(out, ZstdSupport.compress(v1Plain, 0, v1Plain.length, out)), "deterministic");
            assertArrayEquals(v1Plain, Zstd.decompress(first, v1Plain.length));
            int v2Zstd = ZstdSupport.compress(v2Plain, 0, v2Plain.length, out);
            assertEquals(v2Zstd, zstd(v2Plain, v2Plain.length, ZstdSupport.LEVEL));
            int v2Level1 = zstd(v2Plain, v2Plain.length, 1);
            int v2Level9 = zstd(v2Plain, v2Plain.length, 9);
            int v1Dict = Zstd.compressUsingDict(v1Plain, dict1, ZstdSupport.LEVEL).length;
            int v2Dict = Zstd.compressUsingDict(v2Plain, dict2, ZstdSupport.LEVEL).length;
            double n = SERIES * scrapes;
            table.append(String.format(
                    Locale.ROOT,
                    "| %d | %,d | %.2f | %.2f (%.0f %%) | %.2f | %.2f (%.0f %%) | %.2f / %.2f | %.2f / %.2f |%n",
                    scrapes,
                    (int) n,
                    v1.length / n,
                    v1Zstd / n,
                    100.0 * v1Zstd / v1.length,
                    v2Snappy / n,
                    v2Zstd / n,
                    100.0 * v2Zstd / v2Snappy,
                    v2Level1 / n,
                    v2Level9 / n,
                    v1Dict / n,
                    v2Dict / n));
            assertTrue(v1Zstd < v1.length, scrapes + " scrapes, 1.0: zstd " + v1Zstd + " bytes vs Snappy " + v1.length);
            assertTrue(v2Zstd < v2Snappy, scrapes + " scrapes, 2.0: zstd " + v2Zstd + " bytes vs Snappy " + v2Snappy);
        }
        System.out.print(table);
    }
}
