package dev.edgepush.testbed;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Command-line entry point of the sensor simulator: serves what a robot's sensor service exposes
 * on {@code /metrics}, so the edge agent (and benchmarks) have a realistic scrape target.
 *
 * <p>Flags use the project style, a single dash and {@code name=value}:
 *
 * <ul>
 *   <li>{@code -listen=HOST:PORT} address to bind (default {@code 127.0.0.1:9101}; port 0 picks a
 *       free port; an empty HOST or {@code 0.0.0.0} binds every interface);
 *   <li>{@code -seed=N} seed of the simulation (default: time-based);
 *   <li>{@code -series=N} extra {@code sensor_synthetic_value} gauges (default 0);
 *   <li>{@code -instances=K} run K simulators in this JVM on consecutive ports starting at the
 *       {@code -listen} port (each picks its own free port if that is 0), seeded seed, seed+1, ...
 * </ul>
 *
 * <p>For each instance one line {@code sensor-sim listening on http://HOST:PORT/metrics} is
 * printed to stdout once it is bound. An unknown flag or a bad value exits with status 2 and a
 * message naming the flag; a failure to bind exits with status 1.
 */
public final class SensorSimulator {
    private static final String USAGE = "usage: sensor-sim [-listen=HOST:PORT] [-seed=N] [-series=N] [-instances=K]\n"
            + "  -listen=HOST:PORT  address to serve /metrics on (default 127.0.0.1:9101;"
            + " port 0 = any free port)\n"
            + "  -seed=N            random seed (default: time-based)\n"
            + "  -series=N          extra sensor_synthetic_value gauges (default 0)\n"
            + "  -instances=K       run K simulators on consecutive ports (default 1)\n";

    private static final int MAX_SERIES = 10_000_000;
    private static final int MAX_INSTANCES = 10_000;

    private SensorSimulator() {}

    /**
     * Parsed command line.
     *
     * @param host address to bind
     * @param port first port to bind, 0 for free ports
     * @param seed seed of the first instance
     * @param series synthetic series per instance
     * @param instances number of simulators to run
     */
    record Options(String host, int port, long seed, int series, int instances) {}

    /**
     * Parses flags.
     *
     * @param args command-line arguments
     * @param defaultSeed seed used when {@code -seed} is absent
     * @return the options
     * @throws IllegalArgumentException with a message naming the offending flag
     */
    static Options parseFlags(String[] args, long defaultSeed) {
        String host = "127.0.0.1";
        int port = 9101;
        long seed = defaultSeed;
        int series = 0;
        int instances = 1;
        for (String arg : args) {
            if (!arg.startsWith("-") || arg.startsWith("--") || arg.length() < 2) {
                throw new IllegalArgumentException(
                        "unexpected argument " + quote(arg) + " (flags look like -name=value)");
            }
            int eq = arg.indexOf('=');
            String name = eq < 0 ? arg : arg.substring(0, eq);
            if (!List.of("-listen", "-seed", "-series", "-instances").contains(name)) {
                throw new IllegalArgumentException("unknown flag " + name);
            }
            if (eq < 0) {
                throw new IllegalArgumentException("flag " + name + " needs a value: " + name + "=...");
            }
            String value = arg.substring(eq + 1);
            switch (name) {
                case "-listen" -> {
                    int colon = value.lastIndexOf(':');
                    if (colon < 0) {
                        throw bad(name, value, "want HOST:PORT");
                    }
                    host = colon == 0 ? "0.0.0.0" : value.substring(0, colon);
                    if (host.startsWith("[") && host.endsWith("]")) {
                        host = host.substring(1, host.length() - 1);
                    }
                    port = (int) number(name, value.substring(colon + 1), 0, 65535, value);
                }
                case "-seed" -> seed = number(name, value, Long.MIN_VALUE, Long.MAX_VALUE, value);
                case "-series" -> series = (int) number(name, value, 0, MAX_SERIES, value);
                default -> instances = (int) number(name, value, 1, MAX_INSTANCES, value);
            }
        }
        if (port != 0 && port + instances - 1 > 65535) {
            throw new IllegalArgumentException(
                    "flag -instances: " + instances + " ports from " + port + " would go past 65535");
        }
        return new Options(host, port, seed, series, instances);
    }

    private static long number(String flag, String text, long min, long max, String whole) {
        long v;
        try {
            v = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw bad(flag, whole, "not an integer");
        }
        if (v < min || v > max) {
            throw bad(flag, whole, "must be in " + min + ".." + max);
        }
        return v;
    }

    private static IllegalArgumentException bad(String flag, String value, String why) {
        return new IllegalArgumentException("invalid value " + quote(value) + " for flag " + flag + ": " + why);
    }

    private static String quote(String s) {
        return "\"" + s + "\"";
    }

    /**
     * Starts the simulators described by {@code opts}; on failure, closes those already started.
     *
     * @param opts parsed options
     * @param out where to print one {@code sensor-sim listening on ...} line per instance
     * @return the running simulators, in port order
     * @throws IOException if an address cannot be bound
     */
    static List<SensorServer> start(Options opts, PrintStream out) throws IOException {
        List<SensorServer> started = new ArrayList<>();
        try {
            for (int i = 0; i < opts.instances(); i++) {
                int port = opts.port() == 0 ? 0 : opts.port() + i;
                SensorServer s;
                try {
                    s = SensorServer.start(opts.host(), port, opts.seed() + i, opts.series());
                } catch (IOException e) {
                    throw new IOException("cannot listen on " + opts.host() + ":" + port + ": " + e, e);
                }
                started.add(s);
                out.println("sensor-sim listening on " + s.metricsUrl());
                out.flush();
            }
        } catch (IOException | RuntimeException e) {
            started.forEach(SensorServer::close);
            throw e;
        }
        return started;
    }

    /**
     * Runs the simulator until the JVM is stopped.
     *
     * @param args flags, see the class documentation
     */
    public static void main(String[] args) {
        for (String a : args) {
            if (a.equals("-h") || a.equals("-help") || a.equals("--help")) {
                System.out.print(USAGE);
                return;
            }
        }
        Options opts;
        try {
            opts = parseFlags(args, System.nanoTime() ^ System.currentTimeMillis());
        } catch (IllegalArgumentException e) {
            System.err.println("sensor-sim: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        List<SensorServer> servers;
        try {
            servers = start(opts, System.out);
        } catch (IOException | RuntimeException e) {
            System.err.println("sensor-sim: " + e.getMessage());
            System.exit(1);
            return;
        }
        System.err.println(
                "sensor-sim: seed=" + opts.seed() + " series=" + opts.series() + " instances=" + opts.instances());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            servers.forEach(SensorServer::close);
                            stopped.countDown();
                        },
                        "sensor-sim-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
