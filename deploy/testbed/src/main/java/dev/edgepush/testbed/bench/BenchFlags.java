package dev.edgepush.testbed.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Command line of {@code bench-agents}, in the project's flag style ({@code -name=value}).
 *
 * @param targets simulated sensor services scraped by the agent
 * @param series extra synthetic series per target
 * @param interval global scrape_interval (and scrape_timeout)
 * @param warmup time between the agent's start and the steady window (default 60 s: a JVM's JIT
 *     is still compiling at 10 s; the start-up cost is reported separately, as CPU from start)
 * @param steady steady window in which RSS and CPU are sampled
 * @param outage how long the remote is stopped
 * @param drainTimeout longest wait for the backlog to drain after the remote is back
 * @param agents agents to run, one after the other: each an agent's name, optionally followed by
 *     flags of its own separated by spaces ({@code edge-agent -remoteWrite.protocol=2.0}), so one run
 *     can compare one agent under several settings
 * @param out directory for results and logs
 * @param repo repository root (for {@code edge-agent/bin/edge-agent}); null: derived from the jar
 * @param via what the agents push to: empty for VictoriaMetrics itself, {@code central-ingest} for
 *     a central-ingest forwarding to it ({@link IngestHop})
 */
public record BenchFlags(
        int targets,
        int series,
        Duration interval,
        Duration warmup,
        Duration steady,
        Duration outage,
        Duration drainTimeout,
        List<String> agents,
        Path out,
        Path repo,
        String via) {

    static final List<String> KNOWN_AGENTS = List.of("edge-agent", "vmagent");

    static final String USAGE = """
      usage: bench-agents [-targets=10] [-series=1000] [-interval=1s] [-warmup=60s] [-steady=60s]
                          [-outage=60s] [-drainTimeout=5m] [-agents=edge-agent,vmagent]
                          [-out=bench-results] [-repo=DIR] [-via=central-ingest]
        Runs each agent in turn against N simulated targets and a real VictoriaMetrics, measures
        peak RSS and CPU in a steady window, then stops VictoriaMetrics for -outage, restarts it and
        measures the drain, the loss, the disk and wire bytes per sample. Writes results.md and
        results.json to -out.
        -agents entries may carry the agent's own flags after its name, separated by spaces:
          -agents='vmagent,edge-agent,edge-agent -remoteWrite.protocol=2.0 -remoteWrite.compression=snappy'
        -via=central-ingest puts a real central-ingest between each agent and VictoriaMetrics (the
        outage then stops central-ingest; wire bytes are what central-ingest received).
      """;

    /**
     * Parses flags.
     *
     * @throws IllegalArgumentException naming the offending flag and value
     */
    public static BenchFlags parse(String[] args) {
        Map<String, String> v = new java.util.LinkedHashMap<>(Map.of(
                "-targets",
                "10",
                "-series",
                "1000",
                "-interval",
                "1s",
                "-warmup",
                "60s",
                "-steady",
                "60s",
                "-outage",
                "60s",
                "-drainTimeout",
                "5m",
                "-agents",
                "edge-agent,vmagent",
                "-out",
                "bench-results",
                "-repo",
                ""));
        v.put("-via", "");
        for (String arg : args) {
            String a = arg.startsWith("--") ? arg.substring(1) : arg;
            int eq = a.indexOf('=');
            String name = eq < 0 ? a : a.substring(0, eq);
            if (!v.containsKey(name)) {
                throw new IllegalArgumentException("unknown flag " + arg);
            }
            if (eq < 0) {
                throw new IllegalArgumentException("flag " + name + " needs a value: " + name + "=...");
            }
            v.put(name, a.substring(eq + 1));
        }
        List<String> agents = new ArrayList<>();
        for (String s : v.get("-agents").split(",")) {
            String agent = String.join(" ", s.trim().split("\\s+"));
            if (!KNOWN_AGENTS.contains(agentName(agent))) {
                throw new IllegalArgumentException("invalid value \"" + v.get("-agents")
                        + "\" for flag -agents: unknown agent \"" + agentName(agent) + "\"; known: " + KNOWN_AGENTS);
            }
            for (String flag : agentFlags(agent)) {
                if (!flag.startsWith("-")) {
                    throw new IllegalArgumentException("invalid value \"" + v.get("-agents") + "\" for flag -agents: \""
                            + flag + "\" after " + agentName(agent) + " is not a flag");
                }
            }
            if (!agents.contains(agent)) {
                agents.add(agent);
            }
        }
        Duration interval = duration("-interval", v.get("-interval"));
        if (interval.toMillis() < 100) {
            throw new IllegalArgumentException("flag -interval: " + v.get("-interval") + " is below 100ms");
        }
        String repo = v.get("-repo");
        String via = v.get("-via").trim();
        if (!via.isEmpty() && !via.equals(IngestHop.NAME)) {
            throw new IllegalArgumentException(
                    "invalid value \"" + via + "\" for flag -via: want " + IngestHop.NAME + " or nothing");
        }
        return new BenchFlags(
                integer("-targets", v.get("-targets"), 1, 1000),
                integer("-series", v.get("-series"), 0, 1_000_000),
                interval,
                duration("-warmup", v.get("-warmup")),
                positive("-steady", v.get("-steady")),
                positive("-outage", v.get("-outage")),
                positive("-drainTimeout", v.get("-drainTimeout")),
                List.copyOf(agents),
                Path.of(v.get("-out")),
                repo.isEmpty() ? null : Path.of(repo),
                via);
    }

    /** The agent's name in an {@code -agents} entry: its first word. */
    static String agentName(String entry) {
        int sp = entry.indexOf(' ');
        return sp < 0 ? entry : entry.substring(0, sp);
    }

    /** The agent's own flags in an {@code -agents} entry: the words after its name. */
    static List<String> agentFlags(String entry) {
        int sp = entry.indexOf(' ');
        return sp < 0 ? List.of() : List.of(entry.substring(sp + 1).split(" "));
    }

    private static int integer(String flag, String text, int min, int max) {
        try {
            int n = Integer.parseInt(text.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(
                "invalid value \"" + text + "\" for flag " + flag + ": want an integer in " + min + ".." + max);
    }

    private static Duration positive(String flag, String text) {
        Duration d = duration(flag, text);
        if (d.isZero()) {
            throw new IllegalArgumentException(
                    "invalid value \"" + text + "\" for flag " + flag + ": must be above zero");
        }
        return d;
    }

    /** Parses a Go-style duration with one unit: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}. */
    static Duration duration(String flag, String text) {
        String t = text.trim();
        int i = 0;
        while (i < t.length() && (Character.isDigit(t.charAt(i)))) {
            i++;
        }
        String unit = t.substring(i);
        if (i == 0 || i > 9) {
            throw new IllegalArgumentException(
                    "invalid value \"" + text + "\" for flag " + flag + ": want a duration like 500ms, 30s, 5m");
        }
        long n = Long.parseLong(t.substring(0, i));
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default ->
                throw new IllegalArgumentException(
                        "invalid value \"" + text + "\" for flag " + flag + ": unit must be ms, s, m or h");
        };
    }

    /** A duration as Prometheus YAML and Go flags write it. */
    static String goDuration(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
    }
}
