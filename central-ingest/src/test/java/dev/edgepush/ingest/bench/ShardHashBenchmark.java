package dev.edgepush.ingest.bench;

import dev.edgepush.ingest.decode.ShardHash;
import dev.edgepush.proto.LabelBytes;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The shard and lane hash of one series as central-ingest computes it for every series of every
 * push (a profile of bench-ingest put it at 16 % of central-ingest's CPU): the stamped labels of a
 * typical robot series, ASCII as nearly all are. Run: central-ingest/src/test/jmh.sh ShardHashBenchmark
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ShardHashBenchmark {
    private final LabelBytes labels = new LabelBytes();
    private String[] pairs;

    @Setup
    public void setUp() {
        pairs = new String[] {
            "__name__", "node_network_receive_bytes_total", "device", "eth0", "instance", "127.0.0.1:9100",
            "job", "node", "robot", "r-000417", "tenant", "0"
        };
        for (int i = 0; i < pairs.length; i += 2) {
            byte[] n = pairs[i].getBytes(StandardCharsets.UTF_8);
            byte[] v = pairs[i + 1].getBytes(StandardCharsets.UTF_8);
            labels.add(n, 0, n.length, v, 0, v.length);
        }
    }

    @Benchmark
    public long labelBytes() {
        return ShardHash.hash(labels);
    }

    @Benchmark
    public long strings() {
        return ShardHash.hash(pairs, pairs.length / 2);
    }
}
