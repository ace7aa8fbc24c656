package dev.edgepush.compat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;

/**
 * Reads a Prometheus scrape config file (vmagent's {@code -promscrape.config}) into a
 * {@link ScrapeConfig}.
 *
 * <p>Supported, and nothing else yet:
 * <ul>
 *   <li>top level: {@code global}, {@code scrape_configs};</li>
 *   <li>{@code global}: {@code scrape_interval} (default 1m), {@code scrape_timeout} (default 10s),
 *       {@code external_labels}; {@code evaluation_interval} is checked to be a duration and ignored;</li>
 *   <li>each {@code scrape_configs} entry: {@code job_name} (required, unique), {@code scrape_interval}
 *       and {@code scrape_timeout} (default: the global values), {@code metrics_path} (default
 *       {@code /metrics}), {@code scheme} ({@code http} (default) or {@code https}), {@code honor_labels}
 *       (default false), {@code honor_timestamps} (default true), {@code static_configs},
 *       {@code relabel_configs} and {@code metric_relabel_configs} (see {@link RelabelConfigReader} and
 *       {@link Relabeler});</li>
 *   <li>each {@code static_configs} entry: {@code targets} (a list of {@code host:port}; IPv6 in
 *       brackets, {@code [::1]:9100}; a target without a port gets 80 for http or 443 for https, as in
 *       Prometheus) and {@code labels};</li>
 *   <li>per job also {@code file_sd_configs} ({@code files} only: vmagent rejects {@code refresh_interval}
 *       and so does this reader; the files are read by {@link FileSdReader}), {@code params},
 *       {@code basic_auth} ({@code username}, {@code password}, {@code password_file}), {@code bearer_token},
 *       {@code bearer_token_file}, {@code tls_config} ({@code ca_file}, {@code cert_file}, {@code key_file},
 *       {@code insecure_skip_verify}, {@code server_name}), {@code sample_limit} and {@code label_limit}
 *       (Prometheus' key; vmagent rejects it). Relative file paths are relative to the config file's
 *       directory, as in vmagent and Prometheus.</li>
 * </ul>
 *
 * <p>Rules:
 * <ul>
 *   <li>Durations are parsed by {@link GoDuration}. A zero or absent interval or timeout means "use the
 *       default", as in vmagent.</li>
 *   <li>If a job's timeout is longer than its interval, the interval is used as the timeout. This is what
 *       vmagent does (so the scraper misses at most one scrape when a target is slow); Prometheus would
 *       reject the file instead.</li>
 *   <li>Label names in {@code labels} and {@code external_labels} must match
 *       {@code [a-zA-Z_][a-zA-Z0-9_]*}.</li>
 *   <li>Parsing is strict like vmagent's: a key that Prometheus or vmagent define but edge-agent does not
 *       support yet ({@code oauth2}, {@code authorization}, {@code proxy_url}, any other
 *       {@code *_sd_configs}, {@code remote_write}, ...) is reported as "not supported by edge-agent yet";
 *       any other key is an "unknown field", with a suggestion when it looks like a typo. Duplicate keys
 *       are errors. YAML anchors, aliases and merge keys ({@code <<}) work.</li>
 *   <li>An empty file, or one without {@code scrape_configs}, is valid and has no jobs.</li>
 * </ul>
 * Every error is a {@link ScrapeConfigException} whose message starts with {@code <source>:<line>:} and
 * the path of the offending node, e.g.
 * {@code scrape.yml:12: scrape_configs[1].static_configs[0].targets[2]: 'foo:bar:baz' is not host:port}.
 */
public final class ScrapeConfigReader {

    private final YamlNodes yaml;
    /** job_name to the line it was first defined on. */
    private final Map<String, Integer> jobLines = new HashMap<>();
    /** Relative file paths in the config (file_sd, secrets, TLS) are relative to this, as in vmagent. */
    private final Path baseDir;

    private final boolean strictParse;
    private final Consumer<String> warnings;
    /**
     * Every problem found so far. Reading goes on past a bad key, job, target or relabel config, so that
     * one run (above all {@code -dryRun}) reports every mistake of the file, not only the first.
     */
    private final List<ScrapeConfigException> problems = new ArrayList<>();

    /** A part of the file that may be invalid. */
    @FunctionalInterface
    private interface Part<T> {
        T read() throws ScrapeConfigException;
    }

    private ScrapeConfigReader(String sourceName, Path baseDir, boolean strictParse, Consumer<String> warnings) {
        this.yaml = new YamlNodes(sourceName);
        this.baseDir = baseDir;
        this.strictParse = strictParse;
        this.warnings = warnings;
    }

