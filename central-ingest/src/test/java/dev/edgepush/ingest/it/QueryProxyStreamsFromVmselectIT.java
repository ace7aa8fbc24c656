package dev.edgepush.ingest.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.edgepush.ingest.auth.TokensFile;
import dev.edgepush.testsupport.Loopback;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster mode against a stand-in vmselect: {@code {tenant}} in {@code -query.url} becomes the
 * reader's tenant, the reader's credentials never reach it, and an export far larger than the
 * ingest's heap ({@code -Xmx128m}, a child JVM) streams through whole: the proxy cannot be
 * holding it in memory.
 */
class QueryProxyStreamsFromVmselectIT {
    static final String READER = "reader-token";
    static final int CHUNK = 64 * 1024;
    static final int CHUNKS = 4096; // 256 MiB, twice the ingest's heap

    @TempDir
    Path dir;

    @Test
    void exportLargerThanTheHeapStreamsFromTheReadersTenant() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        HttpServer vmselect = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        vmselect.createContext("/", ex -> {
            seen.add(ex.getRequestURI().getRawPath() + "?" + ex.getRequestURI().getRawQuery() + " auth="
                    + ex.getRequestHeaders().getFirst("Authorization"));
            ex.getResponseHeaders().set("Content-Type", "application/stream+json");
            ex.sendResponseHeaders(200, 0); // chunked
            byte[] chunk = new byte[CHUNK];
            Arrays.fill(chunk, (byte) 'x');
            chunk[CHUNK - 1] = '\n';
            try (OutputStream out = ex.getResponseBody()) {
                for (int i = 0; i < CHUNKS; i++) {
                    out.write(chunk);
                }
            } catch (java.io.IOException e) {
                // the client went away; the test's assertions report it
            }
        });
        vmselect.start();
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, "reader ops 42 " + TokensFile.hashOf(READER) + "\n");
        try (IngestProcess ingest = IngestProcess.start(
                dir,
                Loopback.freePort(),
                "-remoteWrite.url=http://127.0.0.1:9/insert/{tenant}/prometheus/api/v1/write",
                "-query.url=http://127.0.0.1:" + vmselect.getAddress().getPort() + "/select/{tenant}/prometheus",
                "-auth.tokensFile=" + tokens,
                "-wal.path=" + dir.resolve("wal"))) {
            HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ingest.port
                            + "/select/42/prometheus/api/v1/export?match[]=%7Brobot%3D%22r1%22%7D"))
                    .header("Authorization", "Bearer " + READER)
                    .build();
            HttpResponse<InputStream> res =
                    HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, res.statusCode());
            long bytes = 0;
            byte[] buf = new byte[CHUNK];
            try (InputStream in = res.body()) {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    bytes += n;
                }
            }
            assertEquals((long) CHUNK * CHUNKS, bytes, "every byte of the export arrived");
            assertEquals(1, seen.size(), seen.toString());
            assertEquals("/select/42/prometheus/api/v1/export?match[]=%7Brobot%3D%22r1%22%7D auth=null", seen.get(0));
            assertTrue(ingest.get("/health").equals("ok\n"), "the ingest is alive after streaming twice its heap");
        } finally {
            vmselect.stop(0);
        }
    }
}
