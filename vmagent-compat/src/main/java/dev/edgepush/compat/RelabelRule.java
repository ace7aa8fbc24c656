package dev.edgepush.compat;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;

/**
 * One compiled relabel config (see {@link RelabelRuleCompiler} for vmagent's checks): the semantics of
 * vmagent's {@code parsedRelabelConfig.apply} (VictoriaMetrics lib/promrelabel). Immutable and thread-safe; the
 * per-call scratch space lives in the {@link LabelSet}.
 */
final class RelabelRule {

    private final RelabelAction action;
    private final String[] sourceLabels;
    private final String separator;
    private final String targetLabel;
    /** The anchored regex, or the unanchored one for replace_all and labelmap_all. */
    private final GoRegex regex;

    private final boolean defaultRegex;
    private final long modulus;
    private final String replacement;
    private final GoTemplate replacementTemplate;
    /** Non-null when target_label holds {@code $} references to expand. */
    private final GoTemplate targetTemplate;
    /** vmagent's {@code {{label}}} references in replacement (action replace only). */
    private final boolean labelReferences;
    /** Null when there is no {@code if}. */
    private final SeriesSelector[] ifSelectors;

    /** See {@link RelabelRuleCompiler#compile}, which checks the arguments. */
    RelabelRule(
            RelabelAction action,
            String[] sourceLabels,
            String separator,
            String targetLabel,
            GoRegex regex,
            boolean defaultRegex,
            long modulus,
            String replacement,
            SeriesSelector[] ifSelectors) {
        this.action = action;
        this.sourceLabels = sourceLabels;
        this.separator = separator;
        this.targetLabel = targetLabel;
        this.regex = regex;
        this.defaultRegex = defaultRegex;
        this.modulus = modulus;
        this.replacement = replacement;
        this.replacementTemplate = regex.template(replacement);
        this.targetTemplate = targetLabel != null && targetLabel.indexOf('$') >= 0 ? regex.template(targetLabel) : null;
        this.labelReferences = action == RelabelAction.REPLACE && replacement.contains("{{");
        this.ifSelectors = ifSelectors;
    }

    /** Applies the rule to {@code ls} in place; false if the series (or target) is to be dropped. */
    boolean apply(LabelSet ls) {
        if (ifSelectors != null && !ifMatches(ls)) {
            // vmagent: a keep (or keep_metrics) whose if does not match drops; other actions do nothing
            return action != RelabelAction.KEEP;
        }
        switch (action) {
            case REPLACE:
                replace(ls);
                return true;
            case REPLACE_ALL: {
                String src = join(ls);
                String value = regex.replaceAll(src, replacementTemplate, ls.scratch);
                if (!value.equals(src)) {
                    ls.set(targetLabel, value);
                }
                return true;
            }
            case KEEP:
                return defaultRegex || regex.matches(join(ls));
            case DROP:
                return !defaultRegex && !regex.matches(join(ls));
            case KEEP_IF_EQUAL:
                return allEqual(ls);
            case DROP_IF_EQUAL:
                return !allEqual(ls);
            case KEEPEQUAL:
                return join(ls).equals(ls.valueOrEmpty(targetLabel));
            case DROPEQUAL:
                return !join(ls).equals(ls.valueOrEmpty(targetLabel));
            case HASHMOD: {
                byte[] bytes = join(ls).getBytes(StandardCharsets.UTF_8);
                long h = Long.remainderUnsigned(XxHash64.hash(bytes, bytes.length), modulus);
                ls.set(targetLabel, Long.toString(h));
                return true;
            }
            case LABELMAP:
                labelmap(ls);
                return true;
            case LABELMAP_ALL:
                for (int i = 0; i < ls.size(); i++) {
                    ls.setName(i, regex.replaceAll(ls.name(i), replacementTemplate, ls.scratch));
                }
                return true;
            case LABELDROP:
            case LABELKEEP: {
                boolean keep = action == RelabelAction.LABELKEEP;
                for (int i = ls.size() - 1; i >= 0; i--) {
                    if (regex.matches(ls.name(i)) != keep) {
                        ls.remove(i);
                    }
                }
                return true;
            }
            case LOWERCASE:
                ls.set(targetLabel, join(ls).toLowerCase(Locale.ROOT));
                return true;
            case UPPERCASE:
                ls.set(targetLabel, join(ls).toUpperCase(Locale.ROOT));
                return true;
            default:
                throw new IllegalStateException("BUG: action " + action + " was not compiled away");
        }
    }