    /** Reads and checks {@code file} (UTF-8) strictly; errors name the file as given. */
    public static ScrapeConfig read(Path file) throws ScrapeConfigException, IOException {
        return read(file, true, w -> {});
    }

    /**
     * Reads and checks {@code file} (UTF-8); errors name the file as given.
     *
     * @param strictParse vmagent's {@code -promscrape.config.strictParse}: false skips unknown keys (typos,
     *     keys of newer versions) and reports each to {@code warnings} with its line; keys edge-agent knows
     *     but does not support yet stay errors, since skipping them would scrape differently than vmagent
     */
    public static ScrapeConfig read(Path file, boolean strictParse, Consumer<String> warnings)
            throws ScrapeConfigException, IOException {
        return new ScrapeConfigReader(file.toString(), baseDir(file), strictParse, warnings)
                .parseDocument(Files.readString(file, StandardCharsets.UTF_8));
    }

    /**
     * The directory relative paths in {@code configFile} are resolved against: its directory, absolute if the
     * file name is, else relative to the working directory (empty for a file in it), as vmagent's
     * {@code filepath.Dir}.
     */
    public static Path baseDir(Path configFile) {
        Path dir = configFile.toAbsolutePath().normalize().getParent();
        return configFile.isAbsolute() ? dir : Path.of("").toAbsolutePath().relativize(dir);
    }

    /**
     * Parses and checks {@code yaml}.
     *
     * @param sourceName the name used in error messages, usually the file name
     */
    public static ScrapeConfig parse(String yaml, String sourceName) throws ScrapeConfigException {
        Objects.requireNonNull(yaml, "yaml");
        Objects.requireNonNull(sourceName, "sourceName");
        return new ScrapeConfigReader(sourceName, Path.of(""), true, w -> {}).parseDocument(yaml);
    }

    private ScrapeConfig parseDocument(String text) throws ScrapeConfigException {
        Node root = yaml.compose(text);
        MappingNode top = yaml.mapping(root, "");
        if (top == null) {
            return new ScrapeConfig(GlobalConfig.defaults(), List.of());
        }
        Map<String, NodeTuple> entries = yaml.entries(top, "");
        checkKeys(entries, "", ConfigKeys.TOP, ConfigKeys.TOP_LATER, false);
        GlobalConfig global = attempt(() -> parseGlobal(value(entries, "global")), GlobalConfig.defaults());
        List<ScrapeJob> jobs = new ArrayList<>();
        List<Node> items = attempt(() -> yaml.sequence(value(entries, "scrape_configs"), "scrape_configs"), List.of());
        for (int i = 0; i < items.size(); i++) {
            int n = i;
            ScrapeJob job = attempt(() -> parseJob(items.get(n), "scrape_configs[" + n + "]", global), null);
            if (job != null) {
                jobs.add(job);
            }
        }
        if (!problems.isEmpty()) {
            List<ScrapeConfigException> inOrder = new ArrayList<>(problems);
            inOrder.sort(java.util.Comparator.comparingInt(ScrapeConfigException::line)); // stable: file order
            throw ScrapeConfigException.of(inOrder);
        }
        return new ScrapeConfig(global, jobs);
    }

    /** {@code part}, or {@code fallback} after recording its problem (the reader then goes on). */
    private <T> T attempt(Part<T> part, T fallback) {
        try {
            return part.read();
        } catch (ScrapeConfigException e) {
            problems.add(e);
            return fallback;
        }
    }

    private GlobalConfig parseGlobal(Node node) throws ScrapeConfigException {
        MappingNode mapping = yaml.mapping(node, "global");
        if (mapping == null) {
            return GlobalConfig.defaults();
        }
        Map<String, NodeTuple> entries = yaml.entries(mapping, "global");
        checkKeys(entries, "global", ConfigKeys.GLOBAL, ConfigKeys.GLOBAL_LATER, false);
        Duration interval = orDefault(
                yaml.duration(value(entries, "scrape_interval"), "global.scrape_interval"),
                GlobalConfig.DEFAULT_SCRAPE_INTERVAL);
        Duration timeout = orDefault(
                yaml.duration(value(entries, "scrape_timeout"), "global.scrape_timeout"),
                GlobalConfig.DEFAULT_SCRAPE_TIMEOUT);
        yaml.duration(value(entries, "evaluation_interval"), "global.evaluation_interval");
        SortedMap<String, String> external = yaml.labels(value(entries, "external_labels"), "global.external_labels");
        return new GlobalConfig(interval, timeout, external);
    }

