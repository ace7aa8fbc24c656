package dev.edgepush.agent;

import dev.edgepush.net.http.HttpLimitFlags;
import dev.edgepush.net.http.HttpServerLimits;
import dev.edgepush.net.tls.ServerTls;
import dev.edgepush.compat.ByteSize;
import dev.edgepush.compat.GoDuration;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import dev.edgepush.flags.FlagText;
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
    sortOptions = false)
public final class AgentFlags {
  @Option(names = {"-promscrape.config", "--promscrape.config"}, paramLabel = "FILE",
      description = "Prometheus-style scrape config (YAML): global, scrape_configs with static_configs.")
  Path promscrapeConfig;

  // --- scrape-side vmagent flags (issue 6) ---
  @Option(names = {"-promscrape.config.strictParse", "--promscrape.config.strictParse"}, arity = "0..1",
      fallbackValue = "true", paramLabel = "BOOL",
      description = "Reject unknown keys in -promscrape.config; false skips them with a warning (default: ${DEFAULT-VALUE}).")
  boolean strictParse = true;

  @Option(names = {"-promscrape.suppressScrapeErrors", "--promscrape.suppressScrapeErrors"}, arity = "0..1",
      fallbackValue = "true", paramLabel = "BOOL",
      description = "Do not log scrape errors of targets; they still show on /targets and as up 0.")
  boolean suppressScrapeErrors;

  @Option(names = {"-promscrape.disableKeepAlive", "--promscrape.disableKeepAlive"}, arity = "0..1",
      fallbackValue = "true", paramLabel = "BOOL",
      description = "Open a new connection for every scrape (Connection: close) instead of keeping one"
          + " keep-alive connection per target.")
  boolean disableKeepAlive;

  @Option(names = {"-promscrape.fileSDCheckInterval", "--promscrape.fileSDCheckInterval"}, paramLabel = "DURATION",
      description = "How often file_sd_configs files are checked for changes (default: ${DEFAULT-VALUE}).")
  String fileSdCheckInterval = "5m";

  @Option(names = {"-dryRun", "--dryRun", "-promscrape.config.dryRun", "--promscrape.config.dryRun"}, arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
      description = "Check the flags, -promscrape.config and its file_sd files, then exit: 0 if valid,"
          + " 1 with every error (file:line) otherwise. -remoteWrite.url is not required.")
  boolean dryRun;
  // --- end scrape-side flags ---

  @Option(names = {"-remoteWrite.url", "--remoteWrite.url"}, paramLabel = "URL",
      description = "Remote-write endpoint, e.g. https://ingest.example.com/api/v1/write (required).")
  List<String> remoteWriteUrls = new ArrayList<>();

  @Option(names = {"-remoteWrite.tmpDataPath", "--remoteWrite.tmpDataPath"}, paramLabel = "DIR",
      description = "Directory of the disk buffer (default: ${DEFAULT-VALUE}).")
  Path tmpDataPath = Path.of("vmagent-remotewrite-data");

  @Option(names = {"-remoteWrite.maxDiskUsagePerURL", "--remoteWrite.maxDiskUsagePerURL"}, paramLabel = "BYTES",
      description = "Disk cap of the buffer, e.g. 50MB or 1GiB; 0 = no cap (default: ${DEFAULT-VALUE}). Past it the oldest data goes first and is counted.")
  String maxDiskUsagePerUrl = "0";

  @Option(names = {"-buffer.syncInterval", "--buffer.syncInterval"}, paramLabel = "DURATION",
      description = "How often the disk buffer is forced to the device (fsync of the queue file written"
          + " to, its metadata and directory; ack.pos is fsynced on every write). Power loss loses at"
          + " most about this much of the newest scrapes; kill -9 loses nothing either way. 0 = fsync"
          + " after every scrape before it counts as buffered (safest, one fsync per scrape)"
          + " (default: ${DEFAULT-VALUE}).")
  String syncInterval = "1s";

  @Option(names = {"-remoteWrite.flushInterval", "--remoteWrite.flushInterval"}, paramLabel = "DURATION",
      description = "Longest a batch waits before it is sent (default: ${DEFAULT-VALUE}).")
  String flushInterval = "1s";

  @Option(names = {"-remoteWrite.sendTimeout", "--remoteWrite.sendTimeout"}, paramLabel = "DURATION",
      description = "Timeout of one remote-write request (default: ${DEFAULT-VALUE}).")
  String sendTimeout = "1m";

