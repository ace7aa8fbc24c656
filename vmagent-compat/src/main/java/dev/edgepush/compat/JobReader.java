package dev.edgepush.compat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;

/**
 * Reads the {@code scrape_configs} entries of one scrape config file into {@link ScrapeJob}s, with the
 * rules {@link ScrapeConfigReader} lists. A job's bad settings are recorded in the file's {@link
 * ConfigProblems} and reading goes on with the defaults.
 */
final class JobReader {
    private final YamlNodes yaml;
    /** Relative file paths in the config (file_sd, secrets, TLS) are relative to this, as in vmagent. */
    private final Path baseDir;

    private final ConfigProblems problems;
    /** job_name to the line it was first defined on. */
    private final Map<String, Integer> jobLines = new HashMap<>();

    JobReader(YamlNodes yaml, Path baseDir, ConfigProblems problems) {
        this.yaml = yaml;
        this.baseDir = baseDir;
        this.problems = problems;
    }

    /** The job at {@code path} ({@code scrape_configs[n]}); intervals default to {@code global}'s. */
    ScrapeJob parseJob(Node node, String path, GlobalConfig global) throws ScrapeConfigException {
        if (YamlNodes.isNull(node) || !(node instanceof MappingNode)) {
            throw yaml.typeError(node, path, "a mapping");
        }
        Map<String, NodeTuple> entries = yaml.entries((MappingNode) node, path);
        problems.checkKeys(entries, path, ConfigKeys.JOB, ConfigKeys.JOB_LATER, true);

        Node nameNode = YamlNodes.value(entries, "job_name");
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
                problems.attempt(
                        () -> yaml.duration(YamlNodes.value(entries, "scrape_interval"), path + ".scrape_interval"),
                        null),
                global.scrapeInterval());
        Duration timeout = orDefault(
                problems.attempt(
                        () -> yaml.duration(YamlNodes.value(entries, "scrape_timeout"), path + ".scrape_timeout"),
                        null),
                global.scrapeTimeout());
        if (timeout.compareTo(interval) > 0) {
            timeout = interval; // vmagent: limit scrape_timeout to scrape_interval
        }

        Node schemeNode = YamlNodes.value(entries, "scheme");
        String scheme = problems.attempt(
                () -> {
                    String s = yaml.string(schemeNode, path + ".scheme");
                    if (s != null && !s.equals("http") && !s.equals("https")) {
                        throw yaml.error(schemeNode, path + ".scheme", "'" + s + "' is not http or https");
                    }
                    return s == null ? "http" : s;
                },
                "http");

        String metricsPath = problems.attempt(
                () -> yaml.string(YamlNodes.value(entries, "metrics_path"), path + ".metrics_path"), null);
        if (metricsPath == null || metricsPath.isEmpty()) {
            metricsPath = ScrapeJob.DEFAULT_METRICS_PATH;
        } else if (!metricsPath.startsWith("/")) {
            metricsPath = "/" + metricsPath; // Prometheus' URL building adds the slash too
        }

        boolean honorLabels = problems.attempt(
                () -> yaml.bool(YamlNodes.value(entries, "honor_labels"), path + ".honor_labels", false), false);
        boolean honorTimestamps = problems.attempt(
                () -> yaml.bool(YamlNodes.value(entries, "honor_timestamps"), path + ".honor_timestamps", true), true);

