package dev.edgepush.agent.bench;

import dev.edgepush.forward.send.ZstdSupport;
import dev.edgepush.proto.V2RequestEncoder;
import dev.edgepush.proto.WriteRequestEncoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.xerial.snappy.Snappy;

/**
 * The remote-write 2.0 path of one batch shaped like the testbed's ({@code bench-agents
 * -targets=10 -series=1000 -interval=1s}): one scrape of each of 10 targets, 1,000 {@code
 * sensor_synthetic_value{idx}} gauges (3 decimals, random walk) and 5 agent series each, 10,050
 * samples, as joined 1.0 WriteRequests (uncompressed). {@code encode}: {@link V2RequestEncoder}
 * alone; {@code encodeSnappy}: then Snappy; {@code encodeZstd}: then one zstd frame at {@code
 * level} (edge-agent sends {@link ZstdSupport#LEVEL}). Run from the repository root, without
 * installing anything (the shaded jar brings the runtime classes, proto's own classes come first):
 *
 * <pre>
 * ./mvnw -B -o -q -pl edge-agent -am package -DskipTests -Djazzer.skip=true
 * ./mvnw -B -o -q -pl edge-agent -am test-compile -Djazzer.skip=true
 * M=~/.m2/repository
 * java -cp edge-agent/target/test-classes:proto/target/classes:edge-agent/target/edge-agent.jar:$M/org/openjdk/jmh/jmh-core/1.37/jmh-core-1.37.jar:$M/net/sf/jopt-simple/jopt-simple/5.0.4/jopt-simple-5.0.4.jar:$M/org/apache/commons/commons-math3/3.6.1/commons-math3-3.6.1.jar \
 *     org.openjdk.jmh.Main V2EncodeBenchmark -p level=1,3,5,7,9
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class V2EncodeBenchmark {
    static final int TARGETS = 10;
    static final int SERIES = 1_000;

    @Param({"3"})
    public int level;

    byte[] v1;
    final V2RequestEncoder encoder = new V2RequestEncoder();
    byte[] packed;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        SplittableRandom random = new SplittableRandom(1);
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (int t = 0; t < TARGETS; t++) {
            WriteRequestEncoder e = new WriteRequestEncoder();
            String instance = "127.0.0.1:" + (40_000 + 17 * t);
            long ts = 1_700_000_000_000L + 37 * t;
            for (int s = 0; s < SERIES; s++) {
                double v = Math.round(random.nextDouble() * 100_000) / 1000.0;
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
                        v,
                        ts);
            }
            for (String name : new String[] {
                "up",
                "scrape_duration_seconds",
                "scrape_samples_scraped",
                "scrape_samples_post_metric_relabeling",
                "scrape_series_added"
            }) {
                e.addSeries(new String[] {"__name__", name, "instance", instance, "job", "sensor"}, 3, 1, ts);
            }
            joined.writeBytes(e.toByteArray());
        }
        v1 = joined.toByteArray();
        packed = new byte[Math.max(Snappy.maxCompressedLength(v1.length), ZstdSupport.maxCompressedLength(v1.length))];
        if (!ZstdSupport.available("V2EncodeBenchmark")) {
            throw new IllegalStateException("zstd-jni does not load here");
        }
    }

    @Benchmark
    public int encode() {
        encoder.encode(v1, 0, v1.length);
        return encoder.size();
    }

    @Benchmark
    public int encodeSnappy() throws IOException {
        encoder.encode(v1, 0, v1.length);
        return Snappy.rawCompress(encoder.array(), 0, encoder.size(), packed, 0);
    }

    @Benchmark
    public long encodeZstd() {
        encoder.encode(v1, 0, v1.length);
        return com.github.luben.zstd.Zstd.compressByteArray(
                packed, 0, packed.length, encoder.array(), 0, encoder.size(), level);
    }
}