  @Option(names = {"-remoteWrite.maxRowsPerBlock", "--remoteWrite.maxRowsPerBlock"}, paramLabel = "N",
      description = "Most samples in one request (default: ${DEFAULT-VALUE}).")
  int maxRowsPerBlock = 10_000;

  @Option(names = {"-remoteWrite.maxBlockSize", "--remoteWrite.maxBlockSize"}, paramLabel = "BYTES",
      description = "Most uncompressed bytes in one request (default: ${DEFAULT-VALUE}).")
  String maxBlockSize = "8MB";

  @Option(names = {"-remoteWrite.bearerToken", "--remoteWrite.bearerToken"}, paramLabel = "TOKEN",
      description = "Bearer token per -remoteWrite.url (prefer -remoteWrite.bearerTokenFile: a flag shows in ps).")
  List<String> bearerTokens = new ArrayList<>();

  @Option(names = {"-remoteWrite.bearerTokenFile", "--remoteWrite.bearerTokenFile"}, paramLabel = "FILE",
      description = "File holding the bearer token for the remote.")
  List<String> bearerTokenFiles = new ArrayList<>();

  // --- remote-write compatibility (issue 6, remote side): per-URL flags, TLS, rate, relabel, push ---
  // Per-URL flags: the Nth value applies to the Nth -remoteWrite.url; a single value applies to
  // every URL (vmagent's GetOptionalArg); fewer values leave the rest unset. See RemoteSpec.

  @Option(names = {"-remoteWrite.basicAuth.username", "--remoteWrite.basicAuth.username"}, paramLabel = "USER",
      description = "Basic auth user per -remoteWrite.url (repeatable like the URL).")
  List<String> basicAuthUsernames = new ArrayList<>();

  @Option(names = {"-remoteWrite.basicAuth.password", "--remoteWrite.basicAuth.password"}, paramLabel = "PASSWORD",
      description = "Basic auth password per -remoteWrite.url (prefer .passwordFile: a flag shows in ps).")
  List<String> basicAuthPasswords = new ArrayList<>();

  @Option(names = {"-remoteWrite.basicAuth.passwordFile", "--remoteWrite.basicAuth.passwordFile"}, paramLabel = "FILE",
      description = "File holding the basic auth password per -remoteWrite.url.")
  List<String> basicAuthPasswordFiles = new ArrayList<>();

  @Option(names = {"-remoteWrite.tlsCAFile", "--remoteWrite.tlsCAFile"}, paramLabel = "FILE",
      description = "PEM file of the CA certificates that verify the remote, per -remoteWrite.url (default: the JDK's).")
  List<String> tlsCaFiles = new ArrayList<>();

  @Option(names = {"-remoteWrite.tlsCertFile", "--remoteWrite.tlsCertFile"}, paramLabel = "FILE",
      description = "PEM client certificate (chain) per -remoteWrite.url, with -remoteWrite.tlsKeyFile.")
  List<String> tlsCertFiles = new ArrayList<>();

  @Option(names = {"-remoteWrite.tlsKeyFile", "--remoteWrite.tlsKeyFile"}, paramLabel = "FILE",
      description = "PEM client key per -remoteWrite.url: unencrypted PKCS#8 (BEGIN PRIVATE KEY), RSA, EC or Ed25519.")
  List<String> tlsKeyFiles = new ArrayList<>();

  @Option(names = {"-remoteWrite.tlsInsecureSkipVerify", "--remoteWrite.tlsInsecureSkipVerify"}, paramLabel = "BOOL",
      arity = "0..1", fallbackValue = "true",
      description = "Do not verify the remote's certificate, per -remoteWrite.url (testing only).")
  List<String> tlsInsecureSkipVerify = new ArrayList<>();

  @Option(names = {"-remoteWrite.tlsServerName", "--remoteWrite.tlsServerName"}, paramLabel = "NAME",
      description = "Server name sent (SNI) and verified in the remote's certificate, per -remoteWrite.url.")
  List<String> tlsServerNames = new ArrayList<>();

  @Option(names = {"-remoteWrite.rateLimit", "--remoteWrite.rateLimit"}, paramLabel = "BYTES",
      description = "Most compressed bytes per second sent to each -remoteWrite.url; 0 = no limit.")
  List<String> rateLimits = new ArrayList<>();

  /** What a URL without -remoteWrite.protocol is sent. */
  static final dev.edgepush.forward.send.RemoteWriteProtocol DEFAULT_PROTOCOL =
      dev.edgepush.forward.send.RemoteWriteProtocol.V1;