    private ScrapeJob parseJob(Node node, String path, GlobalConfig global) throws ScrapeConfigException {
        if (YamlNodes.isNull(node) || !(node instanceof MappingNode)) {
            throw yaml.typeError(node, path, "a mapping");
        }
        Map<String, NodeTuple> entries = yaml.entries((MappingNode) node, path);
        checkKeys(entries, path, ConfigKeys.JOB, ConfigKeys.JOB_LATER, true);

        Node nameNode = value(entries, "job_name");
        String name = yaml.string(nameNode, path + ".job_name");
        if (name == null) {
            throw yaml.error(nameNode != null ? nameNode : node, path, "job_name is required");
        }
        if (name.isBlank()) {
            throw yaml.error(nameNode, path + ".job_name", "job_name must not be empty");
        }
        int line = nameNode.getStartMark().getLine() + 1;
        Integer first = jobLines.putIfAbsent(name, line);
        if (first != null) {
            throw yaml.error(
                    nameNode,
                    path + ".job_name",
                    "duplicate job_name '" + name + "' (lines " + first + " and " + line + ")");
        }

        Duration interval = orDefault(
                attempt(() -> yaml.duration(value(entries, "scrape_interval"), path + ".scrape_interval"), null),
                global.scrapeInterval());
        Duration timeout = orDefault(
                attempt(() -> yaml.duration(value(entries, "scrape_timeout"), path + ".scrape_timeout"), null),
                global.scrapeTimeout());
        if (timeout.compareTo(interval) > 0) {
            timeout = interval; // vmagent: limit scrape_timeout to scrape_interval
        }

        Node schemeNode = value(entries, "scheme");
        String scheme = attempt(
                () -> {
                    String s = yaml.string(schemeNode, path + ".scheme");
                    if (s != null && !s.equals("http") && !s.equals("https")) {
                        throw yaml.error(schemeNode, path + ".scheme", "'" + s + "' is not http or https");
                    }
                    return s == null ? "http" : s;
                },
                "http");

        String metricsPath = attempt(() -> yaml.string(value(entries, "metrics_path"), path + ".metrics_path"), null);
        if (metricsPath == null || metricsPath.isEmpty()) {
            metricsPath = ScrapeJob.DEFAULT_METRICS_PATH;
        } else if (!metricsPath.startsWith("/")) {
            metricsPath = "/" + metricsPath; // Prometheus' URL building adds the slash too
        }

        boolean honorLabels =
                attempt(() -> yaml.bool(value(entries, "honor_labels"), path + ".honor_labels", false), false);
        boolean honorTimestamps =
                attempt(() -> yaml.bool(value(entries, "honor_timestamps"), path + ".honor_timestamps", true), true);

        List<StaticTarget> targets = new ArrayList<>();
        String staticPath = path + ".static_configs";
        List<Node> statics = attempt(() -> yaml.sequence(value(entries, "static_configs"), staticPath), List.of());
        for (int i = 0; i < statics.size(); i++) {
            int n = i;
            String s = scheme;
            attempt(
                    () -> {
                        parseStatic(statics.get(n), staticPath + "[" + n + "]", s, targets);
                        return null;
                    },
                    null);
        }
        Relabeler relabel = RelabelConfigReader.parseList(
                yaml, value(entries, "relabel_configs"), path + ".relabel_configs", problems);
        Relabeler metricRelabel = RelabelConfigReader.parseList(
                yaml, value(entries, "metric_relabel_configs"), path + ".metric_relabel_configs", problems);
        List<Path> fileSd = new ArrayList<>();
        String fileSdPath = path + ".file_sd_configs";
        List<Node> fileSds = attempt(() -> yaml.sequence(value(entries, "file_sd_configs"), fileSdPath), List.of());
        for (int i = 0; i < fileSds.size(); i++) {
            int n = i;
            attempt(
                    () -> {
                        parseFileSd(fileSds.get(n), fileSdPath + "[" + n + "]", fileSd);
                        return null;
                    },
                    null);
        }
        SortedMap<String, List<String>> params =
                attempt(() -> parseParams(value(entries, "params"), path + ".params"), new TreeMap<>());
        ScrapeAuth auth = attempt(() -> parseAuth(entries, path), new ScrapeAuth(null, null, null, null, null));
        TlsConfig tls = attempt(() -> parseTls(value(entries, "tls_config"), path + ".tls_config"), TlsConfig.DEFAULT);
        int sampleLimit = attempt(() -> limit(value(entries, "sample_limit"), path + ".sample_limit"), 0);
        int labelLimit = attempt(() -> limit(value(entries, "label_limit"), path + ".label_limit"), 0);
        boolean streamParse =
                attempt(() -> yaml.bool(value(entries, "stream_parse"), path + ".stream_parse", false), false);
        return new ScrapeJob(
                name,
                interval,
                timeout,
                metricsPath,
                scheme,
                honorLabels,
                honorTimestamps,
                targets,
                relabel,
                metricRelabel,
                fileSd,
                params,
                auth,
                tls,
                sampleLimit,
                labelLimit,
                streamParse);
    }

