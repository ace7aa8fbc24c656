package dev.edgepush.testbed.load;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The robots of a load run, each with its own token, its own series set and its batches
 * compressed in advance, so the load client spends its CPU on HTTP only.
 *
 * <p>Robot {@code r} owns {@code seriesPerRobot} series {@code bench_m<j%10>{idx="<j>",
 * instance="robot-<r>:9100", job="sensor", robot="robot-<r>"}}. Its batch {@code k} holds
 * {@code samplesPerSeries} samples of every series at timestamps {@code t0 + (k*samplesPerSeries
 * + p) s}: each (robot, batch) is a distinct set of samples, and a robot that has sent all its
 * batches starts again at batch 0 (identical re-sends, which a VictoriaMetrics with
 * {@code -dedup.minScrapeInterval} collapses).
 */
public final class SimulatedFleet {
    /** One simulated robot: its name (the {@code robot} label and its token's name), token and bodies. */
    public record Robot(String name, String token, List<byte[]> batches) {}

    public final List<Robot> robots;
    public final int samplesPerBatch;
    public final long firstTimestampMs;
    /** Timestamps span {@code [firstTimestampMs, lastTimestampMs]}. */
    public final long lastTimestampMs;

    public SimulatedFleet(int robotCount, int seriesPerRobot, int samplesPerSeries, int batchesPerRobot, long t0Ms) {
        this.samplesPerBatch = seriesPerRobot * samplesPerSeries;
        this.firstTimestampMs = t0Ms;
        this.lastTimestampMs = t0Ms + ((long) batchesPerRobot * samplesPerSeries - 1) * 1000L;
        this.robots = IntStream.range(0, robotCount)
                .parallel()
                .mapToObj(r -> robot(r, seriesPerRobot, samplesPerSeries, batchesPerRobot, t0Ms))
                .toList();
    }

    private static Robot robot(int r, int seriesPerRobot, int samplesPerSeries, int batchesPerRobot, long t0Ms) {
        String name = "robot-" + r;
        String[][] labels = new String[seriesPerRobot][];
        for (int j = 0; j < seriesPerRobot; j++) {
            labels[j] = new String[] {
                "__name__",
                "bench_m" + (j % 10),
                "idx",
                Integer.toString(j),
                "instance",
                name + ":9100",
                "job",
                "sensor",
                "robot",
                name
            };
        }
        double[] values = new double[samplesPerSeries];
        long[] ts = new long[samplesPerSeries];
        List<byte[]> batches = IntStream.range(0, batchesPerRobot)
                .mapToObj(k -> {
                    RemoteWriteBatch b = new RemoteWriteBatch();
                    for (int j = 0; j < seriesPerRobot; j++) {
                        for (int p = 0; p < samplesPerSeries; p++) {
                            long second = (long) k * samplesPerSeries + p;
                            ts[p] = t0Ms + second * 1000L;
                            // A sensor-like value: a slow ramp with noise, not compressible to nothing.
                            values[p] = j * 10.0 + second * 0.01 + ((r * 31 + j * 17 + second * 13) % 97) / 97.0;
                        }
                        b.addSeries(labels[j], values, ts);
                    }
                    return b.toSnappyBlock();
                })
                .toList();
        return new Robot(name, tokenOf(name), batches);
    }

    /** The bearer token of robot {@code name} (deterministic, so a tokens file can be written). */
    public static String tokenOf(String name) {
        return "bench-token-" + name;
    }

    /** {@code sha256:<hex>} of a token, as central-ingest's tokens file wants it. */
    public static String sha256(String token) {
        try {
            return "sha256:"
                    + HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256")
                                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** central-ingest's {@code -auth.tokensFile} content: every robot in tenant 0. */
    public String tokensFile() {
        StringBuilder sb = new StringBuilder("# kind name tenant sha256-of-token\n");
        for (Robot r : robots) {
            sb.append("robot ")
                    .append(r.name())
                    .append(" 0 ")
                    .append(sha256(r.token()))
                    .append('\n');
        }
        return sb.toString();
    }

    public long compressedBytes() {
        return robots.stream()
                .flatMap(r -> r.batches().stream())
                .mapToLong(b -> b.length)
                .sum();
    }
}
