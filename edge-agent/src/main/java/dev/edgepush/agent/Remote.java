package dev.edgepush.agent;

import dev.edgepush.compat.Relabeler;
import dev.edgepush.forward.buffer.DiskBuffer;
import dev.edgepush.forward.send.Backoff;
import dev.edgepush.forward.send.CompletenessHeaders;
import dev.edgepush.forward.send.ProtocolTransport;
import dev.edgepush.forward.send.RateLimiter;
import dev.edgepush.forward.send.RemoteWriteClient;
import dev.edgepush.forward.send.Sender;
import dev.edgepush.net.tls.ClientTls;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * One {@code -remoteWrite.url} with everything it owns: its disk buffer, its self metrics, its
 * HTTP client (auth, TLS; its connection lives on the agent's event loop), its sender thread
 * (rate limit) and its {@code -remoteWrite.urlRelabelConfig}. Remotes share nothing but the fan-out that appends every
 * sample to each buffer, so one slow or dead remote only grows its own buffer.
 */
final class Remote {
    final RemoteSpec spec;
    final DiskBuffer buffer;
    final AgentMetrics metrics;
    final RemoteWriteClient client;
    /** Speaks -remoteWrite.protocol and -remoteWrite.compression to the client. */
    final ProtocolTransport transport;

    final Sender sender;
    final Thread senderThread;
    /** -remoteWrite.urlRelabelConfig of this URL (not the global one), or null when it has none. */
    final SeriesRelabeler urlRelabeler;

    /**
     * @param bufferDir this remote's buffer directory
     * @param labelled whether its metrics carry the {@code url} label (more than one remote)
     * @param loop the agent's event loop, which the client's connection shares with the scrapes
     */
    Remote(
            RemoteSpec spec,
            AgentFlags.Config cfg,
            Path bufferDir,
            boolean labelled,
            Relabeler urlRelabel,
            LongSupplier clock,
            EventLoopGroup loop)
            throws IOException {
        this.spec = spec;
        this.metrics = new AgentMetrics(clock, labelled ? spec.label() : null);
        this.urlRelabeler = urlRelabel.isEmpty() ? null : new SeriesRelabeler(urlRelabel, Map.of());
        String token = spec.bearerToken();
        if (spec.bearerTokenFile() != null) {
            token = secret("-remoteWrite.bearerTokenFile", spec.bearerTokenFile(), "bearer token");
        }
        String password = spec.basicAuthPassword();
        if (spec.basicAuthPasswordFile() != null) {
            password =
                    secret("-remoteWrite.basicAuth.passwordFile", spec.basicAuthPasswordFile(), "basic auth password");
        }
        ClientTls tls = new ClientTls(
                spec.tlsCaFile(),
                spec.tlsCertFile(),
                spec.tlsKeyFile(),
                spec.tlsInsecureSkipVerify(),
                spec.tlsServerName());
        if (!tls.isDefault()) {
            tls.sslContext(); // reads the PEM files now: a bad one stops start-up, naming the file
        }
        // The sender is made after the client, whose header supplier asks it for the batch in flight.
        Sender[] pushing = new Sender[1];
        this.client = new RemoteWriteClient(
                loop,
                spec.url(),
                cfg.sendTimeout(),
                Agent.USER_AGENT,
                // What central-ingest cannot see for itself, for its fleet page: the backlog, the samples
                // given up on, this robot's clock (central-ingest shows the skew against its own), and
                // which buffered excerpts the push carries (its completeness accounting).
                () -> {
                    Map<String, String> h = new java.util.LinkedHashMap<>();
                    h.put("X-Edgepush-Pending-Samples", Long.toString(metrics.pendingSamples()));
                    h.put(
                            "X-Edgepush-Oldest-Pending-Age-Seconds",
                            String.format(java.util.Locale.ROOT, "%.3f", metrics.oldestPendingAgeSeconds()));
                    h.put("X-Edgepush-Dropped-Samples", Long.toString(metrics.droppedTotal()));
                    h.put("X-Edgepush-Agent-Time-Ms", Long.toString(clock.getAsLong()));
                    if (pushing[0] != null) {
                        h.putAll(CompletenessHeaders.of(pushing[0], droppedByReason()));
                    }
                    return h;
                },
                RemoteWriteClient.auth(token, spec.basicAuthUsername(), password),
                tls);
        // Last, after every file this remote needs was read: a bad flag leaves no buffer open.
        this.buffer = DiskBuffer.open(bufferDir, cfg.maxDiskBytes(), cfg.syncInterval(), "edge-agent-buffer-sync");
        metrics.bindBuffer(
                buffer::bufferedSamplesTotal,
                buffer::pendingSamples,
                buffer::diskBytes,
                buffer::corruptSamplesTotal,
                buffer::diskFullSamplesTotal,
                buffer::tooLargeSamplesTotal);
        metrics.bindBufferDamage(buffer::corruptExcerptsTotal, buffer::corruptFilesTotal);
        metrics.maxDiskBytes(cfg.maxDiskBytes());
        this.transport = new ProtocolTransport(client, spec.protocol(), spec.compression(), clock, spec.label());
        metrics.bindProtocol(transport::protocol);
        metrics.bindCompression(transport::compression);
        this.sender = new Sender(
                buffer,
                transport,
                Backoff.withDefaults(new SecureRandom()),
                metrics,
                clock,
                cfg.flushInterval(),
                cfg.maxBatchSamples(),
                cfg.maxBatchBytes(),
                spec.label());
        sender.freshFirst(spec.freshFirst());
        if (spec.rateLimitBytesPerSecond() > 0) {
            sender.rateLimiter(new RateLimiter(spec.rateLimitBytesPerSecond()));
        }
        pushing[0] = sender;
        this.senderThread = new Thread(sender, "edge-agent-sender-" + spec.number());
    }

    /** {@code disk_full=N,corrupt=N,too_large=N,rejected=N}: samples dropped since start, by reason. */
    private String droppedByReason() {
        StringBuilder sb = new StringBuilder(80);
        for (String reason : new String[] {"disk_full", "corrupt", "too_large", "rejected"}) {
            sb.append(sb.length() == 0 ? "" : ",").append(reason).append('=').append(metrics.droppedTotal(reason));
        }
        return sb.toString();
    }

    /** The secret in {@code file}; a problem with it names the flag and the file, in one line. */
    private static String secret(String flag, Path file, String what) throws IOException {
        try {
            return RemoteWriteClient.readSecretFile(file, what);
        } catch (IOException e) {
            String why = e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage();
            throw new IOException(flag + "=" + file + ": " + why, e);
        }
    }
}
