package dev.edgepush.agent.bench;

import dev.edgepush.forward.buffer.SnappyConcat;
import dev.edgepush.proto.WriteRequestEncoder;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Warmup;
import org.xerial.snappy.Snappy;

/**
 * Building one request body from ten buffered excerpts of about 100 kB (uncompressed) each, as
 * the sender does per batch. {@code decompressAndRecompress} is the former path (each excerpt
 * decompressed into the batch, then the batch compressed again before the POST); {@code
 * concatenate} is {@link SnappyConcat} (elements copied, one preamble written). Run from the
 * repository root:
 *
 * <pre>
 * ./mvnw -B -q -o -pl edge-agent -am install -DskipTests &amp;&amp; ./mvnw -B -q -o -pl edge-agent test-compile
 * java -cp edge-agent/target/test-classes:edge-agent/target/classes:proto/target/classes:$(./mvnw -q -o \
 *     -pl edge-agent dependency:build-classpath -Dmdep.outputFile=/dev/stdout) \
 *     org.openjdk.jmh.Main SenderBatchBenchmark
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class SenderBatchBenchmark {
    static final int RECORDS = 10;

    byte[][] blocks = new byte[RECORDS][];
    int uncompressedTotal;
    byte[] batch; // old path: the uncompressed batch
    byte[] compressed; // old path: RemoteWriteClient's compression buffer
    byte[] joined; // new path: the compressed batch

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        int compressedTotal = 0;
        for (int r = 0; r < RECORDS; r++) {
            // One scrape of a robot: ~900 series of one sample, node-exporter-like labels.
            WriteRequestEncoder enc = new WriteRequestEncoder();
            for (int j = 0; j < 900; j++) {
                enc.addSeries(
                        new String[] {
                            "__name__",
                            "node_metric_" + (j % 40),
                            "cpu",
                            Integer.toString(j % 8),
                            "mode",
                            j % 3 == 0 ? "user" : "system",
                            "instance",
                            "robot-7:9100",
                            "job",
                            "node",
                            "robot",
                            "robot-7"
                        },
                        6,
                        j * 1.37 + r * 0.001 + (j * 17 % 97) / 97.0,
                        1_763_800_000_000L + r * 15_000L);
            }
            byte[] plain = enc.toByteArray();
            blocks[r] = Snappy.rawCompress(plain, plain.length);
            uncompressedTotal += plain.length;
            compressedTotal += blocks[r].length;
        }
        batch = new byte[uncompressedTotal];
        compressed = new byte[Snappy.maxCompressedLength(uncompressedTotal)];
        joined = new byte[SnappyConcat.MAX_PREAMBLE_BYTES + compressedTotal];
        System.out.printf(
                "%n%d excerpts: %d bytes uncompressed, %d compressed%n", RECORDS, uncompressedTotal, compressedTotal);
    }

    @Benchmark
    public int decompressAndRecompress() throws IOException {
        int n = 0;
        for (byte[] b : blocks) {
            n += Snappy.rawUncompress(b, 0, b.length, batch, n);
        }
        return Snappy.rawCompress(batch, 0, n, compressed, 0);
    }

    @Benchmark
    public int concatenate() {
        int end = SnappyConcat.MAX_PREAMBLE_BYTES;
        int total = 0;
        for (byte[] b : blocks) {
            total += SnappyConcat.uncompressedLength(b, 0, b.length);
            end += SnappyConcat.appendElements(b, 0, b.length, joined, end);
        }
        return end - SnappyConcat.writePreamble(joined, SnappyConcat.MAX_PREAMBLE_BYTES, total);
    }
}
