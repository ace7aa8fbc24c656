package dev.edgepush.testbed.fleet;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code fleet-sim}'s command line: the flag names it knows, their parsing, and duration values. */
final class FleetSimFlags {
    /** Every flag, as {@code -name=value} (or {@code --name=value}); {@link FleetSimMain} says what each does. */
    static final List<String> KNOWN = List.of(
            "robots",
            "duration",
            "interval",
            "series",
            "offline",
            "seed",
            "batchTicks",
            "maxBacklog",
            "drainTimeout",
            "verifyTimeout",
            "ingest",
            "tokensFile",
            "query.url",
            "readerToken",
            "repo",
            "ingestFlags",
            "work");

    private FleetSimFlags() {}

    /**
     * The flags given, by name, in order.
     *
     * @throws IllegalArgumentException naming the first unknown or malformed flag
     */
    static Map<String, String> parse(String[] args) {
        Map<String, String> opts = new LinkedHashMap<>();
        for (String a : args) {
            String s = a.startsWith("--") ? a.substring(2) : a.startsWith("-") ? a.substring(1) : null;
            if (s == null || !s.contains("=") || !KNOWN.contains(s.substring(0, s.indexOf('=')))) {
                throw new IllegalArgumentException("fleet-sim: unknown or malformed flag '" + a + "'; flags: -"
                        + String.join("=, -", KNOWN) + "= (see FleetSimMain's javadoc)");
            }
            opts.put(s.substring(0, s.indexOf('=')), s.substring(s.indexOf('=') + 1));
        }
        return opts;
    }

    static Duration duration(String s) {
        Matcher m = Pattern.compile("(\\d+)(ms|s|m|h)").matcher(s);
        if (!m.matches()) {
            throw new IllegalArgumentException("duration '" + s + "': use e.g. 500ms, 30s, 2m, 1h");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }
}
