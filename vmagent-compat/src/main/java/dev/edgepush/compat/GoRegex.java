package dev.edgepush.compat;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A Go (RE2) regular expression as vmagent's relabeling uses it, run on {@code java.util.regex}.
 *
 * <p>Translated from RE2 to Java:
 * <ul>
 *   <li>named groups {@code (?P<name>re)} (Java does not allow {@code _} in group names, so groups are
 *       renamed internally; {@code ${name}} in replacements still works);</li>
 *   <li>octal escapes ({@code \0}, {@code \101}), Unicode classes {@code \pL}, {@code \p{Greek}},
 *       {@code \p{^Greek}}, {@code \p{Any}} (Go's category and script names only);</li>
 *   <li>{@code .} matches anything but {@code \n}, as in RE2 (Java also stops at {@code \r} and other line
 *       terminators unless told otherwise); {@code (?i)} folds Unicode case, as in RE2;</li>
 *   <li>{@code $} outside {@code (?m)} means end of text (Java's would also match before a final
 *       {@code \n});</li>
 *   <li>POSIX classes inside brackets ({@code [[:alpha:]]}, {@code [[:^digit:]]}); a {@code [} or
 *       {@code &&} inside brackets is literal; a {@code {} that does not start a repetition is literal.</li>
 * </ul>
 * Rejected with an error, as vmagent 1.79.5 (Go's regexp) does, so that a fleet switched from vmagent
 * fails on the same configs rather than matching differently: look-ahead and look-behind
 * ({@code (?=}, {@code (?!}, {@code (?<=}, {@code (?<!}), atomic groups {@code (?>}, {@code (?<name>re)}
 * (Go accepts it only from 1.22 on), comments {@code (?#}, any flag but {@code imsU}, back-references
 * ({@code \1}, {@code \k<n>}, {@code \g1}), nested and possessive repetitions ({@code a*+},
 * {@code a**}, {@code x{2}{3}}), repeat counts over 1000, and every escape Go does not know ({@code \Z},
 * {@code \G}, {@code \R}, {@code \X}, {@code \h}, {@code \e}, {@code \cX}, {@code \u0041},
 * {@code \N{..}}, {@code \C}, {@code \p{Alpha}}, {@code \p{javaLowerCase}}, ...). One difference is
 * left: the ungreedy flag {@code (?U)}, which vmagent accepts, is rejected here (Java has no
 * equivalent). {@code GoRegexVmagentParityIT} checks these verdicts against the real vmagent. Known small
 * differences in matching: {@code \s} also matches vertical tab; {@code \b} uses Java's notion of a word
 * character.
 *
 * <p>Anchoring follows vmagent: {@link #anchored} patterns match the whole string (a leading {@code ^} and
 * trailing {@code $} are redundant and removed), {@link #unanchored} ones (for {@code replace_all} and
 * {@code labelmap_all}) match anywhere. Immutable and thread-safe.
 */
final class GoRegex {

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
    private static final String META = "\\.+*?()|[]{}^$";
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

    /**
     * vmagent's default {@code regex}: matches anything, and group 1 is the whole value. Declared after the
     * constants {@link #anchored} uses, so that they are initialized first.
     */
    static final GoRegex DEFAULT = anchored("(.*)");

    private final String source;
    private final Pattern pattern;
    /** RE2 group name to the Java group name it was renamed to. */
    private final Map<String, String> groupNames;
    /** Non-null when the regex is a literal or an alternation of literals: the strings it matches. */
    private final Set<String> literals;
    /** Non-null when the regex is {@code literal.*}: the literal. */
    private final String prefix;

    private final boolean matchesAnything;

    private GoRegex(
            String source,
            Pattern pattern,
            Map<String, String> groupNames,
            Set<String> literals,
            String prefix,
            boolean matchesAnything) {
        this.source = source;
        this.pattern = pattern;
        this.groupNames = groupNames;
        this.literals = literals;
        this.prefix = prefix;
        this.matchesAnything = matchesAnything;
    }

    /**
     * A regex that must match the whole string, as relabeling and {@code =~} selectors use it.
     *
     * @throws IllegalArgumentException if it is not valid RE2 or uses something unsupported
     */
    static GoRegex anchored(String re2) {
        String trimmed = removeStartEndAnchors(re2);
        Map<String, String> names = new HashMap<>();
        Pattern p = compile("(?:" + translate(trimmed, names) + ")", re2);
        Set<String> literals = null;
        String prefix = null;
        boolean anything = trimmed.equals(".*") || trimmed.equals("(.*)");
        if (isLiteralAlternation(trimmed)) {
            literals = new HashSet<>(Arrays.asList(trimmed.split("\\|", -1)));
        } else if (trimmed.endsWith(".*") && isLiteral(trimmed.substring(0, trimmed.length() - 2))) {
            prefix = trimmed.substring(0, trimmed.length() - 2);
        }
        return new GoRegex(re2, p, Map.copyOf(names), literals == null ? null : Set.copyOf(literals), prefix, anything);
    }

    /** A regex that may match anywhere in the string ({@code replace_all}, {@code labelmap_all}). */
    static GoRegex unanchored(String re2) {
        Map<String, String> names = new HashMap<>();
        Pattern p = compile(translate(re2, names), re2);
        return new GoRegex(re2, p, Map.copyOf(names), null, null, false);
    }

    String source() {
        return source;
    }

    /** Whether this anchored regex matches all of {@code s}. Literal and prefix regexes skip the engine. */
    boolean matches(String s) {
        if (literals != null) {
            return literals.contains(s);
        }
        if (prefix != null) {
            // RE2's '.' does not match '\n', so "foo.*" does not match "foo\nbar"
            return s.startsWith(prefix) && s.indexOf('\n', prefix.length()) < 0;
        }
        if (matchesAnything) {
            return s.indexOf('\n') < 0;
        }
        return pattern.matcher(s).matches();
    }

    /** A matcher over {@code s}; call {@code matches()} or {@code find()} on it. */
    Matcher matcher(String s) {
        return pattern.matcher(s);
    }

    /** Parses a Go replacement template ({@code $1}, {@code ${1}}, {@code $name}, {@code ${name}}, {@code $$}). */
    GoTemplate template(String template) {
        return GoTemplate.compile(template, groupNames);
    }

    /**
     * Go's {@code Regexp.ReplaceAllString}: replaces every non-overlapping match with {@code template}
     * expanded; an empty match right after a previous match is not replaced.
     */
    String replaceAll(String s, GoTemplate template, StringBuilder out) {
        Matcher m = pattern.matcher(s);
        out.setLength(0);
        int lastMatchEnd = 0;
        int searchPos = 0;
        boolean replaced = false;
        while (searchPos <= s.length() && m.find(searchPos)) {
            out.append(s, lastMatchEnd, m.start());
            if (m.end() > lastMatchEnd || m.start() == 0) {
                template.expand(out, s, m);
                replaced = true;
            }
            lastMatchEnd = m.end();
            int width = searchPos < s.length() ? Character.charCount(s.codePointAt(searchPos)) : 1;
            searchPos = searchPos + width > m.end() ? searchPos + width : m.end();
        }
        if (!replaced && lastMatchEnd == 0) {
            return s;
        }
        out.append(s, lastMatchEnd, s.length());
        return out.toString();
    }

    private static Pattern compile(String java, String re2) {
        try {
            return Pattern.compile(java, Pattern.UNIX_LINES | Pattern.UNICODE_CASE);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("cannot parse regex \"" + re2 + "\": " + e.getDescription(), e);
        }
    }

    /** vmagent's regexutil.RemoveStartEndAnchors: anchoring is implicit, so leading ^ and trailing $ go. */
    static String removeStartEndAnchors(String re) {
        String s = re;
        while (s.startsWith("^")) {
            s = s.substring(1);
        }
        while (s.endsWith("$") && !s.endsWith("\\$")) {
            s = s.substring(0, s.length() - 1);
        }
        return s;
    }

    private static boolean isLiteral(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (META.indexOf(s.charAt(i)) >= 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean isLiteralAlternation(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '|' && META.indexOf(c) >= 0) {
                return false;
            }
        }
        return true;
    }

    /** RE2 syntax to java.util.regex syntax; fills {@code names} with the renamed groups. */
    static String translate(String re, Map<String, String> names) {
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

    @Override
    public String toString() {
        return source;
    }
}