        List<StaticTarget> targets = new ArrayList<>();
        String staticPath = path + ".static_configs";
        List<Node> statics = problems.attempt(
                () -> yaml.sequence(YamlNodes.value(entries, "static_configs"), staticPath), List.of());
        for (int i = 0; i < statics.size(); i++) {
            int n = i;
            String s = scheme;
            problems.attempt(
                    () -> {
                        parseStatic(statics.get(n), staticPath + "[" + n + "]", s, targets);
                        return null;
                    },
                    null);
        }
        Relabeler relabel = RelabelConfigReader.parseList(
                yaml, YamlNodes.value(entries, "relabel_configs"), path + ".relabel_configs", problems.list());
        Relabeler metricRelabel = RelabelConfigReader.parseList(
                yaml,
                YamlNodes.value(entries, "metric_relabel_configs"),
                path + ".metric_relabel_configs",
                problems.list());
        List<Path> fileSd = new ArrayList<>();
        String fileSdPath = path + ".file_sd_configs";
        List<Node> fileSds = problems.attempt(
                () -> yaml.sequence(YamlNodes.value(entries, "file_sd_configs"), fileSdPath), List.of());
        for (int i = 0; i < fileSds.size(); i++) {
            int n = i;
            problems.attempt(
                    () -> {
                        parseFileSd(fileSds.get(n), fileSdPath + "[" + n + "]", fileSd);
                        return null;
                    },
                    null);
        }
        SortedMap<String, List<String>> params = problems.attempt(
                () -> parseParams(YamlNodes.value(entries, "params"), path + ".params"), new TreeMap<>());
        ScrapeAuth auth =
                problems.attempt(() -> parseAuth(entries, path), new ScrapeAuth(null, null, null, null, null));
        TlsConfig tls = problems.attempt(
                () -> parseTls(YamlNodes.value(entries, "tls_config"), path + ".tls_config"), TlsConfig.DEFAULT);
        int sampleLimit =
                problems.attempt(() -> limit(YamlNodes.value(entries, "sample_limit"), path + ".sample_limit"), 0);
        int labelLimit =
                problems.attempt(() -> limit(YamlNodes.value(entries, "label_limit"), path + ".label_limit"), 0);
        boolean streamParse = problems.attempt(
                () -> yaml.bool(YamlNodes.value(entries, "stream_parse"), path + ".stream_parse", false), false);
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
        problems.checkKeys(entries, path, ConfigKeys.FILE_SD, Set.of(), false);
        List<Node> files = yaml.sequence(YamlNodes.value(entries, "files"), path + ".files");
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
        String bearer = yaml.string(YamlNodes.value(entries, "bearer_token"), path + ".bearer_token");
        String bearerFile = yaml.string(YamlNodes.value(entries, "bearer_token_file"), path + ".bearer_token_file");
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
        problems.checkKeys(b, basicPath, ConfigKeys.BASIC_AUTH, ConfigKeys.BASIC_AUTH_LATER, false);
        String username = yaml.string(YamlNodes.value(b, "username"), basicPath + ".username");
        String password = yaml.string(YamlNodes.value(b, "password"), basicPath + ".password");
        String passwordFile = yaml.string(YamlNodes.value(b, "password_file"), basicPath + ".password_file");
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
        problems.checkKeys(t, path, ConfigKeys.TLS, ConfigKeys.TLS_LATER, false);
        String cert = yaml.string(YamlNodes.value(t, "cert_file"), path + ".cert_file");
        String key = yaml.string(YamlNodes.value(t, "key_file"), path + ".key_file");
        if ((cert == null) != (key == null)) {
            throw yaml.error(mapping, path, "cert_file and key_file go together: set both or neither");
        }
        return new TlsConfig(
                file(yaml.string(YamlNodes.value(t, "ca_file"), path + ".ca_file")),
                file(cert),
                file(key),
                yaml.bool(YamlNodes.value(t, "insecure_skip_verify"), path + ".insecure_skip_verify", false),
                yaml.string(YamlNodes.value(t, "server_name"), path + ".server_name"));
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
        problems.checkKeys(entries, path, ConfigKeys.STATIC, Set.of(), false);
        SortedMap<String, String> labels = yaml.labels(YamlNodes.value(entries, "labels"), path + ".labels");
        List<Node> targets = yaml.sequence(YamlNodes.value(entries, "targets"), path + ".targets");
        for (int i = 0; i < targets.size(); i++) {
            Node target = targets.get(i);
            String targetPath = path + ".targets[" + i + "]";
            problems.attempt(
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

    /** {@code value}, or {@code fallback} when it is absent or zero ("use the default", as in vmagent). */
    static Duration orDefault(Duration value, Duration fallback) {
        return value == null || value.isZero() ? fallback : value;
    }
}
