package dev.edgepush.agent;

import dev.edgepush.flags.FlagText;
import dev.edgepush.flags.FlagValues;
import dev.edgepush.flags.VersionAndHelpFlags;
import dev.edgepush.net.http.HttpLimitFlags;
import dev.edgepush.net.http.HttpServerLimits;
import dev.edgepush.net.http.ListenAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Command-line flags, named and meaning what vmagent's do, so a robot's existing vmagent
 * command line keeps working. Go-style: one dash, {@code -name=value} or {@code -name value};
 * two dashes are accepted too. Parsed with picocli (a well-kept parser that takes arbitrary
 * option names such as {@code -remoteWrite.url} and reports unknown ones by name).
 */
@Command(
        name = "edge-agent",
        mixinStandardHelpOptions = false,
        description = "Scrapes Prometheus targets, buffers every sample on disk, pushes remote write.",
        sortOptions = false,
        resourceBundle = "dev.edgepush.agent.AgentFlagTexts")
public final class AgentFlags {
    /** -promscrape.config and the scrape-side vmagent flags (issue 6). */
    @Mixin
    ScrapeFlags scrape = new ScrapeFlags();

    @Option(
            names = {"-remoteWrite.url", "--remoteWrite.url"},
            paramLabel = "URL",
            description = "Remote-write endpoint, e.g. https://ingest.example.com/api/v1/write (required).")
    List<String> remoteWriteUrls = new ArrayList<>();

    /** The disk buffer and the batches sent from it. */
    @Mixin
    BufferFlags buffer = new BufferFlags();

    /** What a URL without -remoteWrite.protocol is sent. */
    static final dev.edgepush.forward.send.RemoteWriteProtocol DEFAULT_PROTOCOL =
            dev.edgepush.forward.send.RemoteWriteProtocol.V1;

    /** Per -remoteWrite.url flags (auth, TLS, rate, protocol, compression, relabeling). */
    @Mixin
    RemoteWriteUrlFlags perUrl = new RemoteWriteUrlFlags();

    @Option(
            names = {"-remoteWrite.queues", "--remoteWrite.queues"},
            paramLabel = "N",
            description = "Accepted for vmagent compatibility; edge-agent always sends over one lane per URL"
                    + " (per-series timestamp order on the wire).")
    Integer remoteWriteQueues;

    @Option(
            names = {"-remoteWrite.relabelConfig", "--remoteWrite.relabelConfig"},
            paramLabel = "FILE",
            description =
                    "Relabel configs (YAML list) applied to every sample, scraped or pushed, before it is buffered.")
    Path relabelConfig;

    @Option(
            names = {"-maxInsertRequestSize", "--maxInsertRequestSize"},
            paramLabel = "BYTES",
            description = "Largest body of a local push (/api/v1/write, /api/v1/import/prometheus); larger gets 413"
                    + " (default: ${DEFAULT-VALUE}).")
    String maxInsertRequestSize = "32MB";

    // --- end of remote-write compatibility options ---

    @Option(
            names = {"-remoteWrite.label", "--remoteWrite.label"},
            paramLabel = "NAME=VALUE",
            description = "Label added to every sample sent (repeatable); overrides a scraped label of the same name.")
    List<String> labels = new ArrayList<>();

    /** -httpListenAddr, -httpAuth.* and -tls*: where and how /metrics, /targets and the pushes are served. */
    @Mixin
    ListenerFlags listener = new ListenerFlags();

    /** -http.* limits of the listener on -httpListenAddr (issue 11). */
    @Mixin
    HttpLimitFlags http = new HttpLimitFlags();

    /** -host.* flags: host metrics named as node_exporter names them (issue 14). */
    @Mixin
    dev.edgepush.agent.host.HostFlags host = new dev.edgepush.agent.host.HostFlags();

    /** Set by {@link #validate}. */
    private dev.edgepush.agent.host.HostSettings hostSettings = dev.edgepush.agent.host.HostSettings.OFF;

    /** The checked -host.* flags ({@link dev.edgepush.agent.host.HostSettings#OFF} before {@link #validate}). */
    public dev.edgepush.agent.host.HostSettings hostSettings() {
        return hostSettings;
    }

    @Option(
            names = {"-promscrape.maxScrapeSize", "--promscrape.maxScrapeSize"},
            paramLabel = "BYTES",
            description = "Largest decompressed /metrics body accepted (default: ${DEFAULT-VALUE}).")
    String maxScrapeSize = "16MB";

