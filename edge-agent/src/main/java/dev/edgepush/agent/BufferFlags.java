package dev.edgepush.agent;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The disk buffer ({@code -remoteWrite.tmpDataPath}, its cap and fsync) and the batches sent from
 * it, vmagent's flags; a picocli mixin of {@link AgentFlags}.
 */
final class BufferFlags {
    @Option(
            names = {"-remoteWrite.tmpDataPath", "--remoteWrite.tmpDataPath"},
            paramLabel = "DIR",
            description = "Directory of the disk buffer (default: ${DEFAULT-VALUE}).")
    Path tmpDataPath = Path.of("vmagent-remotewrite-data");

    @Option(
            names = {"-remoteWrite.maxDiskUsagePerURL", "--remoteWrite.maxDiskUsagePerURL"},
            paramLabel = "BYTES",
            description =
                    "Disk cap of the buffer, e.g. 50MB or 1GiB; 0 = no cap (default: ${DEFAULT-VALUE}). Past it the oldest data goes first and is counted.")
    String maxDiskUsagePerUrl = "0";

    @Option(
            names = {"-buffer.syncInterval", "--buffer.syncInterval"},
            paramLabel = "DURATION",
            description = "How often the disk buffer is forced to the device (fsync of the queue file written"
                    + " to, its metadata and directory; ack.pos is fsynced on every write). Power loss loses at"
                    + " most about this much of the newest scrapes; kill -9 loses nothing either way. 0 = fsync"
                    + " after every scrape before it counts as buffered (safest, one fsync per scrape)"
                    + " (default: ${DEFAULT-VALUE}).")
    String syncInterval = "1s";

    @Option(
            names = {"-remoteWrite.flushInterval", "--remoteWrite.flushInterval"},
            paramLabel = "DURATION",
            description = "Longest a batch waits before it is sent (default: ${DEFAULT-VALUE}).")
    String flushInterval = "1s";

    @Option(
            names = {"-remoteWrite.sendTimeout", "--remoteWrite.sendTimeout"},
            paramLabel = "DURATION",
            description = "Timeout of one remote-write request (default: ${DEFAULT-VALUE}).")
    String sendTimeout = "1m";

    @Option(
            names = {"-remoteWrite.maxRowsPerBlock", "--remoteWrite.maxRowsPerBlock"},
            paramLabel = "N",
            description = "Most samples in one request (default: ${DEFAULT-VALUE}).")
    int maxRowsPerBlock = 10_000;

    @Option(
            names = {"-remoteWrite.maxBlockSize", "--remoteWrite.maxBlockSize"},
            paramLabel = "BYTES",
            description = "Most uncompressed bytes in one request (default: ${DEFAULT-VALUE}).")
    String maxBlockSize = "8MB";
}
