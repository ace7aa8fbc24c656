package dev.edgepush.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GoRegexTest {

    /** regex | input | whole-string match? (as RE2 answers for ^(?:regex)$). */
    @ParameterizedTest
    @CsvSource(
            delimiterString = " => ",
            quoteCharacter = '"',
            value = {
                "foo => foo => true",
                "foo => foobar => false",
                "foo => xfoo => false",
                "foo => bar => false",
                "a|b|c => c => true",
                "foo.* => foobar => true",
                "foo.* => foo => true",
                "foo.* => fo => false",
                ".* => anything => true",
                "\"\" => \"\" => true",
                "\"\" => x => false",
                "[[:alpha:]]+ => abcXYZ => true",
                "[[:alpha:]]+ => abc1 => false",
                "[[:^digit:]]+ => abc => true",
                "[a[]+ => a[a => true",
                "a{ => a{ => true",
                "a{2} => aa => true",
                "a{2,} => aaaa => true",
                "x{1,2}y => xxy => true",
                "{foo} => {foo} => true",
                "(?P<first_name>\\w+) (?P<n2>\\w+) => john smith => true",
                "(?i)error => ERROR => true",
                "(?i)é => É => true",
                "^foo$ => foo => true",
                "10\\.0\\.0\\.\\d+ => 10.0.0.7 => true",
                "10\\.0\\.0\\.\\d+ => 10a0b0c7 => false",
                "a&&b => a&&b => true",
                "[a&&b]+ => & => true",
            })
    void matchesLikeRe2(String regex, String input, boolean expected) {
        GoRegex g = GoRegex.anchored(regex);
        assertEquals(expected, g.matches(input), regex + " on " + input);
        assertEquals(expected, g.matcher(input).matches(), "engine agrees with the fast path: " + regex);
    }

    @Test
    void dotMatchesCarriageReturnButNotNewline() {
        assertTrue(GoRegex.anchored("a.b").matches("a\rb"));
        assertTrue(GoRegex.anchored("a.b").matches("a\u2028b"));
        assertFalse(GoRegex.anchored("a.b").matches("a\nb"));
        assertFalse(GoRegex.anchored("a.*").matches("a\nb"), "prefix fast path");
        assertFalse(GoRegex.anchored("(?:a.*)").matches("a\nb"), "engine");
        assertTrue(GoRegex.anchored("(?s)a.b").matches("a\nb"));
    }

    @Test
    void dollarIsEndOfTextUnlessMultiline() {
        StringBuilder out = new StringBuilder();
        GoTemplate x = GoRegex.DEFAULT.template("X");
        assertEquals("a\n", GoRegex.unanchored("a$").replaceAll("a\n", x, out), "RE2: $ is not before a final \\n");
        assertEquals("X", GoRegex.unanchored("a$").replaceAll("a", x, out));
        assertEquals("X\nX", GoRegex.unanchored("(?m)a$").replaceAll("a\na", x, out));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "(",
                "a)",
                "[a",
                "(?U)a*",
                "(a)\\1",
                "a*+",
                "a++",
                "\\C",
                "(?P<a>x)(?P<a>y)",
                "(?x)a",
                "[[:nope:]]",
                "a\\",
                "(?<n>a)b",
                "a(?=b)",
                "(?<!a)b",
                "(?>a)",
                "a\\Z"
            })
    void rejectsWhatRe2Rejects(String regex) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GoRegex.anchored(regex));
        assertTrue(e.getMessage().startsWith("cannot parse regex \"" + regex + "\""), e.getMessage());
    }

    /** template | expansion of regex (?P<name>a)(b)?(c) on "ac". */
    @ParameterizedTest
    @CsvSource(
            delimiterString = " => ",
            quoteCharacter = '"',
            value = {
                "$1 => a",
                "${1} => a",
                "$1x => \"\"",
                "${1}x => ax",
                "$name => a",
                "${name}-$3 => a-c",
                "$2 => \"\"",
                "$9 => \"\"",
                "$01 => \"\"",
                "$missing => \"\"",
                "$$1 => $1",
                "$ => $",
                "a$- => a$-",
                "${1 => ${1",
                "$0 => ac",
                "no refs => no refs",
            })
    void expandsLikeGoRegexpExpand(String template, String expected) {
        GoRegex g = GoRegex.anchored("(?P<name>a)(b)?(c)");
        Matcher m = g.matcher("ac");
        assertTrue(m.matches());
        StringBuilder out = new StringBuilder();
        g.template(template).expand(out, "ac", m);
        assertEquals(expected, out.toString(), template);
    }

    @Test
    void replaceAllFollowsGo() {
        StringBuilder out = new StringBuilder();
        assertEquals("-b-c-", GoRegex.unanchored("x*").replaceAll("bxxc", GoRegex.DEFAULT.template("-"), out));
        assertEquals("a_b_c", GoRegex.unanchored("[.-]").replaceAll("a.b-c", GoRegex.DEFAULT.template("_"), out));
        GoRegex g = GoRegex.unanchored("(\\w)(\\d)");
        assertEquals("2a-4b", g.replaceAll("a2-b4", g.template("$2$1"), out));
        assertEquals("abc", g.replaceAll("abc", g.template("$2$1"), out));
    }
}
