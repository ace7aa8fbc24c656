package dev.edgepush.agent.bench;

import dev.edgepush.agent.scrape.ScrapeTarget;
import dev.edgepush.agent.scrape.SeriesEncoderAccess;
import dev.edgepush.forward.buffer.DiskBuffer;
import dev.edgepush.proto.text.ExpositionFormat;
import dev.edgepush.proto.text.ExpositionParseException;
import dev.edgepush.proto.text.ExpositionParser;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-scrape hot path for one target of 1,000 series: parse, label+encode, append. Run:
 * {@code ./mvnw -q -pl edge-agent -am test-compile -DskipTests && edge-agent/src/test/jmh.sh}.
 * Scores are microseconds per whole scrape (1,000 samples).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {
            "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "-Dchronicle.analytics.disable=true"
        })
public class ScrapePathBenchmark {
    byte[] body;
    ExpositionParser parser;
    SeriesEncoderAccess encoder;
    DiskBuffer buffer;
    Path dir;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("# HELP sensor_synthetic_value A synthetic gauge.\n# TYPE sensor_synthetic_value gauge\n");
        for (int i = 0; i < 1000; i++) {
            sb.append("sensor_synthetic_value{idx=\"")
                    .append(i)
                    .append("\",unit=\"celsius\"} ")
                    .append(20 + i * 0.013)
                    .append('\n');
        }
        body = sb.toString().getBytes(StandardCharsets.UTF_8);
        parser = new ExpositionParser();
        ScrapeTarget t = new ScrapeTarget(
                "sensor",
                "127.0.0.1:9101",
                URI.create("http://127.0.0.1:9101/metrics"),
                Duration.ofSeconds(1),
                Duration.ofSeconds(1),
                false,
                true,
                new TreeMap<>(Map.of("job", "sensor", "instance", "127.0.0.1:9101", "robot", "r1")));
        encoder = new SeriesEncoderAccess(t, new TreeMap<>(Map.of("site", "lab")), Map.of());
        dir = Files.createTempDirectory("bench-buffer");
        buffer = DiskBuffer.open(dir);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        buffer.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public int parse() throws ExpositionParseException {
        return parser.parse(body, 0, body.length, ExpositionFormat.PROMETHEUS_TEXT, (n, l, c, v, ts) -> {});
    }

    @Benchmark
    public int parseAndEncode() throws ExpositionParseException {
        encoder.begin();
        parser.parse(body, 0, body.length, ExpositionFormat.PROMETHEUS_TEXT, encoder.sink());
        return encoder.size();
    }

    @Benchmark
    public long parseEncodeAppend() throws ExpositionParseException, IOException {
        encoder.begin();
        int n = parser.parse(body, 0, body.length, ExpositionFormat.PROMETHEUS_TEXT, encoder.sink());
        return buffer.append(encoder.array(), encoder.size(), n, 1);
    }
}
