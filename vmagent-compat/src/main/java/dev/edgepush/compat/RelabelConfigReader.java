package dev.edgepush.compat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads relabel configs: a {@code -remoteWrite.relabelConfig} file (a YAML list of relabel configs), and
 * the {@code relabel_configs} / {@code metric_relabel_configs} lists of a scrape job for
 * {@link ScrapeConfigReader}.
 *
 * <p>Keys of one config, as vmagent reads them: {@code action}, {@code source_labels} (a list),
 * {@code separator}, {@code target_label}, {@code regex} (a string, or a list joined with {@code |}),
 * {@code modulus} (a non-negative integer), {@code replacement}, {@code if} (a series selector, or a list
 * of them). {@code match} and {@code labels} (for {@code action: graphite}) are not supported; any other key
 * is an unknown field. Every problem, including one vmagent finds only when compiling (bad regex, unknown
 * action, a missing {@code target_label}, {@code modulus} missing for {@code hashmod}, ...), is a
 * {@link ScrapeConfigException} naming the file, line and path, e.g.
 * {@code relabel.yml:4: [1].regex: cannot parse regex "(": ...}.
 */
public final class RelabelConfigReader {

    private RelabelConfigReader() {}

    /** Reads and compiles a {@code -remoteWrite.relabelConfig} file (UTF-8); an empty file has no configs. */
    public static Relabeler read(Path file) throws ScrapeConfigException, IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /**
     * Parses and compiles a YAML list of relabel configs.
     *
     * @param sourceName the name used in error messages, usually the file name
     */
    public static Relabeler parse(String yaml, String sourceName) throws ScrapeConfigException {
        Objects.requireNonNull(yaml, "yaml");
        YamlNodes nodes = new YamlNodes(Objects.requireNonNull(sourceName, "sourceName"));
        return parseList(nodes, nodes.compose(yaml), "");
    }

    /** Reads a list of relabel configs at {@code path}; absent or null is no configs. */
    static Relabeler parseList(YamlNodes yaml, Node node, String path) throws ScrapeConfigException {
        List<ScrapeConfigException> problems = new ArrayList<>();
        Relabeler r = parseList(yaml, node, path, problems);
        if (!problems.isEmpty()) {
            throw ScrapeConfigException.of(problems);
        }
        return r;
    }

    /**
     * As {@link #parseList(YamlNodes, Node, String)}, adding the problem of each bad item to {@code problems}
     * and going on with the next one, so that every bad item is reported at once; the result then lacks them.
     */
    static Relabeler parseList(YamlNodes yaml, Node node, String path, List<ScrapeConfigException> problems) {
        List<Node> items;
        try {
            items = yaml.sequence(node, path);
        } catch (ScrapeConfigException e) {
            problems.add(e);
            return Relabeler.EMPTY;
        }
        List<RelabelConfig> configs = new ArrayList<>(items.size());
        List<RelabelRule> rules = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            try {
                String itemPath = path + "[" + i + "]";
                Node item = items.get(i);
                if (YamlNodes.isNull(item) || !(item instanceof MappingNode)) {
                    throw yaml.typeError(item, itemPath, "a mapping");
                }
                Map<String, NodeTuple> entries = yaml.entries((MappingNode) item, itemPath);
                RelabelConfig config = parseConfig(yaml, entries, itemPath);
                try {
                    rules.add(RelabelRuleCompiler.compile(config));
                } catch (RelabelRuleCompiler.InvalidConfig e) {
                    NodeTuple at = e.field() == null ? null : entries.get(e.field());
                    if (at == null) {
                        throw yaml.error(item, itemPath, e.getMessage());
                    }
                    throw yaml.error(at.getValueNode(), YamlNodes.join(itemPath, e.field()), e.getMessage());
                }
                configs.add(config);
            } catch (ScrapeConfigException e) {
                problems.add(e);
            }
        }
        return Relabeler.of(configs, rules);
    }

    private static RelabelConfig parseConfig(YamlNodes yaml, Map<String, NodeTuple> entries, String path)
            throws ScrapeConfigException {
        for (Map.Entry<String, NodeTuple> e : entries.entrySet()) {
            String key = e.getKey();
            if (ConfigKeys.RELABEL.contains(key)) {
                continue;
            }
            Node keyNode = e.getValue().getKeyNode();
            if (ConfigKeys.RELABEL_LATER.contains(key)) {
                throw yaml.error(
                        keyNode,
                        path,
                        "'" + key + "' is for action graphite, which edge-agent does not" + " support yet");
            }
            String suggestion = ConfigKeys.suggest(key, ConfigKeys.RELABEL);
            throw yaml.error(
                    keyNode,
                    path,
                    "unknown field '" + key + "'"
                            + (suggestion == null ? "" : " (did you mean '" + suggestion + "'?)"));
        }
        String action = yaml.string(YamlNodes.value(entries, "action"), YamlNodes.join(path, "action"));
        List<String> sources =
                strings(yaml, YamlNodes.value(entries, "source_labels"), YamlNodes.join(path, "source_labels"), false);
        String separator = yaml.string(YamlNodes.value(entries, "separator"), YamlNodes.join(path, "separator"));
        String target = yaml.string(YamlNodes.value(entries, "target_label"), YamlNodes.join(path, "target_label"));
        Node regexNode = YamlNodes.value(entries, "regex");
        String regex;
        if (regexNode instanceof SequenceNode) {
            regex = String.join("|", strings(yaml, regexNode, YamlNodes.join(path, "regex"), false));
        } else {
            regex = yaml.string(regexNode, YamlNodes.join(path, "regex"));
        }
        long modulus = modulus(yaml, YamlNodes.value(entries, "modulus"), YamlNodes.join(path, "modulus"));
        String replacement = yaml.string(YamlNodes.value(entries, "replacement"), YamlNodes.join(path, "replacement"));
        List<String> ifs = strings(yaml, YamlNodes.value(entries, "if"), YamlNodes.join(path, "if"), true);
        return new RelabelConfig(action, sources, separator, target, regex, modulus, replacement, ifs);
    }

    /** A list of strings; with {@code scalarToo}, a single string is a list of one. */
    private static List<String> strings(YamlNodes yaml, Node node, String path, boolean scalarToo)
            throws ScrapeConfigException {
        if (scalarToo && node instanceof ScalarNode && !YamlNodes.isNull(node)) {
            return List.of(((ScalarNode) node).getValue());
        }
        List<String> out = new ArrayList<>();
        List<Node> items = yaml.sequence(node, path);
        for (int i = 0; i < items.size(); i++) {
            String s = yaml.string(items.get(i), path + "[" + i + "]");
            out.add(s == null ? "" : s);
        }
        return out;
    }

    private static long modulus(YamlNodes yaml, Node node, String path) throws ScrapeConfigException {
        if (YamlNodes.isNull(node)) {
            return 0;
        }
        if (!(node instanceof ScalarNode) || !Tag.INT.equals(node.getTag())) {
            throw yaml.typeError(node, path, "a whole number");
        }
        String text = ((ScalarNode) node).getValue().replace("_", "");
        try {
            long m = Long.parseLong(text);
            if (m < 0) {
                throw yaml.error(node, path, "modulus must be greater than 0 for action hashmod; got " + text);
            }
            return m;
        } catch (NumberFormatException e) {
            throw yaml.error(node, path, "'" + text + "' is not a whole number from 1 to " + Long.MAX_VALUE);
        }
    }
}
