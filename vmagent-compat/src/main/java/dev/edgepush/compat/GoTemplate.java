package dev.edgepush.compat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;

/**
 * A compiled Go replacement template, as {@code regexp.Expand} reads it: {@code $name} takes the longest
 * run of letters, digits and {@code _} (so {@code $1x} means the group named "1x", which is empty: write
 * {@code ${1}x}); {@code ${name}} is explicit; {@code $$} is a literal {@code $}; a {@code $} that starts
 * no valid reference is kept as is; a missing group expands to nothing. Built by
 * {@link GoRegex#template}, which knows the group names; immutable and thread-safe.
 */
final class GoTemplate {
    private final String source;
    /** Literal text, or null for a group reference in the same slot of {@link #groups}. */
    private final String[] literals;
    /** Group number, or -1 with a Java group name in {@link #names}, or -2 for a group that never exists. */
    private final int[] groups;

    private final String[] names;

    private GoTemplate(String source, List<String> literals, List<Integer> groups, List<String> names) {
        this.source = source;
        this.literals = literals.toArray(new String[0]);
        this.groups = groups.stream().mapToInt(Integer::intValue).toArray();
        this.names = names.toArray(new String[0]);
    }

    static GoTemplate compile(String template, Map<String, String> groupNames) {
        List<String> literals = new ArrayList<>();
        List<Integer> groups = new ArrayList<>();
        List<String> names = new ArrayList<>();
        StringBuilder lit = new StringBuilder();
        int n = template.length();
        int i = 0;
        while (i < n) {
            int d = template.indexOf('$', i);
            if (d < 0) {
                lit.append(template, i, n);
                break;
            }
            lit.append(template, i, d);
            int p = d + 1;
            if (p < n && template.charAt(p) == '$') {
                lit.append('$');
                i = p + 1;
                continue;
            }
            boolean brace = p < n && template.charAt(p) == '{';
            int start = brace ? p + 1 : p;
            int e = start;
            while (e < n) {
                int cp = template.codePointAt(e);
                if (!Character.isLetter(cp) && !Character.isDigit(cp) && cp != '_') {
                    break;
                }
                e += Character.charCount(cp);
            }
            if (e == start || (brace && (e >= n || template.charAt(e) != '}'))) {
                lit.append('$'); // malformed: Go keeps the '$' as text
                i = p;
                continue;
            }
            String name = template.substring(start, e);
            i = brace ? e + 1 : e;
            if (lit.length() > 0) {
                literals.add(lit.toString());
                groups.add(Integer.MIN_VALUE);
                names.add(null);
                lit.setLength(0);
            }
            int num = groupNumber(name);
            literals.add(null);
            if (num >= 0) {
                groups.add(num);
                names.add(null);
            } else {
                String javaName = groupNames.get(name);
                groups.add(javaName == null ? -2 : -1);
                names.add(javaName);
            }
        }
        if (lit.length() > 0) {
            literals.add(lit.toString());
            groups.add(Integer.MIN_VALUE);
            names.add(null);
        }
        return new GoTemplate(template, literals, groups, names);
    }

    /** Go's rule: all ASCII digits, below 1e8, no leading zero; else -1 (a name). */
    private static int groupNumber(String name) {
        int num = 0;
        for (int k = 0; k < name.length(); k++) {
            char ch = name.charAt(k);
            if (ch < '0' || ch > '9' || num >= 100_000_000) {
                return -1;
            }
            num = num * 10 + (ch - '0');
        }
        if (name.charAt(0) == '0' && name.length() > 1) {
            return -1;
        }
        return num;
    }

    String source() {
        return source;
    }

    /** Appends the expansion for the current match of {@code m} over {@code s} to {@code out}. */
    void expand(StringBuilder out, String s, Matcher m) {
        for (int k = 0; k < literals.length; k++) {
            if (literals[k] != null) {
                out.append(literals[k]);
                continue;
            }
            int g = groups[k];
            if (g >= 0) {
                if (g <= m.groupCount() && m.start(g) >= 0) {
                    out.append(s, m.start(g), m.end(g));
                }
            } else if (g == -1 && m.start(names[k]) >= 0) {
                out.append(s, m.start(names[k]), m.end(names[k]));
            }
        }
    }

    @Override
    public String toString() {
        return source;
    }
}
