package dev.edgepush.agent.bench;

import com.sun.net.httpserver.HttpServer;
import dev.edgepush.forward.buffer.DiskBuffer;
import dev.edgepush.proto.WriteRequestDecoder;
import dev.edgepush.proto.WriteRequestEncoder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.xerial.snappy.Snappy;

/**
 * Whole-process benchmark of bounded memory (it stays the same whatever the backlog). Not a unit
 * test: it takes minutes and reports figures rather than asserting them.
 *
 * <ol>
 *   <li>fill: a child JVM with the launcher's options ({@code edge-agent.jvm.options}) appends {@code samples}
 *       samples to a DiskBuffer (excerpts of 10,000 samples, as one big scrape writes them),
 *       as an agent does while the remote is down.
 *   <li>drain: the real agent ({@code dev.edgepush.agent.Main}, the same options, no targets)
 *       starts on that buffer; the remote answers 503 for the first {@code steadySeconds},
 *       then 204, and counts the samples it receives until all arrived.
 * </ol>
 *
 * The parent samples {@code VmRSS} and {@code VmHWM} from {@code /proc/<pid>/status} of each
 * child every 250 ms and prints them. Run from the repository root:
 *
 * <pre>
 * ./mvnw -B -q -o -pl edge-agent -am install -DskipTests &amp;&amp; ./mvnw -B -q -o -pl edge-agent test-compile
 * java -cp edge-agent/target/test-classes:edge-agent/target/classes:$(./mvnw -q -o -pl edge-agent \
 *     dependency:build-classpath -Dmdep.outputFile=/dev/stdout) \
 *     dev.edgepush.agent.bench.BacklogMemoryBench /tmp/backlog-bench 10000000
 * </pre>
 */
public final class BacklogMemoryBench {
    static final int PER_EXCERPT = 10_000;
    /** The launcher's own options (edge-agent/bin/edge-agent.jvm.options) plus what -jar would add. */
    static final List<String> JVM = new ArrayList<>(launcherOptions());

    static {
        JVM.addAll(List.of(
                "-Dorg.slf4j.simpleLogger.showDateTime=true", "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS",
                "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
                        "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
                "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED"));
    }

