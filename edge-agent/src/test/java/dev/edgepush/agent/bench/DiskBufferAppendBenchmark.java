package dev.edgepush.agent.bench;

import dev.edgepush.forward.buffer.DiskBuffer;
import dev.edgepush.proto.WriteRequestEncoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link DiskBuffer#append} of central-ingest-sized excerpts (a WriteRequest of 500 series x 4
 * samples, about 84 kB, 22 kB once compressed) from one thread and from two at once, as
 * central-ingest's two event loops append to the same destination. Compare the two scores: with
 * compression outside the buffer's lock two threads append nearly twice as often as one (on two
 * free cores). Run from the repository root:
 *
 * <pre>
 * ./mvnw -B -q -o -pl edge-agent -am install -DskipTests &amp;&amp; ./mvnw -B -q -o -pl edge-agent test-compile
 * java -cp edge-agent/target/test-classes:edge-agent/target/classes:proto/target/classes:$(./mvnw -q -o \
 *     -pl edge-agent dependency:build-classpath -Dmdep.outputFile=/dev/stdout) \
 *     org.openjdk.jmh.Main DiskBufferAppendBenchmark
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {
            "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED", "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "-Dchronicle.analytics.disable=true", "-Dchronicle.disk.monitor.disable=true"
        })
public class DiskBufferAppendBenchmark {

    @State(Scope.Benchmark)
    public static class Buffer {
        Path dir;
        DiskBuffer buffer;
        byte[] request;

        @Setup(Level.Trial)
        public void open() throws IOException {
            dir = Files.createTempDirectory("append-bench-");
            // A minute-long sync interval: this measures append, not fsync.
            buffer = DiskBuffer.open(dir, 0, Duration.ofMinutes(1));
            WriteRequestEncoder enc = new WriteRequestEncoder();
            double[] values = new double[4];
            long[] ts = new long[4];
            for (int j = 0; j < 500; j++) {
                for (int p = 0; p < 4; p++) {
                    values[p] = j * 10.0 + p * 0.01 + ((j * 17 + p * 13) % 97) / 97.0;
                    ts[p] = 1_700_000_000_000L + p * 1000L;
                }
                enc.addSeries(
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
            request = enc.toByteArray();
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            buffer.close();
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Benchmark
    @Threads(1)
    public long oneThread(Buffer b) throws IOException {
        return b.buffer.append(b.request, b.request.length, 2000, 1);
    }

    @Benchmark
    @Threads(2)
    public long twoThreads(Buffer b) throws IOException {
        return b.buffer.append(b.request, b.request.length, 2000, 1);
    }
}
