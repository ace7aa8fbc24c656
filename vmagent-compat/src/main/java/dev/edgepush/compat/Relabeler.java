package dev.edgepush.compat;

import java.util.List;
import java.util.Objects;

/**
 * A list of relabel configs compiled to run on every scraped sample, with vmagent's semantics
 * (VictoriaMetrics {@code lib/promrelabel}): the configs apply in order to a {@link LabelSet} in place; a
 * {@code keep}/{@code drop}-style action can drop the series; a series whose labels all went is dropped
 * too; labels left with an empty value are removed at the end.
 *
 * <h2>Actions</h2>
 * <ul>
 *   <li>{@code replace} (default): if {@code regex} matches the {@code source_labels} values joined with
 *       {@code separator} (a missing label counts as ""), set {@code target_label} (which may itself hold
 *       {@code $1}-style references) to {@code replacement} expanded; vmagent's {@code {{label}}} references
 *       in {@code replacement} are filled in first;</li>
 *   <li>{@code replace_all}: replace every match of the (unanchored) regex in the joined value and store the
 *       result in {@code target_label}, if it changed;</li>
 *   <li>{@code keep} / {@code drop}: keep / drop the series if the regex matches the joined value (with no
 *       {@code regex}, only {@code if} decides); {@code keep_metrics} / {@code drop_metrics}: the same on
 *       {@code __name__};</li>
 *   <li>{@code keep_if_equal} / {@code drop_if_equal}: all {@code source_labels} have the same value;
 *       {@code keepequal} / {@code dropequal}: the joined value equals {@code target_label}'s value;</li>
 *   <li>{@code hashmod}: {@code target_label} = xxhash64(joined value) mod {@code modulus}. This is
 *       <b>vmagent's</b> hash ({@code xxhash.Sum64}); Prometheus uses MD5, so shard numbers differ from
 *       Prometheus' for the same config;</li>
 *   <li>{@code labelmap}: for every label whose name fully matches, add a label named {@code replacement}
 *       expanded, with the same value (the original stays); {@code labelmap_all}: rename labels, replacing
 *       every match in the name;</li>
 *   <li>{@code labeldrop} / {@code labelkeep}: remove the labels whose names match / do not match;</li>
 *   <li>{@code lowercase} / {@code uppercase}: {@code target_label} = the joined value in lower / upper
 *       case.</li>
 * </ul>
 * With {@code if} (one or more series selectors, see {@link SeriesSelector}), an action applies only to
 * series that match; a {@code keep} whose {@code if} does not match drops the series, as in vmagent.
 * Not supported: {@code action: graphite} with {@code match} and {@code labels}, and vmagent's newer
 * {@code keep_if_contains}/{@code drop_if_contains}. Regexes are RE2 translated to Java: see
 * {@link GoRegex} for what differs.
 *
 * <p>Where {@code __}-labels go: this class does not remove them (metric relabeling may read and set
 * them, e.g. {@code __name__}). After <em>target</em> relabeling, {@link TargetRelabeling} removes every
 * label starting with {@code __}, as Prometheus and vmagent do, after reading {@code __address__},
 * {@code __scheme__}, {@code __metrics_path__} and the interval and timeout from them.
 *
 * <p>Immutable and thread-safe: one instance can serve every target of a job. Made for the per-sample
 * path: regexes are compiled once; a regex that is a literal, an alternation of literals
 * ({@code a|b|c}) or a literal prefix ({@code go_.*}) is matched without the regex engine; joining a
 * single source label copies nothing; the working list is the caller's reusable {@link LabelSet}. What
 * still allocates: a {@code java.util.regex.Matcher} per other regex match, and the new strings an
 * action produces.
 */
public final class Relabeler {

    /** No configs: {@link #apply} keeps every series as it is. */
    public static final Relabeler EMPTY = new Relabeler(List.of(), new RelabelRule[0]);

    private final List<RelabelConfig> configs;
    private final RelabelRule[] rules;

    private Relabeler(List<RelabelConfig> configs, RelabelRule[] rules) {
        this.configs = configs;
        this.rules = rules;
    }

    /**
     * Checks and compiles {@code configs}.
     *
     * @throws IllegalArgumentException for the first invalid config: "relabel config N: problem"
     *     (RelabelConfigReader and ScrapeConfigReader give the file and line instead)
     */
    public static Relabeler compile(List<RelabelConfig> configs) {
        List<RelabelConfig> copy = List.copyOf(configs);
        if (copy.isEmpty()) {
            return EMPTY;
        }
        RelabelRule[] rules = new RelabelRule[copy.size()];
        for (int i = 0; i < rules.length; i++) {
            try {
                rules[i] = RelabelRuleCompiler.compile(copy.get(i));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("relabel config " + i + ": " + e.getMessage(), e);
            }
        }
        return new Relabeler(copy, rules);
    }

    /** Built by the readers, which compile rule by rule to point errors at lines. */
    static Relabeler of(List<RelabelConfig> configs, List<RelabelRule> rules) {
        return configs.isEmpty() ? EMPTY : new Relabeler(List.copyOf(configs), rules.toArray(new RelabelRule[0]));
    }

    /**
     * Relabels {@code labels} in place.
     *
     * @return false if the series (or target) is dropped; {@code labels} is then cleared. With no configs
     *     this returns true and leaves {@code labels} exactly as it is (empty values too)
     */
    public boolean apply(LabelSet labels) {
        if (rules.length == 0) {
            return true;
        }
        for (RelabelRule rule : rules) {
            if (!rule.apply(labels) || labels.size() == 0) {
                labels.clear();
                return false;
            }
        }
        labels.removeEmptyValues();
        return labels.size() > 0;
    }

    /** True if there are no configs. */
    public boolean isEmpty() {
        return rules.length == 0;
    }

    /** The configs as read, in order. */
    public List<RelabelConfig> configs() {
        return configs;
    }

    /** Equal when compiled from equal configs. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Relabeler && ((Relabeler) o).configs.equals(configs);
    }

    @Override
    public int hashCode() {
        return Objects.hash(configs);
    }

    @Override
    public String toString() {
        return "Relabeler" + configs;
    }
}
