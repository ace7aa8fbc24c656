package dev.edgepush.compat;

import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Translates a Go (RE2) regular expression into {@code java.util.regex} syntax, and rejects what Go's
 * regexp rejects: the rules are listed on {@link GoRegex}. Errors are {@link IllegalArgumentException}s
 * that start with {@code cannot parse regex "<the regex>": }. Stateless.
 */
final class Re2Translation {

    private static final Map<String, String> POSIX = Map.ofEntries(
            Map.entry("alnum", "\\p{Alnum}"),
            Map.entry("alpha", "\\p{Alpha}"),
            Map.entry("ascii", "\\p{ASCII}"),
            Map.entry("blank", "\\p{Blank}"),
            Map.entry("cntrl", "\\p{Cntrl}"),
            Map.entry("digit", "\\p{Digit}"),
            Map.entry("graph", "\\p{Graph}"),
            Map.entry("lower", "\\p{Lower}"),
            Map.entry("print", "\\p{Print}"),
            Map.entry("punct", "\\p{Punct}"),
            Map.entry("space", "\\s"),
            Map.entry("upper", "\\p{Upper}"),
            Map.entry("word", "\\w"),
            Map.entry("xdigit", "\\p{XDigit}"));
    private static final Pattern REPETITION = Pattern.compile("\\{[0-9]+(,[0-9]*)?\\}");
    private static final Pattern FLAG_GROUP = Pattern.compile("\\(\\?([a-zA-Z]*)[:)-]");
    /** Go's largest repeat count in {@code {n,m}}. */
    private static final int MAX_REPEAT_COUNT = 1000;
    /** Escapes Go knows outside a character class (letters and digits; other ASCII punctuation is literal). */
    private static final String GO_ESCAPES = "AbBzdDsSwWpPQafnrtvx";
    /** Escapes Go knows inside a character class. */
    private static final String GO_CLASS_ESCAPES = "dDsSwWpPafnrtvx";
    /** Go's Unicode general categories ({@code \p{Lu}}); scripts are checked against the JDK's list. */
    private static final Set<String> GO_CATEGORIES = Set.of(
            "C", "Cc", "Cf", "Co", "Cs", "L", "Ll", "Lm", "Lo", "Lt", "Lu", "M", "Mc", "Me", "Mn", "N", "Nd", "Nl",
            "No", "P", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "S", "Sc", "Sk", "Sm", "So", "Z", "Zl", "Zp", "Zs");

    private Re2Translation() {}

    /** RE2 syntax to java.util.regex syntax; fills {@code names} with the renamed groups. */
    static String toJava(String re, Map<String, String> names) {
        StringBuilder out = new StringBuilder(re.length() + 8);
        boolean multiline = re.contains("(?") && hasMultilineFlag(re);
        int n = re.length();
        int i = 0;
        while (i < n) {
            char c = re.charAt(i);
            switch (c) {
                case '\\':
                    i = escape(re, i, out, false);
                    break;
                case '[':
                    i = charClass(re, i, out);
                    break;
                case '(':
                    i = group(re, i, out, names);
                    break;
                case '$':
                    out.append(multiline ? "$" : "\\z");
                    i++;
                    break;
                case '{':
                    int end = repetitionEnd(re, i);
                    if (end < 0) {
                        out.append("\\{");
                        i++;
                    } else {
                        checkRepeatCount(re, i, end);
                        out.append(re, i, end);
                        i = end;
                        if (i < n && re.charAt(i) == '?') {
                            out.append('?');
                            i++;
                        }
                        checkNotNested(re, i);
                    }
                    break;
                case '*':
                case '+':
                case '?':
                    out.append(c);
                    i++;
                    if (i < n && re.charAt(i) == '?') {
                        out.append('?');
                        i++;
                    }
                    checkNotNested(re, i);
                    break;
                default:
                    out.append(c);
                    i++;
            }
        }
        return out.toString();
    }

    private static boolean hasMultilineFlag(String re) {
        Matcher m = FLAG_GROUP.matcher(re);
        while (m.find()) {
            if (m.group(1).indexOf('m') >= 0) {
                return true;
            }
        }
        return false;
    }

    /** Go rejects a repetition of a repetition ({@code a**}, {@code x{2}{3}}, possessive {@code a*+}). */
    private static void checkNotNested(String re, int i) {
        if (i >= re.length()) {
            return;
        }
        char c = re.charAt(i);
        if (c == '*' || c == '+' || c == '?' || (c == '{' && repetitionEnd(re, i) >= 0)) {
            throw new IllegalArgumentException("cannot parse regex \"" + re
                    + "\": invalid nested repetition operator at " + i + " (RE2 has no possessive quantifiers"
                    + " and no repetition of a repetition)");
        }
    }

