package dev.edgepush.forward.send;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * gauges wander, counters count) at 1 and 10 scrapes per batch. The bytes are a deterministic
 * function of the data, so this is a measurement, not a timing; it prints the table in the
 * edge-agent README:
 *
 * <pre>./mvnw -B -o -q -pl proto/store-forward -am test -Dtest=WireBytesPerSampleTest -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
class WireBytesPerSampleTest {
  static final int SERIES = 1_000;
  private static final String[] FAMILIES = {
      "sensor_temperature_celsius", "sensor_humidity_ratio", "sensor_pressure_pascals", "imu_acceleration_mps2",
      "imu_angular_velocity_rads", "motor_current_amperes", "motor_speed_rpm", "motor_temperature_celsius",
      "battery_voltage_volts", "battery_current_amperes", "lidar_points_total", "lidar_frames_dropped_total",
      "camera_frames_total", "camera_exposure_seconds", "wheel_odometry_meters_total", "wifi_signal_dbm",
      "cpu_throttle_events_total", "planner_cycle_duration_seconds", "localization_error_meters",
      "safety_stops_total"};

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
      String[] sorted = {labels[0], labels[1], labels[8], labels[9], labels[2], labels[3], labels[4], labels[5],
          labels[6], labels[7]};
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
    SplittableRandom random = new SplittableRandom(16);
    double[] state = new double[SERIES];
    Arrays.setAll(state, i -> 20 + i % 7);
    byte[] batch = new byte[64 << 20];
    int end = SnappyConcat.MAX_PREAMBLE_BYTES;
    int total = 0;
    for (int k = 0; k < scrapes; k++) {
      byte[] plain = scrape(SERIES, 1_700_000_000_000L + k * 10_000L + random.nextInt(40), state, random);
      byte[] block = Snappy.compress(plain);
      end += SnappyConcat.appendElements(block, 0, block.length, batch, end);
      total += plain.length;
    }
    int start = SnappyConcat.writePreamble(batch, SnappyConcat.MAX_PREAMBLE_BYTES, total);
    return Arrays.copyOfRange(batch, start, end);
  }

  @Test
  void twoPointOhNeedsFewerBytesPerSampleThanOnePointOh() throws Exception {
    StringBuilder table = new StringBuilder(String.format(Locale.ROOT,
        "| scrapes per batch | samples | 1.0 bytes | 1.0 bytes/sample | 2.0 bytes | 2.0 bytes/sample | 2.0 / 1.0 |%n"
            + "|---:|---:|---:|---:|---:|---:|---:|%n"));
    for (int scrapes : new int[] {1, 10}) {
      byte[] v1 = v1Batch(scrapes);
      ProtocolTransport t = new ProtocolTransport(null, RemoteWriteProtocol.V2, () -> 0, "bytes");
      int v2 = t.encodeV2(v1, 0, v1.length);
      byte[] first = Arrays.copyOf(t.packed(), v2);
      assertArrayEquals(first, Arrays.copyOf(t.packed(), t.encodeV2(v1, 0, v1.length)), "deterministic");
      int samples = SERIES * scrapes;
      table.append(String.format(Locale.ROOT, "| %d | %,d | %,d | %.2f | %,d | %.2f | %.0f %% |%n", scrapes, samples,
          v1.length, v1.length / (double) samples, v2, v2 / (double) samples, 100.0 * v2 / v1.length));
      assertTrue(v2 < v1.length, scrapes + " scrapes: 2.0 " + v2 + " bytes vs 1.0 " + v1.length);
    }
    System.out.print(table);
  }
}