    /** -promscrape.streamParse and the label limits: no scrape or push can exhaust the heap. */
    @Mixin
    InputLimitFlags inputLimitFlags = new InputLimitFlags();

    /** -version and -help, as central-ingest's and edge-agent's. */
    @Mixin
    VersionAndHelpFlags standard = new VersionAndHelpFlags();

    /** Parsed and checked values. */
    public record Config(
            Path promscrapeConfig,
            String remoteWriteUrl,
            Path dataPath,
            long maxDiskBytes,
            Duration syncInterval,
            Duration flushInterval,
            Duration sendTimeout,
            int maxBatchSamples,
            int maxBatchBytes,
            String bearerToken,
            Path bearerTokenFile,
            Map<String, String> extraLabels,
            String listenHost,
            int listenPort,
            int maxScrapeBytes,
            // scrape-side flags (issue 6)
            boolean strictParse,
            boolean suppressScrapeErrors,
            Duration fileSdCheckInterval,
            boolean dryRun,
            boolean disableKeepAlive,
            // remote-write compatibility (issue 6, remote side)
            List<RemoteSpec> remotes,
            Path relabelConfig,
            int maxInsertBytes,
            Integer remoteWriteQueues,
            // the listener's -http.* limits
            HttpServerLimits http,
            ListenerSecurity listener,
            // input limits and streaming (issue 11)
            InputLimits inputLimits) {}

    /**
     * Thrown for flags that are unknown or have a bad value; each problem is one line that names its
     * flag. {@link #validate} reports every bad value at once (one line each).
     */
    public static final class FlagException extends Exception {
        private final List<String> problems;

        public FlagException(String message) {
            super(message);
            this.problems = List.of(message);
        }

        FlagException(List<String> problems) {
            super(String.join("\n", problems));
            this.problems = List.copyOf(problems);
        }

        /** One line per problem. */
        public List<String> problems() {
            return problems;
        }
    }

    /** Problems found by {@link #validate} so far; it goes on past each so that all are reported. */
    private final List<String> problems = new ArrayList<>();

    /** Records a bad value and goes on; {@link #validate} throws them all at its end. */
    private void problem(String message) {
        problems.add(message);
    }

    public static CommandLine commandLine(AgentFlags flags) {
        return new CommandLine(flags)
                .setUnmatchedOptionsArePositionalParams(false)
                .setCaseInsensitiveEnumValuesAllowed(false);
    }

    /** Parses and validates {@code args}. */
    public static AgentFlags parse(String[] args) throws FlagException {
        AgentFlags f = new AgentFlags();
        List<String> bad =
                FlagText.parse(commandLine(f), args, u -> VmagentFlags.unknownFlag(commandLine(new AgentFlags()), u));
        if (!bad.isEmpty()) {
            throw new FlagException(bad);
        }
        return f;
    }