  @Option(names = {"-remoteWrite.protocol", "--remoteWrite.protocol"}, paramLabel = "auto|1.0|2.0",
      description = "Remote-write protocol per -remoteWrite.url (repeatable like the URL): 1.0 sends the"
          + " buffered 1.0 requests as they are; 2.0 re-encodes each batch as remote write 2.0 (fewer bytes:"
          + " strings once per batch, a series once with all its samples); auto sends 2.0 and, when the"
          + " receiver's answer shows it does not take 2.0 (415, a 2xx without"
          + " X-Prometheus-Remote-Write-Samples-Written, or a refusal that 1.0 then passes), sends that same"
          + " batch again as 1.0 and keeps 1.0 for the URL, trying 2.0 again hourly. Default 1.0: what every"
          + " receiver (and vmagent's command lines) got before, with nothing left to a receiver's answer to an"
          + " unknown body; choose auto or 2.0 for central-ingest. Not a vmagent flag (vmagent has no"
          + " remote write 2.0).")
  List<String> protocols = new ArrayList<>();

  @Option(names = {"-remoteWrite.compression", "--remoteWrite.compression"}, paramLabel = "auto|snappy|zstd",
      description = "Request compression per -remoteWrite.url (repeatable like the URL): auto (default) sends Snappy"
          + " until the remote's answer to a stored push lists zstd in X-Edgepush-Accept-Encoding (central-ingest"
          + " does; Prometheus, VictoriaMetrics and vmagent do not, so they only ever get Snappy), then zstd; a zstd"
          + " request refused with 415 (or refused where Snappy then passes) is sent again as Snappy and the URL"
          + " keeps Snappy for an hour. snappy: Snappy only. zstd: zstd whatever the answers. Where zstd-jni's"
          + " native library does not load, Snappy (one log line). Not a vmagent flag.")
  List<String> compressions = new ArrayList<>();

  @Option(names = {"-remoteWrite.queues", "--remoteWrite.queues"}, paramLabel = "N",
      description = "Accepted for vmagent compatibility; edge-agent always sends over one lane per URL"
          + " (per-series timestamp order on the wire).")
  Integer remoteWriteQueues;

  @Option(names = {"-remoteWrite.relabelConfig", "--remoteWrite.relabelConfig"}, paramLabel = "FILE",
      description = "Relabel configs (YAML list) applied to every sample, scraped or pushed, before it is buffered.")
  Path relabelConfig;

  @Option(names = {"-remoteWrite.urlRelabelConfig", "--remoteWrite.urlRelabelConfig"}, paramLabel = "FILE",
      description = "Relabel configs per -remoteWrite.url, applied after -remoteWrite.relabelConfig, for that URL only.")
  List<String> urlRelabelConfigs = new ArrayList<>();

  @Option(names = {"-maxInsertRequestSize", "--maxInsertRequestSize"}, paramLabel = "BYTES",
      description = "Largest body of a local push (/api/v1/write, /api/v1/import/prometheus); larger gets 413"
          + " (default: ${DEFAULT-VALUE}).")
  String maxInsertRequestSize = "32MB";

  // --- end of remote-write compatibility options ---

  @Option(names = {"-remoteWrite.label", "--remoteWrite.label"}, paramLabel = "NAME=VALUE",
      description = "Label added to every sample sent (repeatable); overrides a scraped label of the same name.")
  List<String> labels = new ArrayList<>();

  @Option(names = {"-httpListenAddr", "--httpListenAddr"}, paramLabel = "HOST:PORT",
      description = "Address of /metrics, /health and /targets (default: ${DEFAULT-VALUE}).")
  String httpListenAddr = ":8429";

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
  @Option(names = {"-httpAuth.username", "--httpAuth.username"}, paramLabel = "USER",
      description = "Basic auth user name for every path of -httpListenAddr but /health; empty: no auth.")
  String httpAuthUsername;

  @Option(names = {"-httpAuth.password", "--httpAuth.password"}, paramLabel = "PASSWORD",
      description = "Basic auth password, with -httpAuth.username.")
  String httpAuthPassword;

  @Option(names = {"-tls", "--tls"}, arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
      description = "Serve -httpListenAddr over https; needs -tlsCertFile and -tlsKeyFile.")
  boolean tls;

