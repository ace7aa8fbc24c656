package dev.edgepush.ingest.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.ingest.auth.TokensFile;
import dev.edgepush.ingest.decode.ZstdBombs;
import dev.edgepush.testsupport.ChildProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11: a burst of decompression bombs must not leave central-ingest at gigabytes. A real
 * child JVM with the JVM options of its launcher (bin/central-ingest) takes 12 gzip bombs (1 GiB
 * of zeros in 1 MB) and 12 Snappy blocks declaring 250 MB in 6 bytes, all at once; it must stay
 * alive and its RSS must come back under {@link #RSS_BOUND_MB}. Before issue 11 the same JVM
 * stayed at 1.7 GB (gzip) and 1.3 GB (Snappy) for minutes. The same for 36 zstd bombs.
 */
class DecompressionBombsRssIT {
    /**
     * The heap's floor (-Xms256m: once touched it stays resident) plus what the JVM holds outside
     * the heap (about 100 MB idle: code, metaspace, threads, Chronicle's mappings), plus margin.
     * Measured after the burst: about 240 MB.
     */
    static final long RSS_BOUND_MB = 450;

    private static final String TOKEN = "bomb-token-1";
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    /** The JVM options of bin/central-ingest's default_opts, as the launcher would pass them on JDK 17. */
    static List<String> launcherJvmOptions() throws IOException {
        String script = Files.readString(Path.of("bin/central-ingest"));
        Matcher m = Pattern.compile("default_opts=\"([^\"]*)\"").matcher(script);
        assertTrue(m.find(), "no default_opts in bin/central-ingest");
        List<String> opts = new ArrayList<>();
        for (String o : m.group(1).replace("\\\n", " ").trim().split("\\s+")) {
            opts.add(o);
        }
        return opts;
    }

    static long statusMb(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        throw new IllegalStateException(field + " not in /proc/" + pid + "/status");
    }

    static byte[] gzipBomb() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 21);
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 1 << 16) {
            {
                def.setLevel(Deflater.BEST_COMPRESSION);
            }
        }) {
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 1024; i++) {
                gz.write(zeros);
            }
        }
        return out.toByteArray();
    }

    /** A Snappy block that declares 250,000,000 bytes and holds one literal byte. */
    static byte[] snappyLie() {
        return new byte[] {(byte) 0x80, (byte) 0xe5, (byte) 0x9a, 0x77, 0x00, 0x00};
    }

    private HttpRequest bomb(int port, String path, String encoding, byte[] body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(120))
                .header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (encoding != null) {
            b.header("Content-Encoding", encoding);
        }
        return b.build();
    }

    @Test
    void aBurstOfBombsLeavesItAliveAndItsRssReturns() throws Exception {
        burst(port -> {
            byte[] gzip = gzipBomb();
            List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                answers.add(HTTP.sendAsync(
                        bomb(port, "/api/v1/import/prometheus", "gzip", gzip), HttpResponse.BodyHandlers.ofString()));
                answers.add(HTTP.sendAsync(
                        bomb(port, "/api/v1/write", null, snappyLie()), HttpResponse.BodyHandlers.ofString()));
            }
            for (int i = 0; i < answers.size(); i++) {
                HttpResponse<String> r = answers.get(i).get();
                assertEquals(i % 2 == 0 ? 413 : 400, r.statusCode(), r.body());
            }
        });
    }

    /**
     * zstd (edge-agent's negotiated encoding), 12 of each at once: a frame declaring 4 GiB (413
     * before decoding), 1 GiB of zeros without a declared size (decoded up to the limit: 413), and a
     * frame asking for a 2 GiB window (400, the window never allocated).
     */
    @Test
    void aBurstOfZstdBombsLeavesItAliveAndItsRssReturns() throws Exception {
        burst(port -> {
            List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
            byte[][] bombs = {ZstdBombs.declaring4GiB(), ZstdBombs.gibibyteWithoutSize(), ZstdBombs.hugeWindow()};
            int[] expected = {413, 413, 400};
            for (int i = 0; i < 12; i++) {
                for (byte[] b : bombs) {
                    answers.add(HTTP.sendAsync(
                            bomb(port, "/api/v1/write", "zstd", b), HttpResponse.BodyHandlers.ofString()));
                }
            }
            for (int i = 0; i < answers.size(); i++) {
                HttpResponse<String> r = answers.get(i).get();
                assertEquals(expected[i % 3], r.statusCode(), r.body());
            }
        });
    }

    @FunctionalInterface
    private interface Burst {
        void send(int port) throws Exception;
    }

    /**
     * Starts central-ingest as its launcher would, runs {@code burst} against it, and checks that it
     * lives and its RSS comes back under {@link #RSS_BOUND_MB}.
     */
    private void burst(Burst burst) throws Exception {
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, "robot r1 0 " + TokensFile.hashOf(TOKEN) + "\n");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(launcherJvmOptions());
        for (String f : System.getProperty(
                        "edgepush.test.jvmFlags",
                        "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED "
                                + "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED "
                                + "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED")
                .split(" ")) {
            cmd.add(f); // what the jar's manifest gives `java -jar`
        }
        cmd.addAll(List.of(
                "-cp",
                System.getProperty("java.class.path"),
                "dev.edgepush.ingest.Main",
                "-httpListenAddr=127.0.0.1:" + port,
                "-remoteWrite.url=http://127.0.0.1:9/api/v1/write",
                "-auth.tokensFile=" + tokens,
                "-wal.path=" + dir.resolve("wal")));
        // the launcher's JVM options as they are: not ChildJvm's, whose GC and JIT options would change what is
        // measured
        ChildProcess p = ChildProcess.builder("central-ingest", port, cmd)
                .log(dir.resolve("ingest.log"))
                .build();
        try {
            p.restart();
            long idleMb = statusMb(p.pid(), "VmRSS");
            burst.send(port);
            long peakMb = statusMb(p.pid(), "VmHWM");
            long rssMb = statusMb(p.pid(), "VmRSS");
            for (int i = 0; i < 240 && rssMb > RSS_BOUND_MB && p.isAlive(); i++) { // up to about 4 min
                Thread.sleep(1000);
                rssMb = statusMb(p.pid(), "VmRSS");
            }
            assertTrue(p.isAlive(), "central-ingest died:\n" + p.logText());
            assertTrue(
                    rssMb <= RSS_BOUND_MB,
                    "RSS " + rssMb + " MB after the burst (idle " + idleMb + " MB, peak " + peakMb
                            + " MB) did not come back under " + RSS_BOUND_MB + " MB in 4 minutes");
            System.out.printf(
                    "central-ingest RSS: idle %d MB, peak %d MB, after the burst %d MB%n", idleMb, peakMb, rssMb);
        } finally {
            p.kill9();
        }
    }
}