    private void parseFileSd(Node node, String path, List<Path> out) throws ScrapeConfigException {
        if (YamlNodes.isNull(node) || !(node instanceof MappingNode)) {
            throw yaml.typeError(node, path, "a mapping");
        }
        Map<String, NodeTuple> entries = yaml.entries((MappingNode) node, path);
        NodeTuple refresh = entries.get("refresh_interval");
        if (refresh != null) {
            // vmagent rejects it too: it re-reads every file on one global schedule.
            throw yaml.error(
                    refresh.getKeyNode(),
                    path,
                    "'refresh_interval' is not supported, as in vmagent:"
                            + " files are re-read every -promscrape.fileSDCheckInterval (default 1m); remove it");
        }
        checkKeys(entries, path, ConfigKeys.FILE_SD, Set.of(), false);
        List<Node> files = yaml.sequence(value(entries, "files"), path + ".files");
        for (int i = 0; i < files.size(); i++) {
            String filePath = path + ".files[" + i + "]";
            String file = yaml.string(files.get(i), filePath);
            if (file == null || file.isEmpty()) {
                throw yaml.error(files.get(i), filePath, "file name must not be empty");
            }
            Path resolved = baseDir.resolve(file).normalize();
            if (resolved.getParent() != null
                    && resolved.getParent().toString().matches(".*[*?\\[].*")
                    && file.contains("*")) {
                throw yaml.error(
                        files.get(i),
                        filePath,
                        "'" + file + "': a glob is allowed only in the file name, not in the directory");
            }
            out.add(resolved);
        }
    }

    private SortedMap<String, List<String>> parseParams(Node node, String path) throws ScrapeConfigException {
        SortedMap<String, List<String>> params = new TreeMap<>();
        MappingNode mapping = yaml.mapping(node, path);
        if (mapping == null) {
            return params;
        }
        for (Map.Entry<String, NodeTuple> e : yaml.entries(mapping, path).entrySet()) {
            String itemPath = YamlNodes.join(path, e.getKey());
            List<String> values = new ArrayList<>();
            for (Node v : yaml.sequence(e.getValue().getValueNode(), itemPath)) {
                String s = yaml.string(v, itemPath);
                values.add(s == null ? "" : s);
            }
            params.put(e.getKey(), values);
        }
        return params;
    }

    private ScrapeAuth parseAuth(Map<String, NodeTuple> entries, String path) throws ScrapeConfigException {
        String bearer = yaml.string(value(entries, "bearer_token"), path + ".bearer_token");
        String bearerFile = yaml.string(value(entries, "bearer_token_file"), path + ".bearer_token_file");
        if (bearer != null && bearerFile != null) {
            throw yaml.error(
                    entries.get("bearer_token_file").getKeyNode(),
                    path,
                    "bearer_token and bearer_token_file are both set: use one");
        }
        NodeTuple basicTuple = entries.get("basic_auth");
        MappingNode basic = yaml.mapping(basicTuple == null ? null : basicTuple.getValueNode(), path + ".basic_auth");
        if (basic == null) {
            return new ScrapeAuth(null, null, null, bearer, file(bearerFile));
        }
        String basicPath = path + ".basic_auth";
        if (bearer != null || bearerFile != null) {
            throw yaml.error(basicTuple.getKeyNode(), path, "basic_auth and bearer_token(_file) are both set: use one");
        }
        Map<String, NodeTuple> b = yaml.entries(basic, basicPath);
        checkKeys(b, basicPath, ConfigKeys.BASIC_AUTH, ConfigKeys.BASIC_AUTH_LATER, false);
        String username = yaml.string(value(b, "username"), basicPath + ".username");
        String password = yaml.string(value(b, "password"), basicPath + ".password");
        String passwordFile = yaml.string(value(b, "password_file"), basicPath + ".password_file");
        if (password != null && passwordFile != null) {
            throw yaml.error(
                    b.get("password_file").getKeyNode(), basicPath, "password and password_file are both set: use one");
        }
        return new ScrapeAuth(username == null ? "" : username, password, file(passwordFile), null, null);
    }

