package dev.edgepush.testbed.bench;

import dev.edgepush.testsupport.ChildProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * {@code -via=central-ingest}: a real central-ingest (the repository's launcher) between the agent
 * and VictoriaMetrics, with one robot token and its WAL in the run's directory. The agent pushes to
 * it (edge-agent negotiates zstd with it, vmagent sends Snappy), it forwards to VictoriaMetrics.
 * The outage stops this hop, the agent's remote, and starts it again on the same port and WAL.
 *
 * <p>Wire bytes are read from its counters, the same for every agent: the write bodies as received
 * ({@code central_ingest_write_request_bytes_total}, all encodings) over the samples written to its
 * WAL ({@code central_ingest_samples_received_total}).
 */
final class IngestHop {
    static final String NAME = "central-ingest";
    private static final String TOKEN = "bench-agents-robot-token";

    private final ChildProcess process;
    private final int port;

    private IngestHop(ChildProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts central-ingest forwarding to {@code vmWriteUrl}; returns once it answers /health. */
    static IngestHop start(Path repo, Path work, String vmWriteUrl, Path log, ChildProcesses children)
            throws IOException {
        Path launcher = repo.resolve("central-ingest/bin/central-ingest");
        if (!Files.isExecutable(launcher)) {
            throw new IllegalStateException(launcher + " not found or not executable; pass -repo=DIR");
        }
        Path tokens = work.resolve("ingest-tokens");
        Files.writeString(tokens, "robot bench 0 " + sha256(TOKEN) + "\n");
        int port = Http.freePort();
        List<String> cmd = List.of(
                launcher.toString(),
                "-httpListenAddr=127.0.0.1:" + port,
                "-remoteWrite.url=" + vmWriteUrl,
                "-auth.tokensFile=" + tokens,
                "-wal.path=" + work.resolve("ingest-wal"));
        return new IngestHop(children.startUp(NAME, port, cmd, log), port);
    }

    /** Where the agent pushes. */
    String writeUrl() {
        return "http://127.0.0.1:" + port + "/api/v1/write";
    }

    /** The agent's flag that authenticates it (both agents take it). */
    static String tokenFlag() {
        return "-remoteWrite.bearerToken=" + TOKEN;
    }

    /** Stops it (SIGTERM, then SIGKILL): the agent's remote is down. */
    void stop() {
        ChildProcesses.stop(process);
    }

    /** Starts it again on the same port and WAL; returns once it answers /health. */
    void start() throws IOException {
        process.restart();
    }

    PromText metrics() throws IOException {
        return PromText.parse(Http.get(port, "/metrics", Duration.ofSeconds(10)));
    }

    /** Write-body bytes as received, every encoding. */
    static double bytesReceived(PromText m) {
        return m.sum("central_ingest_write_request_bytes_total");
    }

    /** Samples written to the WAL and acknowledged. */
    static double samplesReceived(PromText m) {
        return m.sum("central_ingest_samples_received_total");
    }

    private static String sha256(String token) {
        try {
            return "sha256:"
                    + HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256")
                                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
