package dev.edgepush.ingest.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.edgepush.ingest.CentralIngest;
import dev.edgepush.ingest.IngestFlags;
import dev.edgepush.ingest.auth.TokensFile;
import dev.edgepush.proto.WriteRequestEncoder;
import dev.edgepush.testsupport.Loopback;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/**
 * Found by the end-to-end test with vmagent (several connections) and edge-agent (one): robots
 * whose connections the server put on different Netty event loops all write to the same WAL
 * destination, and each of them must get 204. The server runs one event loop per core and
 * assigns connections round-robin, so four connections cover every loop on a 2-4 core machine
 * (on one core there is one loop and this test cannot fail).
 */
class ConnectionsOnEveryEventLoopTest {
    private static final String TOKEN = "r1-secret";

    @TempDir
    Path dir;

    @Test
    void pushesOnConnectionsOfDifferentEventLoopsAllGet204() throws Exception {
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, "robot r1 0 " + TokensFile.hashOf(TOKEN) + "\n");
        // Nothing listens on the forward URL: the forwarder retries in the background, the WAL holds it.
        String[] args = {
            "-httpListenAddr=127.0.0.1:0",
            "-remoteWrite.url=http://127.0.0.1:" + Loopback.freePort() + "/api/v1/write",
            "-auth.tokensFile=" + tokens,
            "-wal.path=" + dir.resolve("wal")
        };
        try (CentralIngest ingest = new CentralIngest(IngestFlags.parse(args).validate())) {
            List<HttpClient> connections = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                connections.add(HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .build());
            }
            List<String> answers = new ArrayList<>();
            List<String> expected = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                for (int c = 0; c < connections.size(); c++) {
                    HttpResponse<String> res = connections
                            .get(c)
                            .send(push(ingest.port(), round * 10 + c), HttpResponse.BodyHandlers.ofString());
                    String where = "connection " + c + " round " + round + ": ";
                    answers.add(where
                            + res.statusCode()
                            + (res.statusCode() == 204 ? "" : " " + res.body().trim()));
                    expected.add(where + 204);
                }
            }
            assertEquals(String.join("\n", expected), String.join("\n", answers));
        }
    }

    private static HttpRequest push(int port, int value) throws java.io.IOException {
        WriteRequestEncoder enc = new WriteRequestEncoder();
        enc.addSeries(
                new String[] {"__name__", "loop_test", "n", Integer.toString(value)},
                2,
                value,
                System.currentTimeMillis());
        byte[] body = Snappy.compress(enc.toByteArray());
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/write"))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/x-protobuf")
                .header("Content-Encoding", "snappy")
                .header("X-Prometheus-Remote-Write-Version", "0.1.0")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
    }
}
