package dev.edgepush.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A regex in a relabel config is accepted by edge-agent exactly when vmagent 1.79.5 accepts it, so a
 * fleet switched from vmagent fails on the same configs instead of silently matching differently.
 * {@link #CASES} holds vmagent's verdicts; one test checks GoRegex against them, the other checks
 * them against the real vmagent binary (installed with Debian's victoria-metrics package), so the
 * list cannot drift from what vmagent does.
 */
class GoRegexVmagentParityIT {
    /** regex to whether vmagent 1.79.5 accepts it (as a relabel_configs regex, in -dryRun). */
    static final Map<String, Boolean> CASES = new LinkedHashMap<>();

    static {
        for (String accepted : List.of(
                "(?P<name>a)",
                "(?P<1a>a)",
                "(?i)a",
                "(?s).",
                "(?m)^a$",
                "(?i:a)",
                "(?i-s:a)",
                "(?sim:a)",
                "(?)",
                "x(?i)y",
                "\\Aa\\z",
                "\\x41",
                "\\x{41}",
                "\\101",
                "\\0",
                "\\12",
                "\\08",
                "\\p{L}",
                "\\pL",
                "\\pN",
                "\\p{Greek}",
                "\\p{^Greek}",
                "\\p{Any}",
                "\\P{^L}",
                "\\p{Lu}",
                "\\P{L}",
                "\\p{Latin}",
                "\\p{Old_Italic}",
                "\\p{Han}",
                "\\p{Cs}",
                "[\\p{Greek}a]",
                "[\\pL]",
                "[[:alpha:]]",
                "[[:word:]]",
                "[a-z&&[^b]]",
                "[[=a=]]",
                "a{,3}",
                "a{1000}",
                "a{1,1000}",
                "a{2}?",
                "\\Q.*\\E",
                "\\bfoo\\b",
                "\\Bfoo",
                "()",
                "(?:)",
                "[^]a]",
                "[]a]",
                "[a-]",
                "[-a]",
                "\\v",
                "\\a",
                "\\f",
                "\\_",
                "\\-",
                "\\#",
                "\\@",
                "a*?",
                "a+?",
                "a??")) {
            CASES.put(accepted, true);
        }
        for (String rejected : List.of(
                "a(?=b)",
                "a(?!b)",
                "(?<=a)b",
                "(?<!a)b",
                "(?>ab)",
                "(?<name>a)",
                "(?'n'a)",
                "(?#comment)a",
                "(?P=name)",
                "(?P>name)",
                "(?x)a b",
                "(?d)a",
                "(?u)a",
                "(?-)",
                "(?i-)",
                "(?--i)",
                "(?P<>a)",
                "(?P<a-b>a)",
                "(?i",
                "(a)\\1",
                "\\1",
                "\\8",
                "\\k<n>",
                "\\g1",
                "a*+",
                "a++",
                "a?+",
                "a{2}+",
                "a**",
                "x{2}{3}",
                "a{2}??",
                "a*??",
                "a{1001}",
                "a{0,1001}",
                "a{2,1}",
                "\\Ca",
                "a\\Z",
                "\\Ga",
                "\\Ra",
                "\\Xa",
                "\\ha",
                "\\Ha",
                "\\Va",
                "\\ea",
                "\\cA",
                "\\u0041",
                "\\N{LATIN SMALL LETTER A}",
                "\\E",
                "\\p{Alpha}",
                "\\p{IsLatin}",
                "\\p{javaLowerCase}",
                "\\p{LC}",
                "\\p{}",
                "\\p{Lu",
                "[\\b]",
                "[\\Q]\\E]",
                "[[:foo:]]",
                "[z-a]",
                "a|*",
                "(*)",
                "\\x{110000}")) {
            CASES.put(rejected, false);
        }
    }

    /** The one known difference: vmagent accepts the ungreedy flag, which Java cannot express. */
    static final String UNGREEDY = "(?U)a*";

    private static boolean acceptedByGoRegex(String regex) {
        try {
            GoRegex.anchored(regex);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Test
    void goRegexAcceptsWhatVmagentAcceptsAndRejectsWhatItRejects() {
        List<String> differ = new ArrayList<>();
        CASES.forEach((regex, vmagent) -> {
            if (acceptedByGoRegex(regex) != vmagent) {
                differ.add(regex + " (vmagent " + (vmagent ? "accepts" : "rejects") + ")");
            }
        });
        assertEquals(List.of(), differ);
        assertEquals(false, acceptedByGoRegex(UNGREEDY), "(?U) stays a loud difference, never a silent one");
    }

    @Test
    void theRejectionNamesTheRegexAndWhatRe2Lacks() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> GoRegex.anchored("a(?=b)"));
        assertEquals(
                "cannot parse regex \"a(?=b)\": invalid or unsupported Perl syntax: (?= (RE2 has no"
                        + " look-around, atomic groups, (?<name>...) or back-references)",
                e.getMessage());
    }

    @Test
    void theAcceptedOnesMatchAsRe2Does() {
        assertTrue(GoRegex.anchored("\\101").matches("A"), "octal, not a back-reference");
        assertTrue(GoRegex.anchored("\\12").matches("\n"));
        assertTrue(GoRegex.anchored("\\0").matches("\0"));
        assertTrue(GoRegex.anchored("\\p{Greek}+").matches("αβγ"));
        assertEquals(false, GoRegex.anchored("\\p{^Greek}").matches("α"));
        assertTrue(GoRegex.anchored("\\p{Any}").matches("\n"));
        assertTrue(GoRegex.anchored("(?)a").matches("a"));
        assertTrue(GoRegex.anchored("[\\p{Greek}a]+").matches("aα"));
    }

    @Test
    void theVerdictsAreTheRealVmagents(@TempDir Path dir) throws Exception {
        String vmagent = binary("vmagent");
        List<String> differ = new ArrayList<>();
        Map<String, Boolean> all = new LinkedHashMap<>(CASES);
        all.put(UNGREEDY, true);
        int n = 0;
        for (Map.Entry<String, Boolean> c : all.entrySet()) {
            Path config = dir.resolve("c" + n++ + ".yml");
            Files.writeString(
                    config,
                    "scrape_configs:\n- job_name: j\n  static_configs: [{targets: ['localhost:1']}]\n"
                            + "  relabel_configs:\n  - source_labels: [__address__]\n    action: keep\n    regex: '"
                            + c.getKey().replace("'", "''") + "'\n",
                    StandardCharsets.UTF_8);
            boolean accepted = vmagentAccepts(vmagent, config, dir);
            if (accepted != c.getValue()) {
                differ.add(c.getKey() + " (vmagent " + (accepted ? "accepts" : "rejects") + ")");
            }
        }
        assertEquals(List.of(), differ, "CASES must hold what the installed vmagent says");
    }

    private static boolean vmagentAccepts(String vmagent, Path config, Path dir)
            throws IOException, InterruptedException {
        Path log = dir.resolve("vmagent.log");
        Process p = new ProcessBuilder(vmagent, "-dryRun", "-promscrape.config=" + config)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("vmagent -dryRun did not finish within 60 s");
        }
        String out = Files.readString(log);
        if (p.exitValue() != 0) {
            assertTrue(out.contains("regex"), "vmagent rejected the config for another reason: " + out);
        }
        return p.exitValue() == 0;
    }

    static String binary(String name) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(d, name))) {
                return Path.of(d, name).toString();
            }
        }
        throw new IllegalStateException(
                name + " is not installed: .ci/run installs it" + " (apt-get install -y victoria-metrics)");
    }
}
