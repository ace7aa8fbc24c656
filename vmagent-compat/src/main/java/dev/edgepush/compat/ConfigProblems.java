package dev.edgepush.compat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;

/**
 * The problems found so far in one scrape config file. Reading goes on past a bad key, job, target or
 * relabel config, so that one run (above all {@code -dryRun}) reports every mistake of the file, not only
 * the first.
 */
final class ConfigProblems {
    private final YamlNodes yaml;
    private final boolean strictParse;
    private final Consumer<String> warnings;
    private final List<ScrapeConfigException> problems = new ArrayList<>();

    /** A part of the file that may be invalid. */
    @FunctionalInterface
    interface Part<T> {
        T read() throws ScrapeConfigException;
    }

    /** See {@link ScrapeConfigReader#read(java.nio.file.Path, boolean, Consumer)} for the parameters. */
    ConfigProblems(YamlNodes yaml, boolean strictParse, Consumer<String> warnings) {
        this.yaml = yaml;
        this.strictParse = strictParse;
        this.warnings = warnings;
    }

    /** {@code part}, or {@code fallback} after recording its problem (the reader then goes on). */
    <T> T attempt(Part<T> part, T fallback) {
        try {
            return part.read();
        } catch (ScrapeConfigException e) {
            problems.add(e);
            return fallback;
        }
    }

    /** Records every key (in file order) that is not in {@code supported}. */
    void checkKeys(
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

    /** The list problems are added to, for readers that collect their own (relabel configs). */
    List<ScrapeConfigException> list() {
        return problems;
    }

    /** Throws every problem found, in file order, if there is any. */
    void throwIfAny() throws ScrapeConfigException {
        if (!problems.isEmpty()) {
            List<ScrapeConfigException> inOrder = new ArrayList<>(problems);
            inOrder.sort(Comparator.comparingInt(ScrapeConfigException::line)); // stable: file order
            throw ScrapeConfigException.of(inOrder);
        }
    }
}
