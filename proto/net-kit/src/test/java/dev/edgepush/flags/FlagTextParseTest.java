package dev.edgepush.flags;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

class FlagTextParseTest {
    @Command(name = "t")
    static final class Flags {
        @Option(names = "-n")
        int n;
    }

    private static CommandLine commandLine(Flags f) {
        return new CommandLine(f).setUnmatchedOptionsArePositionalParams(false);
    }

    @Test
    void parsedFlagsHaveNoProblems() {
        Flags f = new Flags();
        assertEquals(List.of(), FlagText.parse(commandLine(f), new String[] {"-n", "3"}, u -> "?"));
        assertEquals(3, f.n);
    }

    @Test
    void everyUnknownFlagIsALineAndABadValueIsPicocliSMessage() {
        assertEquals(
                List.of("unknown -a", "unknown -b=1"),
                FlagText.parse(commandLine(new Flags()), new String[] {"-a", "-b=1"}, u -> "unknown " + u));
        List<String> bad = FlagText.parse(commandLine(new Flags()), new String[] {"-n", "x"}, u -> "?");
        assertEquals(1, bad.size());
        assertEquals(true, bad.get(0).contains("-n"), bad.get(0));
    }
}