    /** Checks every value; every bad one is reported (one line each) with its flag name. */
    public Config validate() throws FlagException {
        problems.clear();
        if (remoteWriteUrls.isEmpty() && !scrape.dryRun) {
            problem("-remoteWrite.url is required, e.g. -remoteWrite.url=http://127.0.0.1:8428/api/v1/write");
        }
        for (String u : remoteWriteUrls) {
            recorded(() -> FlagValues.httpUrl("-remoteWrite.url", u, Agent.redact(u)), null);
        }
        String url = remoteWriteUrls.isEmpty() ? null : remoteWriteUrls.get(0); // none only with -dryRun
        long maxDisk =
                recorded(() -> FlagValues.bytes("-remoteWrite.maxDiskUsagePerURL", buffer.maxDiskUsagePerUrl), 0L);
        Duration sync = recorded(() -> FlagValues.duration("-buffer.syncInterval", buffer.syncInterval), null);
        Duration flush =
                recorded(() -> FlagValues.nonZeroDuration("-remoteWrite.flushInterval", buffer.flushInterval), null);
        Duration send =
                recorded(() -> FlagValues.nonZeroDuration("-remoteWrite.sendTimeout", buffer.sendTimeout), null);
        if (buffer.maxRowsPerBlock <= 0) {
            problem("-remoteWrite.maxRowsPerBlock=" + buffer.maxRowsPerBlock + ": must be more than 0");
        }
        int block = recorded(() -> FlagValues.sizeUpTo1GB("-remoteWrite.maxBlockSize", buffer.maxBlockSize), 0);
        int scrapeMax = recorded(() -> FlagValues.sizeUpTo1GB("-promscrape.maxScrapeSize", maxScrapeSize), 0);
        Map<String, String> extra = new TreeMap<>();
        for (String l : labels) {
            int eq = l.indexOf('=');
            String name = eq < 0 ? l : l.substring(0, eq);
            if (eq <= 0 || !name.matches("[a-zA-Z_][a-zA-Z0-9_]*")) {
                problem("-remoteWrite.label=" + l
                        + ": expected name=value with a valid label name, e.g. -remoteWrite.label=robot=r17");
                continue;
            }
            extra.put(name, l.substring(eq + 1));
        }
        ListenAddress listen = recorded(listener.address::address, null);
        List<RemoteSpec> remotes = List.of();
        try {
            remotes = RemoteSpec.fromFlags(this);
        } catch (FlagException e) {
            problems.addAll(e.problems());
        }
        checkFiles();
        int insertMax = recorded(() -> FlagValues.sizeUpTo1GB("-maxInsertRequestSize", maxInsertRequestSize), 0);
        InputLimits inputLimits = inputLimitFlags.limits(problems);
        if (remoteWriteQueues != null && remoteWriteQueues < 1) {
            problem("-remoteWrite.queues=" + remoteWriteQueues + ": must be 1 or more");
        }
        Duration fileSdCheck = recorded(
                () -> FlagValues.nonZeroDuration("-promscrape.fileSDCheckInterval", scrape.fileSdCheckInterval), null);
        hostSettings = this.host.settings(problems);
        if (!problems.isEmpty()) {
            throw new FlagException(problems);
        }
        return new Config(
                scrape.promscrapeConfig,
                url,
                buffer.tmpDataPath,
                maxDisk,
                sync,
                flush,
                send,
                buffer.maxRowsPerBlock,
                block,
                remotes.isEmpty() ? null : remotes.get(0).bearerToken(),
                remotes.isEmpty() ? null : remotes.get(0).bearerTokenFile(),
                extra,
                listen.host(),
                listen.port(),
                scrapeMax,
                scrape.strictParse,
                scrape.suppressScrapeErrors,
                fileSdCheck,
                scrape.dryRun,
                scrape.disableKeepAlive,
                remotes,
                relabelConfig,
                insertMax,
                remoteWriteQueues,
                checked(http::limits),
                listener.security(),
                inputLimits);
    }

    /**
     * Every file a flag names must be a readable file now: a missing token or TLS file would
     * otherwise stop start-up with a Java stack trace instead of a line naming the flag.
     */
    private void checkFiles() {
        List<String> files = new ArrayList<>();
        String config = FlagText.unreadableFile("-promscrape.config", scrape.promscrapeConfig);
        if (config != null) {
            files.add(config);
        }
        String relabel = FlagText.unreadableFile("-remoteWrite.relabelConfig", relabelConfig);
        if (relabel != null) {
            files.add(relabel);
        }
        files.addAll(FlagText.unreadableFiles("-remoteWrite.urlRelabelConfig", perUrl.urlRelabelConfigs));
        files.addAll(FlagText.unreadableFiles("-remoteWrite.bearerTokenFile", perUrl.bearerTokenFiles));
        files.addAll(FlagText.unreadableFiles("-remoteWrite.basicAuth.passwordFile", perUrl.basicAuthPasswordFiles));
        files.addAll(FlagText.unreadableFiles("-remoteWrite.tlsCAFile", perUrl.tlsCaFiles));
        files.addAll(FlagText.unreadableFiles("-remoteWrite.tlsCertFile", perUrl.tlsCertFiles));
        files.addAll(FlagText.unreadableFiles("-remoteWrite.tlsKeyFile", perUrl.tlsKeyFiles));
        files.forEach(this::problem);
    }

    /** What {@code check} returns; its exception (whose message names the flag) as a {@link FlagException}. */
    static <T> T checked(Supplier<T> check) throws FlagException {
        try {
            return check.get();
        } catch (IllegalArgumentException e) {
            throw new FlagException(e.getMessage());
        }
    }

    /** What {@code check} returns, or {@code bad} after recording its exception's message (it names the flag). */
    private <T> T recorded(Supplier<T> check, T bad) {
        return FlagValues.recorded(problems, check, bad);
    }
}