  @Option(names = {"-tlsCertFile", "--tlsCertFile"}, paramLabel = "FILE",
      description = "PEM certificate chain of the listener with -tls; re-read when it changes.")
  Path tlsCertFile;

  @Option(names = {"-tlsKeyFile", "--tlsKeyFile"}, paramLabel = "FILE",
      description = "PEM key (unencrypted PKCS#8) of -tlsCertFile; re-read when it changes.")
  Path tlsKeyFile;

  @Option(names = {"-tlsMinVersion", "--tlsMinVersion"}, paramLabel = "VERSION",
      description = "Oldest TLS version the listener takes with -tls: TLS12 or TLS13 (default: ${DEFAULT-VALUE}).")
  String tlsMinVersion = "TLS12";

  @Option(names = {"-promscrape.maxScrapeSize", "--promscrape.maxScrapeSize"}, paramLabel = "BYTES",
      description = "Largest decompressed /metrics body accepted (default: ${DEFAULT-VALUE}).")
  String maxScrapeSize = "16MB";

  // --- input limits and streaming (issue 11): no scrape or push can exhaust the heap ---
  @Option(names = {"-promscrape.streamParse", "--promscrape.streamParse"}, arity = "0..1", fallbackValue = "true",
      paramLabel = "BOOL",
      description = "Scrape every target in streaming mode: the body parsed and buffered in pieces as it arrives,"
          + " no per-series cache (no staleness markers for scraped series).")
  boolean streamParse;

  @Option(names = {"-promscrape.minResponseSizeForStreamParse", "--promscrape.minResponseSizeForStreamParse"},
      paramLabel = "BYTES",
      description = "A scrape whose body passes this size switches to streaming mode (default: ${DEFAULT-VALUE}).")
  String minResponseSizeForStreamParse = "1MB";

  @Option(names = {"-maxLabelsPerTimeseries", "--maxLabelsPerTimeseries"}, paramLabel = "N",
      description = "Most labels (the metric name included) of a scraped or pushed series; a series with more fails"
          + " its scrape or gets its push a 400; 0 = no limit (default: ${DEFAULT-VALUE}).")
  int maxLabelsPerTimeseries = 40;

  @Option(names = {"-maxLabelNameLen", "--maxLabelNameLen"}, paramLabel = "N",
      description = "Longest label name of a scraped or pushed series; 0 = no limit (default: ${DEFAULT-VALUE}).")
  int maxLabelNameLen = 256;

  @Option(names = {"-maxLabelValueLen", "--maxLabelValueLen"}, paramLabel = "N",
      description = "Longest label value (characters) of a scraped or pushed series; 0 = no limit"
          + " (default: ${DEFAULT-VALUE}).")
  int maxLabelValueLen = 4096;
  // --- end of input limits ---

  @Option(names = {"-version", "--version"}, description = "Print the version and exit.")
  boolean version;

