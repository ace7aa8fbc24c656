package dev.edgepush.agent.bench;

import dev.edgepush.agent.scrape.ScrapeTarget;
import dev.edgepush.agent.scrape.SeriesEncoderAccess;
import dev.edgepush.proto.text.ExpositionFormat;
import dev.edgepush.proto.text.ExpositionParser;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * Retained heap per scraped series: what a target's parser and series encoder keep between
 * scrapes. Builds {@code targets} targets of {@code series} series each (the exposition of
 * {@link ScrapePathBenchmark}), scrapes each twice, and prints the live heap growth divided by
 * the number of series, measured as {@code Runtime.totalMemory() - freeMemory()} after full
 * collections (run with SerialGC so a full collection compacts), then the top of {@code jcmd
 * GC.class_histogram}. Not a unit test. Run from the repository root:
 *
 * <pre>
 * ./mvnw -B -q -o -pl edge-agent -am test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
 * java -XX:+UseSerialGC -Xmx64m -cp edge-agent/target/test-classes:edge-agent/target/classes:$(cat \
 *     edge-agent/target/test-classpath.txt) dev.edgepush.agent.bench.SeriesHeapBench 10 1000
 * </pre>
 */
public final class SeriesHeapBench {
    private SeriesHeapBench() {}

    public static void main(String[] args) throws Exception {
        int targets = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int series = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        byte[][] bodies = new byte[targets][];
        for (int t = 0; t < targets; t++) {
            bodies[t] = body(t, series);
        }
        // The thread's request encoder grows to one scrape's size: grow it before measuring.
        new SeriesEncoderAccess(target(0), new TreeMap<>(Map.of("site", "lab")), Map.of())
                .scrape(new ExpositionParser(), bodies[0], ExpositionFormat.PROMETHEUS_TEXT, 1);
        long base = used();
        ExpositionParser[] parsers = new ExpositionParser[targets];
        SeriesEncoderAccess[] encoders = new SeriesEncoderAccess[targets];
        for (int t = 0; t < targets; t++) {
            parsers[t] = new ExpositionParser();
            encoders[t] = new SeriesEncoderAccess(target(t), new TreeMap<>(Map.of("site", "lab")), Map.of());
        }
        long empty = used();
        for (int scrape = 1; scrape <= 2; scrape++) {
            for (int t = 0; t < targets; t++) {
                encoders[t].scrape(parsers[t], bodies[t], ExpositionFormat.PROMETHEUS_TEXT, scrape * 1000L);
            }
        }
        long full = used();
        System.out.printf(
                "%d targets x %d series: empty parser+encoder %,d B per target; "
                        + "after 2 scrapes %,d B more = %.1f B per series%n",
                targets, series, (empty - base) / targets, full - empty, (full - empty) / (double) (targets * series));
        histogram();
        // keep everything reachable up to here
        System.out.println(parsers.length + encoders.length + bodies.length > 0 ? "" : "-");
    }

    static byte[] body(int t, int series) {
        StringBuilder sb = new StringBuilder();
        sb.append("# HELP sensor_synthetic_value A synthetic gauge.\n# TYPE sensor_synthetic_value gauge\n");
        for (int i = 0; i < series; i++) {
            sb.append("sensor_synthetic_value{idx=\"")
                    .append(i)
                    .append("\",unit=\"celsius\"} ")
                    .append(20 + i * 0.013 + t)
                    .append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    static ScrapeTarget target(int t) {
        String instance = "127.0.0.1:" + (9101 + t);
        return new ScrapeTarget(
                "sensor",
                instance,
                URI.create("http://" + instance + "/metrics"),
                Duration.ofSeconds(1),
                Duration.ofSeconds(1),
                false,
                true,
                new TreeMap<>(Map.of("job", "sensor", "instance", instance, "robot", "r1")));
    }

    static long used() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        long min = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(50);
            min = Math.min(min, rt.totalMemory() - rt.freeMemory());
        }
        return min;
    }

    static void histogram() throws Exception {
        Process p = new ProcessBuilder(
                        "jcmd", Long.toString(ProcessHandle.current().pid()), "GC.class_histogram")
                .redirectErrorStream(true)
                .start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            r.lines().limit(22).forEach(System.out::println);
        }
        p.waitFor();
    }
}