    /** The options robots run with, from the repository root or the edge-agent module directory. */
    static List<String> launcherOptions() {
        for (Path p :
                List.of(Path.of("edge-agent/bin/edge-agent.jvm.options"), Path.of("bin/edge-agent.jvm.options"))) {
            if (Files.isRegularFile(p)) {
                try {
                    List<String> opts = new ArrayList<>();
                    for (String line : Files.readAllLines(p)) {
                        String o = line.replaceAll("#.*", "").strip();
                        if (!o.isEmpty()) {
                            opts.add(o);
                        }
                    }
                    return opts;
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }
        throw new IllegalStateException(
                "edge-agent/bin/edge-agent.jvm.options not found: run from the repository root");
    }

    private BacklogMemoryBench() {}

    public static void main(String[] args) throws Exception {
        if (args[0].equals("fill")) {
            fill(Path.of(args[1]), Long.parseLong(args[2]));
            return;
        }
        Path work = Path.of(args[0]);
        long samples = args.length > 1 ? Long.parseLong(args[1]) : 10_000_000L;
        int steadySeconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        Files.createDirectories(work);
        Path data = work.resolve("data-" + System.nanoTime());

        long t0 = System.nanoTime();
        Process filler = child(
                work.resolve("fill.log"),
                "dev.edgepush.agent.bench.BacklogMemoryBench",
                "fill",
                data.resolve("buffer").toString(),
                Long.toString(samples));
        long[] fillPeak = watch(filler, "fill", () -> false);
        System.out.printf(
                "fill: %d samples buffered in %.1f s, exit %d, peak VmHWM %d MB, disk %s%n",
                samples, (System.nanoTime() - t0) / 1e9, filler.exitValue(), fillPeak[1] >> 10, du(data));

        AtomicBoolean up = new AtomicBoolean();
        AtomicLong received = new AtomicLong();
        HttpServer remote = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        remote.setExecutor(Executors.newSingleThreadExecutor());
        remote.createContext("/api/v1/write", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            if (!up.get()) {
                ex.sendResponseHeaders(503, -1);
            } else {
                byte[] raw = Snappy.uncompress(body);
                received.addAndGet(WriteRequestDecoder.countSamples(raw, 0, raw.length));
                ex.sendResponseHeaders(204, -1);
            }
            ex.close();
        });
        remote.start();
        int statusPort;
        try (ServerSocket s = new ServerSocket(0)) {
            statusPort = s.getLocalPort();
        }
        Process agent = child(
                work.resolve("agent.log"),
                "dev.edgepush.agent.Main",
                "-remoteWrite.url=http://127.0.0.1:" + remote.getAddress().getPort() + "/api/v1/write",
                "-remoteWrite.tmpDataPath=" + data,
                "-httpListenAddr=127.0.0.1:" + statusPort);
        long start = System.nanoTime();
        long[] steady = {0, 0};
        long[] drainPeak = watch(agent, "agent", () -> {
            double s = (System.nanoTime() - start) / 1e9;
            if (!up.get() && s >= steadySeconds) {
                steady[0] = rss(agent.pid())[0];
                steady[1] = rss(agent.pid())[1];
                System.out.printf(
                        "steady with %d samples pending and the remote down: VmRSS %d MB, VmHWM %d MB%n",
                        samples, steady[0] >> 10, steady[1] >> 10);
                up.set(true);
            }
            return received.get() >= samples;
        });
        double drainSeconds = (System.nanoTime() - start) / 1e9 - steadySeconds;
        agent.destroy();
        agent.waitFor();
        remote.stop(0);
        System.out.printf(
                "drain: %d samples received in %.1f s (%.0f samples/s); agent peak VmHWM %d MB (steady %d MB)%n",
                received.get(), drainSeconds, received.get() / drainSeconds, drainPeak[1] >> 10, steady[1] >> 10);
    }

    /** Appends {@code samples} samples in excerpts of {@link #PER_EXCERPT}, 50 labels' worth each. */
    static void fill(Path dir, long samples) throws IOException {
        WriteRequestEncoder enc = new WriteRequestEncoder(1 << 20);
        long ts = System.currentTimeMillis();
        for (int i = 0; i < PER_EXCERPT; i++) {
            String[] labels = {
                "__name__",
                "bench_metric_" + (i % 100),
                "instance",
                "robot-17:9100",
                "job",
                "sensors",
                "series",
                Integer.toString(i)
            };
            enc.addSeries(labels, 4, i * 1.5, ts);
        }
        try (DiskBuffer buffer = DiskBuffer.open(dir)) {
            for (long done = 0; done < samples; done += PER_EXCERPT) {
                if (buffer.append(enc.array(), enc.size(), PER_EXCERPT, ts) < 0) {
                    throw new IOException("append failed: " + buffer.appendFailure());
                }
            }
        }
    }

    private static Process child(Path log, String main, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(JVM);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main);
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
    }

    interface Done {
        boolean check() throws IOException;
    }

    /** Samples RSS every 250 ms until the process exits or {@code done}; returns {max VmRSS, VmHWM} in kB. */
    private static long[] watch(Process p, String name, Done done) throws Exception {
        long maxRss = 0;
        long hwm = 0;
        long lastPrint = 0;
        while (p.isAlive()) {
            long[] r = rss(p.pid());
            maxRss = Math.max(maxRss, r[0]);
            hwm = Math.max(hwm, r[1]);
            if (System.nanoTime() - lastPrint > 5_000_000_000L) {
                System.out.printf("  %s: VmRSS %d MB, VmHWM %d MB%n", name, r[0] >> 10, r[1] >> 10);
                lastPrint = System.nanoTime();
            }
            if (done.check()) {
                break;
            }
            Thread.sleep(250);
        }
        p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS);
        return new long[] {maxRss, hwm};
    }

    /** {VmRSS, VmHWM} in kB, zeros once the process is gone. */
    static long[] rss(long pid) {
        long[] out = new long[2];
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    out[0] = Long.parseLong(line.replaceAll("\\D", ""));
                } else if (line.startsWith("VmHWM:")) {
                    out[1] = Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process ended
        }
        return out;
    }

    private static String du(Path dir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("du", "-sh", dir.toString()).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
        p.waitFor();
        return out.split("\\s+")[0];
    }
}
