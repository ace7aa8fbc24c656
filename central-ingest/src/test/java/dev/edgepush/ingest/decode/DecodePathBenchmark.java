package dev.edgepush.ingest.decode;

import dev.edgepush.proto.rw1.RemoteWrite;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import org.xerial.snappy.Snappy;

/**
 * A timed main, not a test (central-ingest has no JMH): the ingest's per-request CPU path for
 * remote write 1.0 (decode, validate, stamp, sort, encode: {@link RemoteWriteV1Decoder} into a
 * {@link BatchBuilder}) and then the WAL's Snappy compression of the result, on bodies shaped like
 * bench-ingest's (500 series of 5 labels with 4 samples each). For relative numbers between
 * versions on the same machine (thread CPU time, so a busy machine skews it less); the end
 * result is bench-ingest's. With one lane, as before lanes; then with 2 lanes (the default
 * {@code -remoteWrite.queues}) without and with the {@link SeriesCache}.
 *
 * <pre>
 * ./mvnw -B -q -o -pl central-ingest -am test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -cp central-ingest/target/test-classes:central-ingest/target/classes:$(cat /tmp/cp.txt) \
 *   dev.edgepush.ingest.decode.DecodePathBenchmark [seconds per round, default 5] [rounds, default 3]
 * </pre>
 */
public final class DecodePathBenchmark {
    private DecodePathBenchmark() {}

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        byte[][] bodies = new byte[16][];
        for (int k = 0; k < bodies.length; k++) {
            bodies[k] = body(k, 500, 4);
        }
        int samplesPerBody = 500 * 4;
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        long sink = 0;
        StampedBatch probe = run(bodies[0], 1, null);
        StampedBatch.ShardPart part = probe.shards().get(0);
        System.out.printf(
                Locale.ROOT,
                "body %,d bytes -> WAL WriteRequest %,d bytes (%,d Snappy) for %d samples%n",
                bodies[0].length,
                part.length(),
                Snappy.compress(java.util.Arrays.copyOf(part.writeRequest(), part.length())).length,
                samplesPerBody);
        for (String phase : new String[] {
            "decode+stamp+encode",
            "decode+stamp+encode+snappy",
            "2 lanes",
            "2 lanes, series cache",
            "2 lanes, series cache+snappy"
        }) {
            boolean compress = phase.endsWith("snappy");
            int lanes = phase.startsWith("2 lanes") ? 2 : 1;
            // Each body is another robot's push of the same series, as a fleet's are: one cache per robot.
            SeriesCache.Shelf shelf = phase.contains("cache") ? new SeriesCache.Shelf(64L << 20) : null;
            byte[] out = new byte[Snappy.maxCompressedLength(4 << 20)];
            for (int round = -1; round < rounds; round++) { // round -1 warms up
                long samples = 0;
                long alloc0 = mx.getThreadAllocatedBytes(tid);
                long t0 = mx.getCurrentThreadCpuTime(); // CPU time: the machine may be shared
                long deadline = System.nanoTime() + (long) (seconds * 1e9);
                int i = 0;
                while (System.nanoTime() < deadline) {
                    StampedBatch b = run(bodies[i++ & (bodies.length - 1)], lanes, shelf);
                    for (StampedBatch.ShardPart p : b.shards()) {
                        sink += p.length();
                        if (compress) {
                            sink += Snappy.rawCompress(p.writeRequest(), 0, p.length(), out, 0);
                        }
                    }
                    samples += b.samples();
                }
                long ns = mx.getCurrentThreadCpuTime() - t0;
                long alloc = mx.getThreadAllocatedBytes(tid) - alloc0;
                if (round >= 0) {
                    System.out.printf(
                            Locale.ROOT,
                            "%-28s round %d: %6.1f ns/sample  %5.2f M samples/s/core  %6.1f bytes allocated/sample%n",
                            phase,
                            round,
                            (double) ns / samples,
                            samples * 1e3 / ns,
                            (double) alloc / samples);
                }
            }
        }
        System.out.println("(sink " + sink + ")");
    }

    private static StampedBatch run(byte[] body, int lanes, SeriesCache.Shelf shelf) throws PayloadException {
        BatchBuilder b = new BatchBuilder("robot-7", 1, lanes, body.length);
        if (shelf != null) {
            b.cache(shelf);
        }
        RemoteWriteV1Decoder.decode(body, b);
        return b.build();
    }

    /** Like bench-ingest's SimulatedFleet: {@code bench_m<j%10>{idx, instance, job, robot}}. */
    static byte[] body(int batch, int series, int perSeries) {
        RemoteWrite.WriteRequest.Builder w = RemoteWrite.WriteRequest.newBuilder();
        long t0 = 1_700_000_000_000L;
        for (int j = 0; j < series; j++) {
            RemoteWrite.TimeSeries.Builder ts = RemoteWrite.TimeSeries.newBuilder();
            String[] labels = {
                "__name__",
                "bench_m" + (j % 10),
                "idx",
                Integer.toString(j),
                "instance",
                "robot-7:9100",
                "job",
                "sensor",
                "robot",
                "robot-7"
            };
            for (int l = 0; l < labels.length; l += 2) {
                ts.addLabels(RemoteWrite.Label.newBuilder().setName(labels[l]).setValue(labels[l + 1]));
            }
            for (int p = 0; p < perSeries; p++) {
                long second = (long) batch * perSeries + p;
                ts.addSamples(RemoteWrite.Sample.newBuilder()
                        .setValue(j * 10.0 + second * 0.01 + ((7 * 31 + j * 17 + second * 13) % 97) / 97.0)
                        .setTimestamp(t0 + second * 1000));
            }
            w.addTimeseries(ts);
        }
        return w.build().toByteArray();
    }
}
