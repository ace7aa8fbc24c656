package dev.edgepush.ingest;

import dev.edgepush.flags.FlagText;
import dev.edgepush.flags.FlagValues;
import dev.edgepush.flags.VersionAndHelpFlags;
import dev.edgepush.ingest.decode.SampleClock;
import dev.edgepush.ingest.http.CorsPolicy;
import dev.edgepush.ingest.http.IngestPipeline;
import dev.edgepush.ingest.query.QueryTarget;
import dev.edgepush.ingest.wal.ForwardingWal;
import dev.edgepush.net.http.HttpLimitFlags;
import dev.edgepush.net.http.HttpServerLimits;
import dev.edgepush.net.http.ListenAddress;
import dev.edgepush.net.http.ListenAddressFlag;
import dev.edgepush.net.tls.ServerTls;
import dev.edgepush.net.tls.ServerTlsFlags;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Command-line flags, in the agent's (and VictoriaMetrics') style: one dash, {@code -name=value}
 * or {@code -name value}; two dashes work too. A bad flag stops start-up with a message naming
 * it (exit code 2).
 */
@Command(
        name = "central-ingest",
        mixinStandardHelpOptions = false,
        sortOptions = false,
        description =
                "The fleet's ingest endpoint: authenticates robots, writes ahead to disk, forwards to VictoriaMetrics.")
public final class IngestFlags {
    @Mixin
    ListenAddressFlag listenAddress = new ListenAddressFlag(":8427", ":8427");

    @Option(
            names = {"-remoteWrite.url", "--remoteWrite.url"},
            paramLabel = "URL",
            description = "Where to forward (repeatable, required). One VictoriaMetrics single node, e.g. "
                    + "http://vm:8428/api/v1/write, or a list of vminsert URLs with {tenant}, e.g. "
                    + "http://vminsert-1:8480/insert/{tenant}/prometheus/api/v1/write; series are sharded over the list "
                    + "by a consistent hash of their sorted labels.")
    List<String> remoteWriteUrls = new ArrayList<>();

    @Option(
            names = {"-remoteWrite.queues", "--remoteWrite.queues"},
            paramLabel = "N",
            description =
                    "Forwarding lanes per destination (shard, and tenant in cluster mode), as vmagent's flag: each "
                            + "its own WAL directory and sender, so N requests are in flight at once; a series always goes to the "
                            + "same lane, by a hash of its labels, which keeps its samples in order (1-" + MAX_QUEUES
                            + ", default: "
                            + "${DEFAULT-VALUE}).")
    int remoteWriteQueues = 2;

    static final int MAX_QUEUES = 64;

    @Option(
            names = {"-query.url", "--query.url"},
            paramLabel = "URL",
            description = "VictoriaMetrics base URL for the query proxy and VMUI: a single node, e.g. http://vm:8428 "
                    + "(no tenants: every reader sees all), or vmselect with {tenant}, e.g. "
                    + "http://vmselect:8481/select/{tenant}/prometheus (a reader sees its token's tenant only). Unset: the "
                    + "query paths answer 503.")
    String queryUrl;

    @Option(
            names = {"-vmalert.proxyURL", "--vmalert.proxyURL"},
            paramLabel = "URL",
            description = "vmalert's URL, as VictoriaMetrics' flag: /vmalert/... and /api/v1/rules, /api/v1/alerts are "
                    + "proxied there for readers (vmalert has no tenants: every reader sees all its rules). Unset: /vmalert/... "
                    + "answers 400 and rules/alerts come from -query.url.")
    String vmalertProxyUrl;

    @Option(
            names = {"-http.corsAllowedOrigins", "--http.corsAllowedOrigins"},
            paramLabel = "ORIGINS",
            description =
                    "Browser origins (scheme://host[:port], comma-separated or repeated) allowed to call central-ingest"
                            + " from another origin (CORS), with credentials; * allows any origin without credentials. Unset: CORS off.")
    List<String> corsAllowedOrigins = new ArrayList<>();

    @Option(
            names = {"-fleet.offlineAfter", "--fleet.offlineAfter"},
            paramLabel = "DURATION",
            description =
                    "A robot that has not pushed for this long is offline in /fleet and central_ingest_robots_online (default: ${DEFAULT-VALUE}).")
    String fleetOfflineAfter = "2m";

    /** -fleet.correctClockSkewAbove and -retentionPeriod: how the timestamps of a push are checked. */
    @Mixin
    SampleClockFlags clock = new SampleClockFlags();

    @Option(
            names = {"-wal.path", "--wal.path"},
            paramLabel = "DIR",
            description = "Directory of the write-ahead log (default: ${DEFAULT-VALUE}).")
    Path walPath = Path.of("central-ingest-wal");

