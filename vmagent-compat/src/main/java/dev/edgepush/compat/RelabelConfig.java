package dev.edgepush.compat;

import java.util.List;
import java.util.Objects;

/**
 * One relabel config as written in YAML, before checking and compiling ({@link Relabeler#compile}).
 * Absent optional fields are null, because vmagent treats "absent" and "empty" differently (an empty
 * {@code separator} or {@code replacement} is a real value; {@code regex} must be absent for
 * {@code keep_if_equal}).
 *
 * @param action {@code action} as written, or null for the default {@code replace}; case-insensitive
 * @param sourceLabels {@code source_labels}; never null, unmodifiable
 * @param separator {@code separator}, or null for the default {@code ;}
 * @param targetLabel {@code target_label}, or null
 * @param regex {@code regex} (a YAML list already joined with {@code |}, as vmagent does), or null for the
 *     default {@code (.*)}
 * @param modulus {@code modulus}, or 0 if absent
 * @param replacement {@code replacement}, or null for the default {@code $1}
 * @param ifSelectors vmagent's {@code if}: series selectors of which any must match for the action to
 *     apply; empty when absent; never null, unmodifiable
 */
public record RelabelConfig(
        String action,
        List<String> sourceLabels,
        String separator,
        String targetLabel,
        String regex,
        long modulus,
        String replacement,
        List<String> ifSelectors) {

    /** Checks for nulls in the lists and makes them unmodifiable. */
    public RelabelConfig {
        sourceLabels = List.copyOf(Objects.requireNonNull(sourceLabels, "sourceLabels"));
        ifSelectors = List.copyOf(Objects.requireNonNull(ifSelectors, "ifSelectors"));
    }
}
