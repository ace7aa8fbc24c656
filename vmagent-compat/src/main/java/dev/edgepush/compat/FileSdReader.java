package dev.edgepush.compat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;

/**
 * Reads {@code file_sd_configs} target files: a YAML or JSON list of target groups,
 * {@code [{"targets": ["host:port", ...], "labels": {"name": "value"}}]}. JSON is read as YAML (it is a
 * subset), as vmagent does; keys are checked strictly, so a typo is an error with file and line.
 *
 * <p>Where vmagent and Prometheus differ, this follows vmagent:
 * <ul>
 *   <li>A pattern is a glob only if it contains {@code *} (vmagent's rule); {@code ?} and {@code [...]}
 *       then work too. Globs are allowed in the last path segment only (Prometheus' rule; vmagent would also
 *       take them in directories).</li>
 *   <li>{@code __meta_filepath} is the file's path relative to the config file's directory when the file is
 *       below it, else the full path (vmagent); Prometheus always gives the path as matched.</li>
 * </ul>
 */
public final class FileSdReader {

    private static final Set<String> GROUP_KEYS = Set.of("targets", "labels");

    private FileSdReader() {}

    /**
     * The files {@code pattern} names now, sorted: itself if it has no {@code *} (even if missing, so the
     * caller reports it), else the matching regular files in its directory (none if the directory is missing).
     *
     * @throws IllegalArgumentException if a directory segment contains a glob
     */
    public static List<Path> expand(Path pattern) throws IOException {
        String text = pattern.toString();
        if (!text.contains("*")) {
            return List.of(pattern);
        }
        Path dir = pattern.getParent() == null ? Path.of(".") : pattern.getParent();
        String glob = pattern.getFileName().toString();
        if (dir.toString().matches(".*[*?\\[].*")) {
            throw new IllegalArgumentException(
                    "'" + text + "': a glob is allowed only in the file name, not in" + " the directory");
        }
        // Go's filepath.Match negates with [^...]; Java's glob with [!...].
        var matcher = dir.getFileSystem().getPathMatcher("glob:" + glob.replace("[^", "[!"));
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                if (matcher.matches(p.getFileName()) && Files.isRegularFile(p)) {
                    out.add(p);
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        }
        out.sort(null);
        return out;
    }

    /**
     * Reads the target groups of {@code file}. Each target gets its group's labels and
     * {@code __meta_filepath}.
     *
     * @param baseDir the config file's directory, for {@code __meta_filepath}
     * @param scheme the job's scheme, for the default port
     */
    public static List<StaticTarget> read(Path file, Path baseDir, String scheme)
            throws ScrapeConfigException, IOException {
        String source = file.toString();
        return parse(Files.readString(file, StandardCharsets.UTF_8), source, metaFilepath(file, baseDir), scheme);
    }

    static List<StaticTarget> parse(String text, String source, String metaFilepath, String scheme)
            throws ScrapeConfigException {
        YamlNodes yaml = new YamlNodes(source);
        Node root = yaml.compose(text);
        List<StaticTarget> out = new ArrayList<>();
        List<Node> groups = yaml.sequence(root, "");
        for (int g = 0; g < groups.size(); g++) {
            Node node = groups.get(g);
            String path = "[" + g + "]";
            if (YamlNodes.isNull(node) || !(node instanceof MappingNode)) {
                throw yaml.typeError(node, path, "a mapping with targets and labels");
            }
            Map<String, NodeTuple> entries = yaml.entries((MappingNode) node, path);
            for (Map.Entry<String, NodeTuple> e : entries.entrySet()) {
                if (!GROUP_KEYS.contains(e.getKey())) {
                    String suggestion = ConfigKeys.suggest(e.getKey(), GROUP_KEYS);
                    throw yaml.error(
                            e.getValue().getKeyNode(),
                            path,
                            "unknown field '" + e.getKey() + "'"
                                    + (suggestion == null ? "" : " (did you mean '" + suggestion + "'?)"));
                }
            }
            NodeTuple labelsTuple = entries.get("labels");
            SortedMap<String, String> labels = new TreeMap<>(
                    yaml.labels(labelsTuple == null ? null : labelsTuple.getValueNode(), path + ".labels"));
            labels.put("__meta_filepath", metaFilepath);
            NodeTuple targetsTuple = entries.get("targets");
            List<Node> targets =
                    yaml.sequence(targetsTuple == null ? null : targetsTuple.getValueNode(), path + ".targets");
            for (int i = 0; i < targets.size(); i++) {
                Node target = targets.get(i);
                String targetPath = path + ".targets[" + i + "]";
                String raw = yaml.string(target, targetPath);
                try {
                    out.add(new StaticTarget(Targets.normalize(raw == null ? "" : raw, scheme), labels));
                } catch (IllegalArgumentException e) {
                    throw yaml.error(target, targetPath, e.getMessage());
                }
            }
        }
        return out;
    }

    static String metaFilepath(Path file, Path baseDir) {
        String path = file.toString();
        String base = baseDir.toString();
        if (!base.isEmpty() && path.startsWith(base)) {
            String rest = path.substring(base.length());
            return rest.startsWith("/") ? rest.substring(1) : rest;
        }
        return path;
    }
}