    @Option(
            names = {"-wal.maxDiskBytes", "--wal.maxDiskBytes"},
            paramLabel = "BYTES",
            description =
                    "Disk cap of each destination's WAL (shard, and tenant in cluster mode), split evenly over its -remoteWrite.queues lane directories, e.g. 10GB; 0 = none (default: ${DEFAULT-VALUE}). Past it the oldest data is dropped and counted.")
    String walMaxDiskBytes = "0";

    @Option(
            names = {"-wal.maxPendingSamples", "--wal.maxPendingSamples"},
            paramLabel = "N",
            description =
                    "Answer 429 while the WAL holds more unforwarded samples than this; 0 = no limit (default: ${DEFAULT-VALUE}).")
    long walMaxPendingSamples = 100_000_000L;

    @Option(
            names = {"-auth.tokensFile", "--auth.tokensFile"},
            paramLabel = "FILE",
            description =
                    "Tokens file: '<robot|reader> <name> <tenant> sha256:<hex>' per line (required); re-read when it changes.")
    Path tokensFile;

    @Option(
            names = {"-maxRequestBytes", "--maxRequestBytes"},
            paramLabel = "BYTES",
            description = "Largest request body as sent (compressed) (default: ${DEFAULT-VALUE}).")
    String maxRequestBytes = "32MB";

    @Option(
            names = {"-maxDecompressedBytes", "--maxDecompressedBytes"},
            paramLabel = "BYTES",
            description = "Largest request body once decompressed (default: 8 x -maxRequestBytes).")
    String maxDecompressedBytes;

    @Option(
            names = {"-maxSamplesPerSecondPerRobot", "--maxSamplesPerSecondPerRobot"},
            paramLabel = "N",
            description =
                    "Each robot's sustained rate, with a burst of 10 s of it; over it: 429 with Retry-After (default: ${DEFAULT-VALUE}).")
    long maxSamplesPerSecondPerRobot = 100_000;

    @Mixin
    HttpLimitFlags http = new HttpLimitFlags();

    /** -tls, -tlsCertFile, -tlsKeyFile, -tlsMinVersion: the listener's TLS, as edge-agent's. */
    @Mixin
    ServerTlsFlags tls = new ServerTlsFlags();

    @Mixin
    MtlsFlags mtls = new MtlsFlags();

    /** -version and -help, as central-ingest's and edge-agent's. */
    @Mixin
    VersionAndHelpFlags standard = new VersionAndHelpFlags();

    /** Parsed and checked values. */
    public record Config(
            String listenHost,
            int listenPort,
            List<String> remoteWriteUrls,
            String queryUrl,
            Path walPath,
            long walMaxDiskBytes,
            long walMaxPendingSamples,
            Path tokensFile,
            int maxRequestBytes,
            long maxDecompressedBytes,
            long maxSamplesPerSecondPerRobot,
            QueryTarget query,
            Duration fleetOfflineAfter,
            int remoteWriteQueues,
            HttpServerLimits http,
            ServerTls.Settings tls,
            boolean mtlsRequireRobotName,
            IngestPipeline.ReaderDoor reader,
            SampleClock sampleClock) {}

    /** A flag that is unknown or has a bad value; the message names it. */
    public static final class FlagException extends Exception {
        private static final long serialVersionUID = 1L;

        public FlagException(String message) {
            super(message);
        }
    }

    static CommandLine commandLine(IngestFlags flags) {
        return new CommandLine(flags).setUnmatchedOptionsArePositionalParams(false);
    }

    public static IngestFlags parse(String[] args) throws FlagException {
        IngestFlags f = new IngestFlags();
        List<String> bad = FlagText.parse(commandLine(f), args, unmatched -> {
            String suggestion = FlagText.suggest(commandLine(new IngestFlags()), unmatched);
            return "unknown flag " + unmatched + (suggestion == null ? "" : ": did you mean " + suggestion + "?")
                    + " (central-ingest -help lists the flags)";
        });
        if (!bad.isEmpty()) {
            throw new FlagException(String.join("\n", bad));
        }
        return f;
    }