    private boolean ifMatches(LabelSet ls) {
        for (SeriesSelector s : ifSelectors) {
            if (s.matches(ls)) {
                return true;
            }
        }
        return false;
    }

    private void replace(LabelSet ls) {
        String src = join(ls);
        String repl = replacement;
        GoTemplate template = replacementTemplate;
        if (labelReferences) {
            repl = fillLabelReferences(repl, ls);
            template = regex.template(repl);
        }
        if (defaultRegex && targetTemplate == null) {
            // vmagent's fast paths; the default regex matches anything, so the result is the same
            if (repl.equals("$1")) {
                ls.set(targetLabel, src);
                return;
            }
            if (replacement.indexOf('$') < 0) {
                ls.set(targetLabel, repl); // label values filled in are not templates
                return;
            }
        }
        Matcher m = regex.matcher(src);
        if (!m.matches()) {
            return;
        }
        String name = targetLabel;
        StringBuilder out = ls.scratch;
        if (targetTemplate != null) {
            out.setLength(0);
            targetTemplate.expand(out, src, m);
            name = out.toString();
        }
        out.setLength(0);
        template.expand(out, src, m);
        ls.set(name, out.toString());
    }

    private void labelmap(LabelSet ls) {
        int n = ls.size(); // labels added by this loop are not mapped again, as in vmagent
        for (int i = 0; i < n; i++) {
            String name = ls.name(i);
            Matcher m;
            if (defaultRegex) {
                if (replacement.equals("$1")) {
                    continue; // maps every label to itself
                }
                m = regex.matcher(name);
            } else {
                if (!regex.matches(name)) {
                    continue;
                }
                m = regex.matcher(name);
            }
            if (!m.matches()) {
                continue;
            }
            StringBuilder out = ls.scratch;
            out.setLength(0);
            replacementTemplate.expand(out, name, m);
            ls.set(out.toString(), ls.value(i));
        }
    }

    /** The source label values joined with the separator (a missing label counts as ""). */
    private String join(LabelSet ls) {
        if (sourceLabels.length == 1) {
            return ls.valueOrEmpty(sourceLabels[0]);
        }
        StringBuilder sb = ls.scratch;
        sb.setLength(0);
        for (int i = 0; i < sourceLabels.length; i++) {
            if (i > 0) {
                sb.append(separator);
            }
            sb.append(ls.valueOrEmpty(sourceLabels[i]));
        }
        return sb.toString();
    }

    private boolean allEqual(LabelSet ls) {
        String first = ls.valueOrEmpty(sourceLabels[0]);
        for (int i = 1; i < sourceLabels.length; i++) {
            if (!ls.valueOrEmpty(sourceLabels[i]).equals(first)) {
                return false;
            }
        }
        return true;
    }

    /** vmagent: {@code {{name}}} in a replace action's replacement becomes the value of label {@code name}. */
    static String fillLabelReferences(String replacement, LabelSet ls) {
        StringBuilder out = new StringBuilder(replacement.length() + 16);
        String s = replacement;
        while (!s.isEmpty()) {
            int open = s.indexOf("{{");
            if (open < 0) {
                out.append(s);
                break;
            }
            out.append(s, 0, open);
            s = s.substring(open + 2);
            int close = s.indexOf("}}");
            if (close < 0) {
                out.append("{{").append(s);
                break;
            }
            out.append(ls.valueOrEmpty(s.substring(0, close)));
            s = s.substring(close + 2);
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return action.yamlName()
                + (sourceLabels.length == 0 ? "" : " " + String.join(",", sourceLabels))
                + (targetLabel == null ? "" : " -> " + targetLabel)
                + (defaultRegex ? "" : " /" + regex + "/");
    }
}