    private TlsConfig parseTls(Node node, String path) throws ScrapeConfigException {
        MappingNode mapping = yaml.mapping(node, path);
        if (mapping == null) {
            return TlsConfig.DEFAULT;
        }
        Map<String, NodeTuple> t = yaml.entries(mapping, path);
        checkKeys(t, path, ConfigKeys.TLS, ConfigKeys.TLS_LATER, false);
        String cert = yaml.string(value(t, "cert_file"), path + ".cert_file");
        String key = yaml.string(value(t, "key_file"), path + ".key_file");
        if ((cert == null) != (key == null)) {
            throw yaml.error(mapping, path, "cert_file and key_file go together: set both or neither");
        }
        return new TlsConfig(
                file(yaml.string(value(t, "ca_file"), path + ".ca_file")),
                file(cert),
                file(key),
                yaml.bool(value(t, "insecure_skip_verify"), path + ".insecure_skip_verify", false),
                yaml.string(value(t, "server_name"), path + ".server_name"));
    }

    private int limit(Node node, String path) throws ScrapeConfigException {
        String text = yaml.string(node, path);
        if (text == null) {
            return 0;
        }
        try {
            int n = Integer.parseInt(text);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw yaml.error(node, path, "'" + text + "' is not a whole number >= 0 (0 = no limit)");
        }
    }

    private Path file(String name) {
        return name == null || name.isEmpty() ? null : baseDir.resolve(name).normalize();
    }

    private void parseStatic(Node node, String path, String scheme, List<StaticTarget> out)
            throws ScrapeConfigException {
        if (YamlNodes.isNull(node) || !(node instanceof MappingNode)) {
            throw yaml.typeError(node, path, "a mapping");
        }
        Map<String, NodeTuple> entries = yaml.entries((MappingNode) node, path);
        checkKeys(entries, path, ConfigKeys.STATIC, Set.of(), false);
        SortedMap<String, String> labels = yaml.labels(value(entries, "labels"), path + ".labels");
        List<Node> targets = yaml.sequence(value(entries, "targets"), path + ".targets");
        for (int i = 0; i < targets.size(); i++) {
            Node target = targets.get(i);
            String targetPath = path + ".targets[" + i + "]";
            attempt(
                    () -> {
                        String raw = yaml.string(target, targetPath);
                        if (raw == null) {
                            throw yaml.error(
                                    target,
                                    targetPath,
                                    "target must not be empty; write host:port, e.g. localhost:9100");
                        }
                        try {
                            out.add(new StaticTarget(Targets.normalize(raw, scheme), labels));
                        } catch (IllegalArgumentException e) {
                            throw yaml.error(target, targetPath, e.getMessage());
                        }
                        return null;
                    },
                    null);
        }
    }

    /** Records every key (in file order) that is not in {@code supported}. */
    private void checkKeys(
            Map<String, NodeTuple> entries, String path, Set<String> supported, Set<String> later, boolean sdConfigs)
            throws ScrapeConfigException {
        for (Map.Entry<String, NodeTuple> e : entries.entrySet()) {
            String key = e.getKey();
            if (supported.contains(key)) {
                continue;
            }
            Node keyNode = e.getValue().getKeyNode();
            if (later.contains(key) || (sdConfigs && key.endsWith("_sd_configs"))) {
                problems.add(yaml.error(keyNode, path, "'" + key + "' is not supported by edge-agent yet"));
                continue;
            }
            String suggestion = ConfigKeys.suggest(key, supported);
            ScrapeConfigException unknown = yaml.error(
                    keyNode,
                    path,
                    "unknown field '" + key + "'"
                            + (suggestion == null ? "" : " (did you mean '" + suggestion + "'?)"));
            if (strictParse) {
                problems.add(unknown);
                continue;
            }
            warnings.accept(unknown.getMessage() + "; skipped (-promscrape.config.strictParse=false)");
        }
    }

    private static Node value(Map<String, NodeTuple> entries, String key) {
        NodeTuple tuple = entries.get(key);
        return tuple == null ? null : tuple.getValueNode();
    }

    private static Duration orDefault(Duration value, Duration fallback) {
        return value == null || value.isZero() ? fallback : value;
    }
}
