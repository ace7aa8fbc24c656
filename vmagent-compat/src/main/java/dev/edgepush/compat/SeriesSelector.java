package dev.edgepush.compat;

import java.util.ArrayList;
import java.util.List;

/**
 * vmagent's {@code if} filter of a relabel config: one or more PromQL series selectors, e.g.
 * {@code {__name__=~"node_.*",job="x"}} or {@code metric{label!="v"}}; a series matches if any selector
 * matches it. As in vmagent's MetricsQL, the filters in braces may be split into alternatives with
 * {@code or}: {@code m{a="1" or b="2"}} is {@code m{a="1"}} or {@code m{b="2"}}.
 *
 * <p>Grammar: {@code [metric_name] ['{' [filters ('or' filters)*] '}']}; {@code filters} is
 * {@code name op "value"} separated by commas (a trailing comma is allowed); {@code op} is {@code =},
 * {@code !=}, {@code =~} or {@code !~}; values are double-, single- or back-quoted strings with Go escapes.
 * A missing label matches like an empty value ({@code {a=""}} matches series without {@code a}); regexes
 * are anchored RE2 (see {@link GoRegex}). Not supported: quoted label names, functions and anything else
 * of PromQL. Immutable and thread-safe.
 */
final class SeriesSelector {

    private static final int EQ = 0;
    private static final int NEQ = 1;
    private static final int RE = 2;
    private static final int NRE = 3;

    /** Alternatives; each is an array of filters that must all match. */
    private final Filter[][] alternatives;

    private final String source;

    private SeriesSelector(String source, Filter[][] alternatives) {
        this.source = source;
        this.alternatives = alternatives;
    }

    private record Filter(String name, int op, String value, GoRegex regex) {
        boolean matches(LabelSet labels) {
            String v = labels.valueOrEmpty(name);
            switch (op) {
                case EQ:
                    return v.equals(value);
                case NEQ:
                    return !v.equals(value);
                case RE:
                    return regex.matches(v);
                default:
                    return !regex.matches(v);
            }
        }
    }

    /**
     * Parses one selector.
     *
     * @throws IllegalArgumentException naming the position and what was expected
     */
    static SeriesSelector parse(String text) {
        return new Parser(text).parse();
    }

    boolean matches(LabelSet labels) {
        for (Filter[] all : alternatives) {
            boolean ok = true;
            for (Filter f : all) {
                if (!f.matches(labels)) {
                    ok = false;
                    break;
                }
            }
            if (ok) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return source;
    }

    private static final class Parser {
        private final String s;
        private int pos;

        Parser(String s) {
            this.s = s;
        }

        SeriesSelector parse() {
            skipSpace();
            String metric = null;
            if (pos < s.length() && isNameStart(s.charAt(pos), true)) {
                metric = name(true);
                skipSpace();
            }
            List<Filter[]> alternatives = new ArrayList<>();
            if (pos < s.length() && s.charAt(pos) == '{') {
                pos++;
                List<Filter> current = new ArrayList<>();
                addMetric(current, metric);
                skipSpace();
                while (peek() != '}') {
                    if (pos >= s.length()) {
                        throw error("missing '}'");
                    }
                    String label = name(false);
                    skipSpace();
                    if (label.equals("or") && peek() != '=' && peek() != '!') {
                        if (current.size() == (metric == null ? 0 : 1)) {
                            throw error("expected a label filter before 'or'");
                        }
                        alternatives.add(current.toArray(new Filter[0]));
                        current = new ArrayList<>();
                        addMetric(current, metric);
                        continue;
                    }
                    int op = op();
                    skipSpace();
                    String value = string();
                    GoRegex regex = null;
                    if (op == RE || op == NRE) {
                        try {
                            regex = GoRegex.anchored(value);
                        } catch (IllegalArgumentException e) {
                            throw error(e.getMessage());
                        }
                    }
                    current.add(new Filter(label, op, value, regex));
                    skipSpace();
                    if (peek() == ',') {
                        pos++;
                        skipSpace();
                    } else if (pos >= s.length()) {
                        throw error("missing '}'");
                    } else if (peek() != '}' && !s.startsWith("or", pos)) {
                        throw error("expected ',', 'or' or '}'");
                    }
                }
                pos++;
                alternatives.add(current.toArray(new Filter[0]));
            } else {
                if (metric == null) {
                    throw error("expected a metric name or '{'");
                }
                List<Filter> only = new ArrayList<>();
                addMetric(only, metric);
                alternatives.add(only.toArray(new Filter[0]));
            }
            skipSpace();
            if (pos < s.length()) {
                throw error("unexpected '" + s.substring(pos) + "' after the selector");
            }
            return new SeriesSelector(s, alternatives.toArray(new Filter[0][]));
        }

        private static void addMetric(List<Filter> filters, String metric) {
            if (metric != null) {
                filters.add(new Filter("__name__", EQ, metric, null));
            }
        }

        private char peek() {
            return pos < s.length() ? s.charAt(pos) : '\0';
        }

        private int op() {
            if (s.startsWith("=~", pos)) {
                pos += 2;
                return RE;
            }
            if (s.startsWith("!~", pos)) {
                pos += 2;
                return NRE;
            }
            if (s.startsWith("!=", pos)) {
                pos += 2;
                return NEQ;
            }
            if (s.startsWith("=", pos)) {
                pos += 1;
                return EQ;
            }
            throw error("expected =, !=, =~ or !~");
        }

        private String name(boolean metric) {
            int start = pos;
            if (pos >= s.length() || !isNameStart(s.charAt(pos), metric)) {
                throw error(metric ? "expected a metric name" : "expected a label name");
            }
            while (pos < s.length() && isNameChar(s.charAt(pos), metric)) {
                pos++;
            }
            return s.substring(start, pos);
        }

        private String string() {
            char quote = peek();
            if (quote != '"' && quote != '\'' && quote != '`') {
                throw error("expected a quoted string");
            }
            pos++;
            StringBuilder out = new StringBuilder();
            while (pos < s.length()) {
                char c = s.charAt(pos++);
                if (c == quote) {
                    return out.toString();
                }
                if (c != '\\' || quote == '`') {
                    out.append(c);
                    continue;
                }
                if (pos >= s.length()) {
                    break;
                }
                char e = s.charAt(pos++);
                switch (e) {
                    case 'n':
                        out.append('\n');
                        break;
                    case 't':
                        out.append('\t');
                        break;
                    case 'r':
                        out.append('\r');
                        break;
                    case '\\':
                    case '"':
                    case '\'':
                    case '`':
                        out.append(e);
                        break;
                    default:
                        // keep unknown escapes as written, so regex escapes like "\." survive
                        out.append('\\').append(e);
                }
            }
            throw error("unterminated string");
        }

        private void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        private static boolean isNameStart(char c, boolean metric) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (metric && c == ':');
        }

        private static boolean isNameChar(char c, boolean metric) {
            return isNameStart(c, metric) || (c >= '0' && c <= '9');
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException(
                    "cannot parse series selector '" + s + "' at position " + pos + ": " + what);
        }
    }
}