    private static void checkRepeatCount(String re, int start, int end) {
        String body = re.substring(start + 1, end - 1);
        int comma = body.indexOf(',');
        long min = Long.parseLong(comma < 0 ? body : body.substring(0, comma));
        String maxText = comma < 0 ? body : body.substring(comma + 1);
        long max = maxText.isEmpty() ? min : Long.parseLong(maxText);
        if (min > MAX_REPEAT_COUNT || max > MAX_REPEAT_COUNT || max < min) {
            throw new IllegalArgumentException("cannot parse regex \"" + re + "\": invalid repeat count "
                    + re.substring(start, end) + " (at most " + MAX_REPEAT_COUNT + ", the minimum first)");
        }
    }

    /** End (exclusive) of a repetition {n}, {n,} or {n,m} starting at {@code i}, or -1 if it is a literal '{'. */
    private static int repetitionEnd(String re, int i) {
        Matcher m = REPETITION.matcher(re);
        m.region(i, re.length());
        return m.lookingAt() ? m.end() : -1;
    }

    private static int escape(String re, int i, StringBuilder out, boolean inClass) {
        if (i + 1 >= re.length()) {
            throw new IllegalArgumentException("cannot parse regex \"" + re + "\": trailing backslash");
        }
        char e = re.charAt(i + 1);
        boolean octalNext = i + 2 < re.length() && re.charAt(i + 2) >= '0' && re.charAt(i + 2) <= '7';
        if (e == '0' || (e >= '1' && e <= '7' && octalNext)) {
            // Go: \0, \01, \101 are octal (up to three digits); Java reads \1.. as back-references.
            int end = i + 2;
            while (end < re.length() && end < i + 4 && re.charAt(end) >= '0' && re.charAt(end) <= '7') {
                end++;
            }
            out.append("\\x{")
                    .append(Integer.toHexString(Integer.parseInt(re.substring(i + 1, end), 8)))
                    .append('}');
            return end;
        }
        if (e >= '1' && e <= '9') {
            throw new IllegalArgumentException("cannot parse regex \"" + re + "\": invalid escape sequence \\" + e
                    + " (back-references are not supported by RE2)");
        }
        if (e >= 0x80 || (Character.isLetterOrDigit(e) && (inClass ? GO_CLASS_ESCAPES : GO_ESCAPES).indexOf(e) < 0)) {
            throw new IllegalArgumentException("cannot parse regex \"" + re + "\": invalid escape sequence \\" + e
                    + (inClass ? " inside [...]" : "") + " (not in Go's RE2)");
        }
        if (e == 'p' || e == 'P') {
            return unicodeClass(re, i, out, inClass);
        }
        if (e == 'Q' && !inClass) {
            int end = re.indexOf("\\E", i + 2);
            int stop = end < 0 ? re.length() : end + 2;
            out.append(re, i, stop);
            return stop;
        }
        out.append(re, i, i + 2);
        return i + 2;
    }

    /** {@code \pL}, {@code \p{Greek}}, {@code \p{^Lu}}, {@code \P{Any}}, as Go reads them. */
    private static int unicodeClass(String re, int i, StringBuilder out, boolean inClass) {
        boolean negated = re.charAt(i + 1) == 'P';
        String name;
        int end;
        if (i + 2 < re.length() && re.charAt(i + 2) == '{') {
            int close = re.indexOf('}', i + 3);
            if (close < 0) {
                throw badClass(re, re.substring(i));
            }
            name = re.substring(i + 3, close);
            end = close + 1;
        } else if (i + 2 < re.length()) {
            name = re.substring(i + 2, i + 3);
            end = i + 3;
        } else {
            throw badClass(re, re.substring(i));
        }
        String raw = re.substring(i, end);
        if (name.startsWith("^")) {
            negated = !negated;
            name = name.substring(1);
        }
        String java;
        if (name.equals("Any")) {
            if (negated && inClass) {
                throw new IllegalArgumentException(
                        "cannot parse regex \"" + re + "\": " + raw + " inside [...] is not supported by edge-agent");
            }
            java = (negated ? "[^" : inClass ? "" : "[") + "\\x{0}-\\x{10FFFF}" + (inClass ? "" : "]");
            out.append(java);
            return end;
        }
        if (GO_CATEGORIES.contains(name)) {
            java = name;
        } else if (isGoScript(name)) {
            java = "Is" + name;
        } else {
            throw badClass(re, raw);
        }
        out.append(negated ? "\\P{" : "\\p{").append(java).append('}');
        return end;
    }

