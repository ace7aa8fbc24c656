package dev.edgepush.compat;

import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Typed access to a snakeyaml node tree, turning every problem into a {@link ScrapeConfigException}
 * that names the source, the line and the path of the offending node.
 */
final class YamlNodes {

    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Set<String> TRUE = Set.of("true", "yes", "on", "y");

    private final String source;

    YamlNodes(String source) {
        this.source = source;
    }

    /** Parses one YAML document into nodes; null for an empty document. */
    Node compose(String text) throws ScrapeConfigException {
        try {
            return new Yaml(new SafeConstructor(new LoaderOptions())).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            int line = mark == null ? 0 : mark.getLine() + 1;
            String problem = e.getProblem() != null ? e.getProblem() : e.getContext();
            if (e.getProblem() != null && e.getContext() != null) {
                problem += " (" + e.getContext() + ")";
            }
            throw error(line, "", "invalid YAML: " + problem, e);
        } catch (YAMLException e) {
            throw error(0, "", "invalid YAML: " + e.getMessage(), e);
        }
    }

    /** {@code source:line: path: detail} (or {@code source:line: detail} at the top level). */
    ScrapeConfigException error(Node node, String path, String detail) {
        int line = node == null ? 0 : node.getStartMark().getLine() + 1;
        return error(line, path, detail, null);
    }

    ScrapeConfigException error(int line, String path, String detail, Throwable cause) {
        String where = line > 0 ? source + ":" + line + ": " : source + ": ";
        String what = path.isEmpty() ? detail : path + ": " + detail;
        return new ScrapeConfigException(source, line, where + what, cause);
    }

    /** {@code source:line: path must be <expected>, got <kind>}. */
    ScrapeConfigException typeError(Node node, String path, String expected) {
        int line = node.getStartMark().getLine() + 1;
        String what = (path.isEmpty() ? "the file" : path) + " must be " + expected + ", got " + kind(node);
        return new ScrapeConfigException(source, line, source + ":" + line + ": " + what, null);
    }

    /** Describes a node for error messages: "a list", "a mapping", "null", "a number (15)", ... */
    static String kind(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        ScalarNode scalar = (ScalarNode) node;
        Tag tag = scalar.getTag();
        if (Tag.NULL.equals(tag)) {
            return "null";
        }
        if (Tag.BOOL.equals(tag)) {
            return "a boolean (" + scalar.getValue() + ")";
        }
        if (Tag.INT.equals(tag) || Tag.FLOAT.equals(tag)) {
            return "a number (" + scalar.getValue() + ")";
        }
        return "a string ('" + scalar.getValue() + "')";
    }

    static boolean isNull(Node node) {
        return node == null || (node instanceof ScalarNode && Tag.NULL.equals(node.getTag()));
    }

    static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** The value of {@code key} among a mapping's {@code entries}, or null when the key is absent. */
    static Node value(Map<String, NodeTuple> entries, String key) {
        NodeTuple tuple = entries.get(key);
        return tuple == null ? null : tuple.getValueNode();
    }

    /**
     * The entries of a mapping by key, in file order, with YAML merge keys ({@code <<: *anchor})
     * expanded (explicit keys win). Duplicate keys are an error, as in Prometheus' strict parsing.
     */
    Map<String, NodeTuple> entries(MappingNode mapping, String path) throws ScrapeConfigException {
        Map<String, NodeTuple> result = new LinkedHashMap<>();
        List<Node> merges = new ArrayList<>();
        for (NodeTuple tuple : mapping.getValue()) {
            Node key = tuple.getKeyNode();
            if (key instanceof ScalarNode && Tag.MERGE.equals(key.getTag())) {
                merges.add(tuple.getValueNode());
                continue;
            }
            if (!(key instanceof ScalarNode) || isNull(key)) {
                throw error(key, path, "keys must be strings, got " + kind(key));
            }
            String name = ((ScalarNode) key).getValue();
            NodeTuple previous = result.putIfAbsent(name, tuple);
            if (previous != null) {
                throw error(
                        key,
                        path,
                        "duplicate key '" + name + "' (first at line "
                                + (previous.getKeyNode().getStartMark().getLine() + 1) + ")");
            }
        }
        for (Node merge : merges) {
            List<Node> sources = merge instanceof SequenceNode ? ((SequenceNode) merge).getValue() : List.of(merge);
            for (Node src : sources) {
                if (!(src instanceof MappingNode)) {
                    throw typeError(src, join(path, "<<"), "a mapping");
                }
                entries((MappingNode) src, path).forEach(result::putIfAbsent);
            }
        }
        return result;
    }

    /** A mapping, or null if the node is absent or YAML null. */
    MappingNode mapping(Node node, String path) throws ScrapeConfigException {
        if (isNull(node)) {
            return null;
        }
        if (!(node instanceof MappingNode)) {
            throw typeError(node, path, "a mapping");
        }
        return (MappingNode) node;
    }

    /** A list's items; empty if the node is absent or YAML null. */
    List<Node> sequence(Node node, String path) throws ScrapeConfigException {
        if (isNull(node)) {
            return List.of();
        }
        if (!(node instanceof SequenceNode)) {
            throw typeError(node, path, "a list");
        }
        return ((SequenceNode) node).getValue();
    }

    /** Any scalar's text (YAML numbers and booleans are accepted, as in Go's yaml.v2); null if absent. */
    String string(Node node, String path) throws ScrapeConfigException {
        if (isNull(node)) {
            return null;
        }
        if (!(node instanceof ScalarNode)) {
            throw typeError(node, path, "a string");
        }
        return ((ScalarNode) node).getValue();
    }

    /** A duration, or null if absent. */
    Duration duration(Node node, String path) throws ScrapeConfigException {
        if (isNull(node)) {
            return null;
        }
        if (!(node instanceof ScalarNode)) {
            throw typeError(node, path, "a duration string");
        }
        try {
            return GoDuration.parse(((ScalarNode) node).getValue());
        } catch (IllegalArgumentException e) {
            throw error(node.getStartMark().getLine() + 1, path, e.getMessage(), e);
        }
    }

    /** An unquoted YAML boolean (true/false, yes/no, on/off), or {@code absent} if absent. */
    boolean bool(Node node, String path, boolean absent) throws ScrapeConfigException {
        if (isNull(node)) {
            return absent;
        }
        if (!(node instanceof ScalarNode) || !Tag.BOOL.equals(node.getTag())) {
            throw typeError(node, path, "true or false");
        }
        return TRUE.contains(((ScalarNode) node).getValue().toLowerCase(Locale.ROOT));
    }

    /** A mapping of label names to values; label names must match {@code [a-zA-Z_][a-zA-Z0-9_]*}. */
    SortedMap<String, String> labels(Node node, String path) throws ScrapeConfigException {
        SortedMap<String, String> labels = new TreeMap<>();
        MappingNode mapping = mapping(node, path);
        if (mapping == null) {
            return labels;
        }
        for (Map.Entry<String, NodeTuple> e : entries(mapping, path).entrySet()) {
            String name = e.getKey();
            if (!LABEL_NAME.matcher(name).matches()) {
                throw error(
                        e.getValue().getKeyNode(),
                        path,
                        "'" + name
                                + "' is not a valid label name: use letters, digits and _, not starting with a digit");
            }
            String value = string(e.getValue().getValueNode(), join(path, name));
            labels.put(name, value == null ? "" : value);
        }
        return labels;
    }
}
