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
 * <p>Translated from RE2 to Java ({@link Re2Translation}):
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

    private static final String META = "\\.+*?()|[]{}^$";

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
        Pattern p = compile("(?:" + Re2Translation.toJava(trimmed, names) + ")", re2);
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
        Pattern p = compile(Re2Translation.toJava(re2, names), re2);
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

    @Override
    public String toString() {
        return source;
    }
}