    /** Checks every value; the first bad one is reported with its flag name. */
    public Config validate() throws FlagException {
        if (remoteWriteUrls.isEmpty()) {
            throw new FlagException(
                    "-remoteWrite.url is required, e.g. -remoteWrite.url=http://127.0.0.1:8428/api/v1/write");
        }
        boolean cluster = remoteWriteUrls.get(0).contains(ForwardingWal.TENANT_PLACEHOLDER);
        for (String u : remoteWriteUrls) {
            String single = u.replace(ForwardingWal.TENANT_PLACEHOLDER, "0");
            checked(() -> FlagValues.httpUrl("-remoteWrite.url", single, single));
            if (u.contains(ForwardingWal.TENANT_PLACEHOLDER) != cluster) {
                throw new FlagException("-remoteWrite.url=" + u
                        + ": either every URL holds {tenant} (vminsert) or none does" + " (a single node)");
            }
        }
        if (remoteWriteQueues < 1 || remoteWriteQueues > MAX_QUEUES) {
            throw new FlagException(
                    "-remoteWrite.queues=" + remoteWriteQueues + ": must be between 1 and " + MAX_QUEUES);
        }
        QueryTarget query =
                queryUrl == null ? null : checked(() -> FlagValues.parse("-query.url", queryUrl, QueryTarget::parse));
        IngestPipeline.ReaderDoor reader = readerDoor();
        Duration offlineAfter = checked(() -> FlagValues.duration("-fleet.offlineAfter", fleetOfflineAfter));
        if (offlineAfter.toMillis() <= 0) {
            throw new FlagException("-fleet.offlineAfter=" + fleetOfflineAfter + ": must be more than 0, e.g. 2m");
        }
        SampleClock sampleClock = clock.sampleClock();
        if (tokensFile == null) {
            throw new FlagException(
                    "-auth.tokensFile is required: a file of '<robot|reader> <name> <tenant> sha256:<hex>' lines");
        }
        long walCap = checked(() -> FlagValues.bytes("-wal.maxDiskBytes", walMaxDiskBytes));
        if (walMaxPendingSamples < 0) {
            throw new FlagException(
                    "-wal.maxPendingSamples=" + walMaxPendingSamples + ": must be 0 (no limit) or more");
        }
        int maxReq = checked(() -> FlagValues.sizeUpTo1GB("-maxRequestBytes", maxRequestBytes));
        long maxDec = maxDecompressedBytes == null
                ? 8L * maxReq
                : checked(() -> FlagValues.bytes("-maxDecompressedBytes", maxDecompressedBytes));
        if (maxDec <= 0 || maxDec > Integer.MAX_VALUE - 8) {
            throw new FlagException("-maxDecompressedBytes="
                    + (maxDecompressedBytes == null ? maxDec : maxDecompressedBytes) + ": must be between 1 and 2GB");
        }
        if (maxSamplesPerSecondPerRobot <= 0) {
            throw new FlagException(
                    "-maxSamplesPerSecondPerRobot=" + maxSamplesPerSecondPerRobot + ": must be more than 0");
        }
        ListenAddress listen = checked(listenAddress::address);
        // Last, so that a bad value of another flag is reported first: this check needs the disk.
        String unreadable = FlagText.unreadableFile("-auth.tokensFile", tokensFile);
        if (unreadable != null) {
            throw new FlagException(unreadable + " (create it and its first token with: central-ingest token add robot"
                    + " <name> -auth.tokensFile=" + tokensFile + ")");
        }
        return new Config(
                listen.host(),
                listen.port(),
                List.copyOf(remoteWriteUrls),
                queryUrl,
                walPath,
                walCap,
                walMaxPendingSamples,
                tokensFile,
                maxReq,
                maxDec,
                maxSamplesPerSecondPerRobot,
                query,
                offlineAfter,
                remoteWriteQueues,
                checked(http::limits),
                mtls.settings(tls),
                mtls.requireRobotName,
                reader,
                sampleClock);
    }

    private IngestPipeline.ReaderDoor readerDoor() throws FlagException {
        QueryTarget vmalert = null;
        if (vmalertProxyUrl != null) {
            try {
                vmalert = QueryTarget.parse(vmalertProxyUrl);
            } catch (IllegalArgumentException e) {
                throw new FlagException("-vmalert.proxyURL=" + vmalertProxyUrl + ": "
                        + e.getMessage().replace("8428", "8880"));
            }
        }
        try {
            return new IngestPipeline.ReaderDoor(vmalert, CorsPolicy.of(corsAllowedOrigins));
        } catch (IllegalArgumentException e) {
            throw new FlagException(
                    "-http.corsAllowedOrigins=" + String.join(",", corsAllowedOrigins) + ": " + e.getMessage());
        }
    }

    /** What {@code check} returns; its exception (whose message names the flag) as a {@link FlagException}. */
    static <T> T checked(Supplier<T> check) throws FlagException {
        try {
            return check.get();
        } catch (IllegalArgumentException e) {
            throw new FlagException(e.getMessage());
        }
    }
}
