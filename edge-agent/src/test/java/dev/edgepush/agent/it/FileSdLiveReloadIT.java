package dev.edgepush.agent.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.edgepush.testsupport.Loopback;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A running edge-agent follows its file_sd_configs file: a target added to the file gets
 * scraped, a removed one stops being scraped, a broken rewrite keeps the targets and is logged
 * with file and line; no restart.
 */
class FileSdLiveReloadIT {
    @TempDir
    Path dir;

    final Map<String, AtomicInteger> scrapesByHost = new ConcurrentHashMap<>();

    private int scrapes(String host) {
        return scrapesByHost.computeIfAbsent(host, h -> new AtomicInteger()).get();
    }

    private void write(Path file, String text) throws IOException {
        long before = Files.exists(file) ? Files.getLastModifiedTime(file).toMillis() : 0;
        Files.writeString(file, text);
        Files.setLastModifiedTime(file, FileTime.fromMillis(Math.max(before + 1000, System.currentTimeMillis())));
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            AgentProcess.pause(50);
        }
    }

    @Test
    void targetsFollowTheFileWithoutARestart() throws Exception {
        HttpServer target = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        target.createContext("/metrics", ex -> {
            String host = ex.getRequestHeaders().getFirst("Host");
            scrapesByHost
                    .computeIfAbsent(host.substring(0, host.lastIndexOf(':')), h -> new AtomicInteger())
                    .incrementAndGet();
            byte[] b = "m 1\n".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(b);
            }
        });
        target.start();
        int port = target.getAddress().getPort();
        Path sd = dir.resolve("targets.json");
        write(sd, "[{\"targets\": [\"127.0.0.1:" + port + "\"]}]");
        Path config = dir.resolve("scrape.yml");
        Files.writeString(
                config,
                "scrape_configs:\n  - job_name: sd\n    scrape_interval: 200ms\n"
                        + "    file_sd_configs: [{files: [targets.json]}]\n");
        try (AgentProcess edge = AgentProcess.start(
                dir,
                Loopback.freePort(),
                "-promscrape.config=" + config,
                "-promscrape.fileSDCheckInterval=200ms",
                "-remoteWrite.url=http://127.0.0.1:9/api/v1/write",
                "-remoteWrite.tmpDataPath=" + dir.resolve("data"))) {
            await(() -> scrapes("127.0.0.1") >= 2, "the first target is scraped");

            write(sd, "[{\"targets\": [\"localhost:" + port + "\"]}]");
            await(() -> scrapes("localhost") >= 2, "the added target is scraped");
            int removedAt = scrapes("127.0.0.1");
            await(() -> scrapes("localhost") >= 8, "a few more scrapes of the new target");
            assertTrue(scrapes("127.0.0.1") <= removedAt + 1, "the removed target is no longer scraped");

            write(sd, "[{\"targets\": [\"127.0.0.1:" + port + "\"]},\n {\"targets\": \"oops\"}]");
            await(() -> logContains(edge, sd + ":2: [1].targets must be a list"), "the error is logged with file:line");
            int before = scrapes("localhost");
            await(() -> scrapes("localhost") >= before + 3, "the previous targets are still scraped");
            assertTrue(logContains(edge, "file_sd_configs changed: 1 target started, 1 stopped"));
        } finally {
            target.stop(0);
        }
    }

    private static boolean logContains(AgentProcess edge, String text) {
        return edge.logText().contains(text);
    }
}