  @Option(names = {"-help", "--help", "-h"}, usageHelp = true, description = "Show this help and exit.")
  boolean help;

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
   * -promscrape.streamParse, -promscrape.minResponseSizeForStreamParse (bytes), -maxLabelsPerTimeseries,
   * -maxLabelNameLen and -maxLabelValueLen (0 = no limit).
   */
  public record InputLimits(boolean streamParse, long minStreamParseBytes, int maxLabels, int maxLabelNameBytes,
      int maxLabelValueChars) {
    /** No limits, nothing streamed: what tests that build a Config by hand get. */
    public static final InputLimits NONE = new InputLimits(false, 0, 0, 0, 0);
  }

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
    return new CommandLine(flags).setUnmatchedOptionsArePositionalParams(false).setCaseInsensitiveEnumValuesAllowed(false);
  }

  /** Parses and validates {@code args}. */
  public static AgentFlags parse(String[] args) throws FlagException {
    AgentFlags f = new AgentFlags();
    try {
      commandLine(f).parseArgs(args);
    } catch (CommandLine.UnmatchedArgumentException e) {
      List<String> unknown = new ArrayList<>();
      for (String unmatched : e.getUnmatched()) {
        unknown.add(VmagentFlags.unknownFlag(commandLine(new AgentFlags()), unmatched));
      }
      throw new FlagException(unknown);
    } catch (CommandLine.ParameterException e) {
      throw new FlagException(e.getMessage());
    }
    return f;
  }

  /** Checks every value; every bad one is reported (one line each) with its flag name. */
  public Config validate() throws FlagException {
    problems.clear();
    if (remoteWriteUrls.isEmpty() && !dryRun) {
      problem("-remoteWrite.url is required, e.g. -remoteWrite.url=http://127.0.0.1:8428/api/v1/write");
    }
    for (String u : remoteWriteUrls) {
      String bad = checkUrl(u);
      if (bad != null) {
        problem(bad);
      }
    }
    String url = remoteWriteUrls.isEmpty() ? null : remoteWriteUrls.get(0); // none only with -dryRun
    long maxDisk = bytes("-remoteWrite.maxDiskUsagePerURL", maxDiskUsagePerUrl);
    Duration sync = duration("-buffer.syncInterval", syncInterval);
    Duration flush = duration("-remoteWrite.flushInterval", flushInterval);
    if (flush != null && flush.isZero()) {
      problem("-remoteWrite.flushInterval=" + flushInterval + ": must be more than 0");
    }
    Duration send = duration("-remoteWrite.sendTimeout", sendTimeout);
    if (send != null && send.isZero()) {
      problem("-remoteWrite.sendTimeout=" + sendTimeout + ": must be more than 0");
    }
    if (maxRowsPerBlock <= 0) {
      problem("-remoteWrite.maxRowsPerBlock=" + maxRowsPerBlock + ": must be more than 0");
    }
    long block = bytes("-remoteWrite.maxBlockSize", maxBlockSize);
    if (block != BAD && (block <= 0 || block > Integer.MAX_VALUE / 2)) {
      problem("-remoteWrite.maxBlockSize=" + maxBlockSize + ": must be between 1 and 1GB");
    }
    long scrapeMax = bytes("-promscrape.maxScrapeSize", maxScrapeSize);
    if (scrapeMax != BAD && (scrapeMax <= 0 || scrapeMax > Integer.MAX_VALUE / 2)) {
      problem("-promscrape.maxScrapeSize=" + maxScrapeSize + ": must be between 1 and 1GB");
    }
    Map<String, String> extra = new TreeMap<>();
    for (String l : labels) {
      int eq = l.indexOf('=');
      String name = eq < 0 ? l : l.substring(0, eq);
      if (eq <= 0 || !name.matches("[a-zA-Z_][a-zA-Z0-9_]*")) {
        problem("-remoteWrite.label=" + l + ": expected name=value with a valid label name, e.g. -remoteWrite.label=robot=r17");
        continue;
      }
      extra.put(name, l.substring(eq + 1));
    }
    int colon = httpListenAddr.lastIndexOf(':');
    int port = 0;
    try {
      port = Integer.parseInt(httpListenAddr.substring(colon + 1));
      if (colon < 0 || port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      problem("-httpListenAddr=" + httpListenAddr + ": expected host:port or :port, e.g. :8429 or 127.0.0.1:8429");
    }
    String host = httpListenAddr.substring(0, Math.max(colon, 0));
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    List<RemoteSpec> remotes = List.of();
    try {
      remotes = RemoteSpec.fromFlags(this);
    } catch (FlagException e) {
      problems.addAll(e.problems());
    }
    checkFiles();
    long insertMax = bytes("-maxInsertRequestSize", maxInsertRequestSize);
    if (insertMax != BAD && (insertMax <= 0 || insertMax > Integer.MAX_VALUE / 2)) {
      problem("-maxInsertRequestSize=" + maxInsertRequestSize + ": must be between 1 and 1GB");
    }
    long minStream = bytes("-promscrape.minResponseSizeForStreamParse", minResponseSizeForStreamParse);
    for (var e : Map.of("-maxLabelsPerTimeseries", maxLabelsPerTimeseries, "-maxLabelNameLen", maxLabelNameLen,
        "-maxLabelValueLen", maxLabelValueLen).entrySet()) {
      if (e.getValue() < 0) {
        throw new FlagException(e.getKey() + "=" + e.getValue() + ": must be 0 (no limit) or more");
      }
    }
    InputLimits inputLimits = new InputLimits(streamParse, minStream, maxLabelsPerTimeseries, maxLabelNameLen,
        maxLabelValueLen);
    if (remoteWriteQueues != null && remoteWriteQueues < 1) {
      problem("-remoteWrite.queues=" + remoteWriteQueues + ": must be 1 or more");
    }
    Duration fileSdCheck = fileSdCheck();
    hostSettings = this.host.settings(problems);
    if (!problems.isEmpty()) {
      throw new FlagException(problems);
    }
    return new Config(promscrapeConfig, url, tmpDataPath, maxDisk, sync, flush, send, maxRowsPerBlock,
        (int) block, remotes.isEmpty() ? null : remotes.get(0).bearerToken(),
        remotes.isEmpty() ? null : remotes.get(0).bearerTokenFile(), extra, host.isEmpty() ? "0.0.0.0" : host, port,
        (int) scrapeMax, strictParse, suppressScrapeErrors, fileSdCheck, dryRun,
        disableKeepAlive, remotes, relabelConfig, (int) insertMax, remoteWriteQueues, httpLimits(),
        listenerSecurity(), inputLimits);
  }

  private ListenerSecurity listenerSecurity() throws FlagException {
    if ((httpAuthUsername == null || httpAuthUsername.isEmpty()) && httpAuthPassword != null) {
      throw new FlagException("-httpAuth.password is set but -httpAuth.username is empty: set both, or neither");
    }
    try {
      return new ListenerSecurity(httpAuthUsername, httpAuthPassword,
          ServerTls.Settings.fromFlags(tls, tlsCertFile, tlsKeyFile, tlsMinVersion, false, null));
    } catch (IllegalArgumentException e) {
      throw new FlagException(e.getMessage());
    }
  }

  private HttpServerLimits httpLimits() throws FlagException {
    try {
      return http.limits();
    } catch (IllegalArgumentException e) {
      throw new FlagException(e.getMessage());
    }
  }

  private Duration fileSdCheck() {
    Duration d = duration("-promscrape.fileSDCheckInterval", fileSdCheckInterval);
    if (d != null && d.isZero()) {
      problem("-promscrape.fileSDCheckInterval=" + fileSdCheckInterval + ": must be more than 0");
    }
    return d;
  }

  /**
   * Every file a flag names must be a readable file now: a missing token or TLS file would
   * otherwise stop start-up with a Java stack trace instead of a line naming the flag.
   */
  private void checkFiles() {
    List<String> files = new ArrayList<>();
    String scrape = FlagText.unreadableFile("-promscrape.config", promscrapeConfig);
    if (scrape != null) {
      files.add(scrape);
    }
    String relabel = FlagText.unreadableFile("-remoteWrite.relabelConfig", relabelConfig);
    if (relabel != null) {
      files.add(relabel);
    }
    files.addAll(FlagText.unreadableFiles("-remoteWrite.urlRelabelConfig", urlRelabelConfigs));
    files.addAll(FlagText.unreadableFiles("-remoteWrite.bearerTokenFile", bearerTokenFiles));
    files.addAll(FlagText.unreadableFiles("-remoteWrite.basicAuth.passwordFile", basicAuthPasswordFiles));
    files.addAll(FlagText.unreadableFiles("-remoteWrite.tlsCAFile", tlsCaFiles));
    files.addAll(FlagText.unreadableFiles("-remoteWrite.tlsCertFile", tlsCertFiles));
    files.addAll(FlagText.unreadableFiles("-remoteWrite.tlsKeyFile", tlsKeyFiles));
    files.forEach(this::problem);
  }

  /** The problem with {@code url}, or null when it is an http(s) URL. */
  private static String checkUrl(String url) {
    try {
      java.net.URI u = java.net.URI.create(url);
      if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
        throw new IllegalArgumentException("not an http(s) URL");
      }
      return null;
    } catch (IllegalArgumentException e) {
      return "-remoteWrite.url=" + Agent.redact(url) + ": not an http(s) URL, e.g. http://127.0.0.1:8428/api/v1/write";
    }
  }

  static long bytesFlag(String flag, String value) throws FlagException {
    try {
      return ByteSize.parse(value);
    } catch (IllegalArgumentException e) {
      throw new FlagException(flag + "=" + value + ": " + e.getMessage());
    }
  }

  /** What {@link #bytes} returns for a value that is no size (its problem is recorded). */
  private static final long BAD = Long.MIN_VALUE;

  /** The size {@code value} means, or {@link #BAD} after recording why it is not one. */
  private long bytes(String flag, String value) {
    try {
      return ByteSize.parse(value);
    } catch (IllegalArgumentException e) {
      problem(flag + "=" + value + ": " + e.getMessage());
      return BAD;
    }
  }

  /** The duration {@code value} means, or null after recording why it is not one. */
  private Duration duration(String flag, String value) {
    try {
      return GoDuration.parse(value);
    } catch (IllegalArgumentException e) {
      problem(flag + "=" + value + ": " + e.getMessage());
      return null;
    }
  }
}
