package dev.edgepush.compat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
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
    private final ConfigProblems problems;
    private final JobReader jobReader;

    private ScrapeConfigReader(String sourceName, Path baseDir, boolean strictParse, Consumer<String> warnings) {
        this.yaml = new YamlNodes(sourceName);
        this.problems = new ConfigProblems(yaml, strictParse, warnings);
        this.jobReader = new JobReader(yaml, baseDir, problems);
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
        problems.checkKeys(entries, "", ConfigKeys.TOP, ConfigKeys.TOP_LATER, false);
        GlobalConfig global =
                problems.attempt(() -> parseGlobal(YamlNodes.value(entries, "global")), GlobalConfig.defaults());
        List<ScrapeJob> jobs = new ArrayList<>();
        List<Node> items = problems.attempt(
                () -> yaml.sequence(YamlNodes.value(entries, "scrape_configs"), "scrape_configs"), List.of());
        for (int i = 0; i < items.size(); i++) {
            int n = i;
            ScrapeJob job =
                    problems.attempt(() -> jobReader.parseJob(items.get(n), "scrape_configs[" + n + "]", global), null);
            if (job != null) {
                jobs.add(job);
            }
        }
        problems.throwIfAny();
        return new ScrapeConfig(global, jobs);
    }

    private GlobalConfig parseGlobal(Node node) throws ScrapeConfigException {
        MappingNode mapping = yaml.mapping(node, "global");
        if (mapping == null) {
            return GlobalConfig.defaults();
        }
        Map<String, NodeTuple> entries = yaml.entries(mapping, "global");
        problems.checkKeys(entries, "global", ConfigKeys.GLOBAL, ConfigKeys.GLOBAL_LATER, false);
        Duration interval = JobReader.orDefault(
                yaml.duration(YamlNodes.value(entries, "scrape_interval"), "global.scrape_interval"),
                GlobalConfig.DEFAULT_SCRAPE_INTERVAL);
        Duration timeout = JobReader.orDefault(
                yaml.duration(YamlNodes.value(entries, "scrape_timeout"), "global.scrape_timeout"),
                GlobalConfig.DEFAULT_SCRAPE_TIMEOUT);
        yaml.duration(YamlNodes.value(entries, "evaluation_interval"), "global.evaluation_interval");
        SortedMap<String, String> external =
                yaml.labels(YamlNodes.value(entries, "external_labels"), "global.external_labels");
        return new GlobalConfig(interval, timeout, external);
    }
}
