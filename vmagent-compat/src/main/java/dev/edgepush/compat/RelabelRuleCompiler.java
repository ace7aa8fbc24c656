package dev.edgepush.compat;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks a relabel config the way vmagent's {@code parseRelabelConfig} does (VictoriaMetrics
 * lib/promrelabel), with its wording where it has one, and compiles it into a {@link RelabelRule}.
 * Stateless.
 */
final class RelabelRuleCompiler {

    /** A relabel config that vmagent would reject; {@link #field()} names the key at fault, if one is. */
    static final class InvalidConfig extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final String field;

        InvalidConfig(String field, String message, Throwable cause) {
            super(message, cause);
            this.field = field;
        }

        /** The YAML key the problem is in ({@code regex}, {@code action}, ...), or null for the whole config. */
        String field() {
            return field;
        }
    }

    private RelabelRuleCompiler() {}

    /**
     * Checks {@code c} the way vmagent does and compiles it.
     *
     * @throws InvalidConfig with vmagent's wording where it has one
     */
    static RelabelRule compile(RelabelConfig c) {
        String actionName = c.action() == null || c.action().isEmpty() ? "replace" : c.action();
        RelabelAction action = RelabelAction.parse(actionName);
        if (action == null) {
            throw new InvalidConfig("action", "unknown action '" + actionName + "'; use one of " + actionNames(), null);
        }
        // like vmagent, the if selectors and the regex are parsed before the action's own checks
        boolean hasIf = !c.ifSelectors().isEmpty();
        boolean defaultRegex =
                c.regex() == null || GoRegex.removeStartEndAnchors(c.regex()).equals(".*");
        GoRegex regex;
        try {
            if (action == RelabelAction.REPLACE_ALL || action == RelabelAction.LABELMAP_ALL) {
                regex = defaultRegex ? GoRegex.DEFAULT : GoRegex.unanchored(c.regex());
            } else {
                regex = defaultRegex ? GoRegex.DEFAULT : GoRegex.anchored(c.regex());
            }
        } catch (IllegalArgumentException e) {
            throw new InvalidConfig("regex", e.getMessage(), e);
        }

        SeriesSelector[] selectors = null;
        if (hasIf) {
            selectors = new SeriesSelector[c.ifSelectors().size()];
            for (int i = 0; i < selectors.length; i++) {
                try {
                    selectors[i] = SeriesSelector.parse(c.ifSelectors().get(i));
                } catch (IllegalArgumentException e) {
                    throw new InvalidConfig("if", e.getMessage(), e);
                }
            }
        }
        String name = action.yamlName();
        List<String> sources = new ArrayList<>(c.sourceLabels());
        String target = c.targetLabel() == null || c.targetLabel().isEmpty() ? null : c.targetLabel();
        boolean hasRegex = c.regex() != null;
        switch (action) {
            case REPLACE:
                requireTarget(target, name);
                break;
            case REPLACE_ALL:
            case LOWERCASE:
            case UPPERCASE:
                requireSources(sources, name);
                requireTarget(target, name);
                break;
            case KEEP_IF_EQUAL:
            case DROP_IF_EQUAL:
                if (sources.size() < 2) {
                    throw new InvalidConfig(
                            "source_labels",
                            "source_labels must contain at least two entries for" + " action " + name + "; got "
                                    + sources,
                            null);
                }
                forbid(target != null, "target_label", name);
                forbid(hasRegex, "regex", name);
                break;
            case KEEPEQUAL:
            case DROPEQUAL:
                requireSources(sources, name);
                requireTarget(target, name);
                forbid(hasRegex, "regex", name);
                break;
            case KEEP:
            case DROP:
                if (sources.isEmpty() && !hasIf) {
                    throw new InvalidConfig(null, "missing source_labels (or if) for action " + name, null);
                }
                break;
            case HASHMOD:
                requireSources(sources, name);
                requireTarget(target, name);
                if (c.modulus() < 1) {
                    throw new InvalidConfig(
                            c.modulus() == 0 ? null : "modulus",
                            "modulus must be set and greater" + " than 0 for action hashmod; got " + c.modulus(),
                            null);
                }
                break;
            case KEEP_METRICS:
            case DROP_METRICS:
                if ((c.regex() == null || c.regex().isEmpty()) && !hasIf) {
                    throw new InvalidConfig(null, "regex must be non-empty for action " + name, null);
                }
                if (!sources.isEmpty()) {
                    throw new InvalidConfig(
                            "source_labels",
                            "source_labels must be empty for action " + name + " (it matches the metric name); got "
                                    + sources,
                            null);
                }
                sources.add("__name__");
                action = action == RelabelAction.KEEP_METRICS ? RelabelAction.KEEP : RelabelAction.DROP;
                break;
            case LABELDROP:
            case LABELKEEP:
                forbid(!sources.isEmpty(), "source_labels", name);
                forbid(target != null, "target_label", name);
                forbid(c.modulus() != 0, "modulus", name);
                break;
            case LABELMAP:
            case LABELMAP_ALL:
            default:
                break;
        }

        return new RelabelRule(
                action,
                sources.toArray(new String[0]),
                c.separator() == null ? ";" : c.separator(),
                target,
                regex,
                defaultRegex,
                c.modulus(),
                c.replacement() == null ? "$1" : c.replacement(),
                selectors);
    }

    private static String actionNames() {
        StringBuilder sb = new StringBuilder();
        for (RelabelAction a : RelabelAction.values()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(a.yamlName());
        }
        return sb.toString();
    }

    private static void requireTarget(String target, String action) {
        if (target == null) {
            throw new InvalidConfig(null, "missing target_label for action " + action, null);
        }
    }

    private static void requireSources(List<String> sources, String action) {
        if (sources.isEmpty()) {
            throw new InvalidConfig(null, "missing source_labels for action " + action, null);
        }
    }

    private static void forbid(boolean present, String field, String action) {
        if (present) {
            throw new InvalidConfig(field, field + " cannot be used with action " + action, null);
        }
    }
}
