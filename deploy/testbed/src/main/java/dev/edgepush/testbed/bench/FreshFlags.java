package dev.edgepush.testbed.bench;

import dev.edgepush.testbed.FaultProxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The flags of the "time to fresh data" measurement ({@code -measure=fresh}), taken out of the
 * command line before {@link BenchFlags} parses the rest, so the two sets stay independent.
 *
 * @param fresh {@code -measure=fresh}: take the link down with a fault proxy between the agent and
 *     VictoriaMetrics (which stays up) and measure the time to fresh data, the drain and the loss;
 *     {@code -measure=resources} (the default) is the RSS/CPU/drain run
 * @param linkDown how the proxy takes the link down: {@code cut} (connections closed, new ones
 *     refused) or {@code blackhole} (accepted, never answered)
 * @param linkBytesPerSecond after link-up, the bandwidth of the whole link (every connection
 *     together, each direction); 0: no cap
 * @param concurrent run the agents at the same time, each with its own VictoriaMetrics, proxy and
 *     targets (they then share the CPU); default: one after the other
 * @param edgeAgentArgs extra flags appended to edge-agent's command line
 */
record FreshFlags(
        boolean fresh,
        FaultProxy.Mode linkDown,
        long linkBytesPerSecond,
        boolean concurrent,
        List<String> edgeAgentArgs) {

    static final String USAGE = """
        -measure=resources|fresh   fresh: the link (not VictoriaMetrics) goes down for -outage through a
                                   fault proxy; measures the time from link-up until the newest scrape
                                   of every target is in VictoriaMetrics, the drain and the loss; writes
                                   lag-<agent>.csv (lag and backlog every second) to -out; no
                                   steady window (-steady is not used)
        -linkDown=cut|blackhole    how the proxy takes the link down (fresh only; default cut)
        -linkBytesPerSecond=N      cap on the whole link after link-up, bytes/s each way (fresh only)
        -concurrent=false|true     run the agents at once, each with its own VictoriaMetrics, proxy and
                                   targets (fresh only; default false: one after the other)
        -edgeAgentArgs='-a=1 -b=2' extra flags for edge-agent (fresh only)
      """;

    /** These flags, and the arguments left for {@link BenchFlags#parse}. */
    record Split(FreshFlags fresh, String[] rest) {}

    /**
     * Takes this class's flags out of {@code args}.
     *
     * @throws IllegalArgumentException naming the offending flag and value
     */
    static Split split(String[] args) {
        String measure = "resources";
        String linkDown = "cut";
        String linkBps = "0";
        String concurrent = "false";
        String edgeArgs = "";
        boolean anyFreshOnly = false;
        List<String> rest = new ArrayList<>();
        for (String arg : args) {
            String a = arg.startsWith("--") ? arg.substring(1) : arg;
            int eq = a.indexOf('=');
            String name = eq < 0 ? a : a.substring(0, eq);
            String value = eq < 0 ? null : a.substring(eq + 1);
            switch (name) {
                case "-measure", "-linkDown", "-linkBytesPerSecond", "-concurrent", "-edgeAgentArgs" -> {
                    if (value == null) {
                        throw new IllegalArgumentException("flag " + name + " needs a value: " + name + "=...");
                    }
                }
                default -> {
                    rest.add(arg);
                    continue;
                }
            }
            switch (name) {
                case "-measure" -> measure = value;
                case "-linkDown" -> linkDown = value;
                case "-linkBytesPerSecond" -> linkBps = value;
                case "-concurrent" -> concurrent = value;
                default -> edgeArgs = value;
            }
            anyFreshOnly |= !name.equals("-measure");
        }
        boolean fresh =
                switch (measure) {
                    case "fresh" -> true;
                    case "resources" -> false;
                    default ->
                        throw new IllegalArgumentException(
                                "invalid value \"" + measure + "\" for flag -measure: want resources or fresh");
                };
        if (anyFreshOnly && !fresh) {
            throw new IllegalArgumentException(
                    "flags -linkDown, -linkBytesPerSecond, -concurrent and -edgeAgentArgs need -measure=fresh");
        }
        FaultProxy.Mode mode =
                switch (linkDown.toLowerCase(Locale.ROOT)) {
                    case "cut" -> FaultProxy.Mode.CUT;
                    case "blackhole" -> FaultProxy.Mode.BLACKHOLE;
                    default ->
                        throw new IllegalArgumentException(
                                "invalid value \"" + linkDown + "\" for flag -linkDown: want cut or blackhole");
                };
        long bps;
        try {
            bps = Long.parseLong(linkBps.trim());
        } catch (NumberFormatException e) {
            bps = -1;
        }
        if (bps < 0) {
            throw new IllegalArgumentException("invalid value \"" + linkBps
                    + "\" for flag -linkBytesPerSecond: want bytes per second, 0 for no cap");
        }
        boolean together =
                switch (concurrent) {
                    case "true" -> true;
                    case "false" -> false;
                    default ->
                        throw new IllegalArgumentException(
                                "invalid value \"" + concurrent + "\" for flag -concurrent: want true or false");
                };
        List<String> extra = new ArrayList<>();
        for (String s : edgeArgs.trim().split("\\s+")) {
            if (!s.isEmpty()) {
                extra.add(s);
            }
        }
        return new Split(new FreshFlags(fresh, mode, bps, together, List.copyOf(extra)), rest.toArray(new String[0]));
    }
}
