package dev.edgepush.forward.buffer;

import dev.edgepush.proto.WriteRequestEncoder;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A timed main, not a test: {@link DiskBuffer#append} of a request shaped like bench-ingest's
 * (500 series of 5 labels with 4 samples each, about 84 kB, 22 kB as Snappy), in thread CPU time
 * (so a busy machine skews it less): compression, checksum and the write into the mapped file.
 * For relative numbers between versions on the same machine. Chronicle needs the module flags
 * central-ingest.jar's manifest carries; on the class path they are given by hand.
 *
 * <pre>
 * ./mvnw -B -q -o -pl proto/store-forward -am test-compile -Djazzer.skip=true
 * java --add-exports=java.base/sun.nio.ch=ALL-UNNAMED --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED \
 *   --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED \
 *   --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED \
 *   -cp proto/store-forward/target/test-classes:proto/store-forward/target/classes:proto/target/classes:central-ingest/target/central-ingest.jar \
 *   dev.edgepush.forward.buffer.AppendPathBenchmark [seconds per round, default 2] [rounds, default 3]
 * </pre>
 */
public final class AppendPathBenchmark {
    private AppendPathBenchmark() {}

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        WriteRequestEncoder e = new WriteRequestEncoder();
        double[] values = new double[4];
        long[] ts = new long[4];
        for (int j = 0; j < 500; j++) {
            for (int p = 0; p < 4; p++) {
                values[p] = j * 10.0 + p * 0.01 + ((j * 17 + p * 13) % 97) / 97.0;
                ts[p] = 1_700_000_000_000L + p * 1000L;
            }
            e.addSeries(
                    new String[] {
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
                    },
                    5,
                    values,
                    ts,
                    4);
        }
        byte[] request = e.toByteArray();
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int round = -1; round < rounds; round++) { // round -1 warms up
            Path dir = Files.createTempDirectory("append-bench");
            long appends = 0;
            try (DiskBuffer buffer = DiskBuffer.open(dir, 0)) {
                long t0 = mx.getCurrentThreadCpuTime();
                long deadline = System.nanoTime() + (long) (seconds * 1e9);
                while (System.nanoTime() < deadline) {
                    buffer.append(request, request.length, 2000, 1_700_000_000_000L);
                    appends++;
                }
                long ns = mx.getCurrentThreadCpuTime() - t0;
                if (round >= 0) {
                    System.out.printf(
                            Locale.ROOT,
                            "append of %,d bytes, round %d: %6.1f us CPU each, %5.1f ns/sample%n",
                            request.length,
                            round,
                            ns / 1e3 / appends,
                            (double) ns / appends / 2000);
                }
            } finally {
                try (Stream<Path> s = Files.walk(dir)) {
                    s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }
}