    /** A Unicode script as Go names it ({@code Greek}, {@code Old_Italic}): capitalised, no aliases. */
    private static boolean isGoScript(String name) {
        if (name.isEmpty() || !Character.isUpperCase(name.charAt(0)) || !name.matches("[A-Za-z_]+")) {
            return false;
        }
        try {
            return Character.UnicodeScript.valueOf(name.toUpperCase(java.util.Locale.ROOT))
                    != Character.UnicodeScript.UNKNOWN;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static IllegalArgumentException badClass(String re, String raw) {
        return new IllegalArgumentException("cannot parse regex \"" + re + "\": invalid character class range " + raw
                + " (Go knows Unicode categories such as L or Lu, scripts such as Greek, and Any)");
    }

    private static int charClass(String re, int start, StringBuilder out) {
        int n = re.length();
        int i = start + 1;
        out.append('[');
        if (i < n && re.charAt(i) == '^') {
            out.append('^');
            i++;
        }
        boolean first = true;
        while (i < n) {
            char c = re.charAt(i);
            if (c == ']' && !first) {
                out.append(']');
                return i + 1;
            }
            first = false;
            if (c == '\\') {
                i = escape(re, i, out, true);
            } else if (c == '[' && i + 1 < n && re.charAt(i + 1) == ':') {
                int close = re.indexOf(":]", i + 2);
                if (close < 0) {
                    throw new IllegalArgumentException("cannot parse regex \"" + re + "\": missing ':]'");
                }
                String name = re.substring(i + 2, close);
                boolean negated = name.startsWith("^");
                String cls = POSIX.get(negated ? name.substring(1) : name);
                if (cls == null) {
                    throw new IllegalArgumentException(
                            "cannot parse regex \"" + re + "\": invalid character class range [:" + name + ":]");
                }
                if (negated) {
                    cls = cls.equals("\\s") ? "\\S" : cls.equals("\\w") ? "\\W" : "\\P" + cls.substring(2);
                }
                out.append(cls);
                i = close + 2;
            } else if (c == '[' || c == '&' || c == ']') {
                out.append('\\').append(c);
                i++;
            } else {
                out.append(c);
                i++;
            }
        }
        throw new IllegalArgumentException("cannot parse regex \"" + re + "\": missing closing ]");
    }

    private static int group(String re, int i, StringBuilder out, Map<String, String> names) {
        int n = re.length();
        if (i + 1 >= n || re.charAt(i + 1) != '?') {
            out.append('(');
            return i + 1;
        }
        int j = i + 2;
        if (re.startsWith("P<", j)) {
            int nameStart = j + 2;
            int close = re.indexOf('>', nameStart);
            if (close < 0) {
                throw new IllegalArgumentException("cannot parse regex \"" + re + "\": invalid named capture");
            }
            String name = re.substring(nameStart, close);
            if (!name.matches("[A-Za-z0-9_]+")) {
                throw new IllegalArgumentException(
                        "cannot parse regex \"" + re + "\": invalid named capture '" + name + "'");
            }
            if (names.containsKey(name)) {
                throw new IllegalArgumentException(
                        "cannot parse regex \"" + re + "\": duplicate capture group name '" + name + "'");
            }
            String javaName = "g" + names.size() + "x" + name.replaceAll("[^A-Za-z0-9]", "");
            names.put(name, javaName);
            out.append("(?<").append(javaName).append('>');
            return close + 1;
        }
        // Flags, as Go parses them: (?flags) or (?flags:re), flags from imsU with at most one '-'
        // followed by at least one flag. Everything else after "(?" is Perl syntax Go rejects.
        int k = j;
        boolean minus = false;
        boolean flagAfterMinus = false;
        while (k < n && re.charAt(k) != ':' && re.charAt(k) != ')') {
            char f = re.charAt(k);
            if (f == '-' && !minus) {
                minus = true;
            } else if ("imsU".indexOf(f) >= 0) {
                if (f == 'U') {
                    throw new IllegalArgumentException(
                            "cannot parse regex \"" + re + "\": the ungreedy flag (?U) is not supported by edge-agent");
                }
                flagAfterMinus |= minus;
            } else {
                throw new IllegalArgumentException("cannot parse regex \"" + re
                        + "\": invalid or unsupported Perl syntax: (?" + re.substring(j, k + 1)
                        + " (RE2 has no look-around, atomic groups, (?<name>...) or back-references)");
            }
            k++;
        }
        if (k >= n) {
            throw new IllegalArgumentException("cannot parse regex \"" + re + "\": missing closing )");
        }
        if (minus && !flagAfterMinus) {
            throw new IllegalArgumentException("cannot parse regex \"" + re
                    + "\": invalid or unsupported Perl syntax: (?" + re.substring(j, k + 1));
        }
        if (k == j && re.charAt(k) == ')') {
            return k + 1; // "(?)": no flags, nothing to match; Go accepts it, Java does not
        }
        out.append(re, i, k + 1);
        return k + 1;
    }
}
