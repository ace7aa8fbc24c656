package dev.edgepush.testbed.soak;

import dev.edgepush.testbed.GoDuration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The soak's flags, Go style ({@code -name=value}; booleans also as {@code -name}).
 *
 * @param duration how long faults are injected (restore, drain and check come after)
 * @param robots number of robots
 * @param seed seed of the fault plan and the sensors
 * @param out directory for logs, state, data, report.json and report.svg
 * @param breakAgent the deliberately broken run: wipe the agent's buffer directory whenever it
 *     is killed, which must show up as lost scrapes and exit status 1
 * @param drainTimeout longest wait for every backlog to drain after restore
 * @param series extra synthetic series per sensor
 * @param agentJar edge-agent jar
 * @param agentLauncher {@code edge-agent/bin/edge-agent}: robots run the agent through it, so
 *     they get exactly the JVM options a robot gets
 * @param ingestJar central-ingest jar
 * @param vmBinary VictoriaMetrics single-node binary
 * @param ingestJvmOpts extra JVM options of central-ingest (space-separated), e.g. {@code
 *     -XX:ActiveProcessorCount=1}
 * @param clockAhead how far robot r1's clock runs ahead (its agent under libfaketime), 0 = not
 * @param libfaketime the library that sets r1's clock ahead, or null when {@code clockAhead} is 0
 * @param diskCapRobot one robot more, with a small buffer cap that overflows in a scripted outage
 * @param cappedLinkRobot one robot more, whose link is capped below its backlog rate after a
 *     scripted outage
 */
record SoakConfig(
        Duration duration,
        int robots,
        long seed,
        Path out,
        boolean breakAgent,
        Duration drainTimeout,
        int series,
        Path agentJar,
        Path agentLauncher,
        Path ingestJar,
        String vmBinary,
        List<String> ingestJvmOpts,
        Duration clockAhead,
        Path libfaketime,
        boolean diskCapRobot,
        boolean cappedLinkRobot) {

    /**
     * Where Debian's {@code faketime} package puts the library, and its usual place elsewhere.
     */
    static final List<String> LIBFAKETIME = List.of(
            "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
            "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
            "/usr/lib/faketime/libfaketime.so.1",
            "/usr/local/lib/faketime/libfaketime.so.1");

    /**
     * central-ingest's {@code -fleet.correctClockSkewAbove} in the soak: a robot clock further off
     * than this is corrected, so every robot's samples are stored at the cloud's time.
     */
    static final Duration CORRECT_CLOCK_SKEW_ABOVE = Duration.ofMinutes(2);

    static final String USAGE = """
      usage: soak [-duration=3m] [-robots=4] [-seed=N] [-out=DIR] [-breakAgent] [-drainTimeout=3m] [-series=0]
                  [-clockAhead=1h] [-diskCapRobot=true] [-cappedLinkRobot=true]
                  [-agentJar=PATH] [-ingestJar=PATH] [-vmBinary=PATH]
        -duration      how long faults are injected (Go duration); restore, drain and check follow
        -robots        robots with random faults: each a sensor simulator, a fault proxy and a real edge-agent
        -clockAhead    robot r1's clock runs this far ahead (libfaketime, apt-get install -y faketime); 0 = off.
                       central-ingest corrects skews over 2m: r1's samples must be stored at the right time
        -diskCapRobot  one robot more whose small buffer cap (128 KiB) overflows in a scripted outage
        -cappedLinkRobot one robot more whose link is capped after a scripted outage (plotted: live lag, backlog)
        -seed          seed of the fault plan (default: time-based; printed, to replay a run)
        -out           directory for logs, data, state.json, report.json, report.svg (default soak-out)
        -breakAgent    deliberately lose data (wipe the agent buffer at each kill): must end lost>0, exit 1
        -drainTimeout  longest wait for agents' and central-ingest's backlogs to reach 0
        -series        extra synthetic series per sensor
        -ingestJvmOpts extra JVM options for central-ingest, space-separated (e.g. -XX:ActiveProcessorCount=1)
      """;

    /**
     * Parses flags.
     *
     * @param args the command line
     * @param repo repository root, for the default jar paths
     * @param defaultSeed seed when {@code -seed} is absent
     * @throws IllegalArgumentException naming the offending flag
     */
    static SoakConfig parse(String[] args, Path repo, long defaultSeed) {
        Duration duration = Duration.ofMinutes(3);
        int robots = 4;
        long seed = defaultSeed;
        Path out = Path.of("soak-out");
        boolean breakAgent = false;
        Duration drain = Duration.ofMinutes(3);
        int series = 0;
        Path agentJar = repo.resolve("edge-agent/target/edge-agent.jar");
        Path ingestJar = repo.resolve("central-ingest/target/central-ingest.jar");
        String vm = "victoria-metrics";
        List<String> ingestOpts = List.of();
        Duration clockAhead = Duration.ofHours(1);
        boolean diskCapRobot = true;
        boolean cappedLinkRobot = true;
        List<String> booleans = List.of("-breakAgent", "-diskCapRobot", "-cappedLinkRobot");
        List<String> known = List.of(
                "-duration",
                "-robots",
                "-seed",
                "-out",
                "-breakAgent",
                "-drainTimeout",
                "-series",
                "-agentJar",
                "-ingestJar",
                "-vmBinary",
                "-ingestJvmOpts",
                "-clockAhead",
                "-diskCapRobot",
                "-cappedLinkRobot");
        for (String arg : args) {
            String a = arg.startsWith("--") ? arg.substring(1) : arg;
            int eq = a.indexOf('=');
            String name = eq < 0 ? a : a.substring(0, eq);
            String value = eq < 0 ? null : a.substring(eq + 1);
            if (!known.contains(name)) {
                throw new IllegalArgumentException(
                        "unknown flag " + name + " (flags: " + String.join(" ", known) + ")");
            }
            if (value == null && !booleans.contains(name)) {
                throw new IllegalArgumentException("flag " + name + " needs a value: " + name + "=...");
            }
            try {
                switch (name) {
                    case "-duration" -> duration = GoDuration.parse(value);
                    case "-robots" -> robots = Integer.parseInt(value);
                    case "-seed" -> seed = Long.parseLong(value);
                    case "-out" -> out = Path.of(value);
                    case "-breakAgent" -> breakAgent = value == null || Boolean.parseBoolean(value);
                    case "-diskCapRobot" -> diskCapRobot = bool(value);
                    case "-cappedLinkRobot" -> cappedLinkRobot = bool(value);
                    case "-clockAhead" -> clockAhead = GoDuration.parse(value);
                    case "-drainTimeout" -> drain = GoDuration.parse(value);
                    case "-series" -> series = Integer.parseInt(value);
                    case "-agentJar" -> agentJar = Path.of(value);
                    case "-ingestJar" -> ingestJar = Path.of(value);
                    case "-ingestJvmOpts" ->
                        ingestOpts = value.isBlank()
                                ? List.of()
                                : List.of(value.trim().split("\\s+"));
                    default -> vm = value;
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "invalid value \"" + value + "\" for flag " + name + ": " + e.getMessage());
            }
        }
        if (duration.toSeconds() < 30) {
            throw new IllegalArgumentException(
                    "-duration=" + GoDuration.format(duration) + ": at least 30s, to fit every fault kind");
        }
        if (robots < 1 || robots > 64) {
            throw new IllegalArgumentException("-robots=" + robots + ": must be in 1..64");
        }
        if (series < 0 || series > 100_000) {
            throw new IllegalArgumentException("-series=" + series + ": must be in 0..100000");
        }
        if (clockAhead.isNegative()
                || (!clockAhead.isZero() && clockAhead.compareTo(CORRECT_CLOCK_SKEW_ABOVE.multipliedBy(2)) < 0)) {
            throw new IllegalArgumentException("-clockAhead=" + GoDuration.format(clockAhead)
                    + ": 0 or at least 4m (central-ingest corrects skews over "
                    + GoDuration.format(CORRECT_CLOCK_SKEW_ABOVE) + ")");
        }
        Path libfaketime = null;
        if (!clockAhead.isZero()) {
            String ahead = GoDuration.format(clockAhead);
            libfaketime = LIBFAKETIME.stream()
                    .map(Path::of)
                    .filter(Files::isRegularFile)
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("-clockAhead=" + ahead
                            + " needs libfaketime (apt-get install -y faketime; looked in "
                            + String.join(" ", LIBFAKETIME) + "), or -clockAhead=0"));
        }
        Path launcher = repo.resolve("edge-agent/bin/edge-agent");
        if (!Files.isExecutable(launcher)) {
            throw new IllegalArgumentException(launcher + " not found or not executable");
        }
        for (Path jar : List.of(agentJar, ingestJar)) {
            if (!Files.isRegularFile(jar)) {
                throw new IllegalArgumentException(jar + " not found: build first with ./mvnw -q -DskipTests package");
            }
        }
        return new SoakConfig(
                duration,
                robots,
                seed,
                out.toAbsolutePath(),
                breakAgent,
                drain,
                series,
                agentJar.toAbsolutePath(),
                launcher.toAbsolutePath(),
                ingestJar.toAbsolutePath(),
                vm,
                ingestOpts,
                clockAhead,
                libfaketime,
                diskCapRobot,
                cappedLinkRobot);
    }

    private static boolean bool(String value) {
        if (value == null || value.equals("true")) {
            return true;
        }
        if (value.equals("false")) {
            return false;
        }
        throw new IllegalArgumentException("true or false");
    }

    /** Every robot of the fleet: the {@link #robots} with random faults, then the scripted ones. */
    int totalRobots() {
        return robots + (diskCapRobot ? 1 : 0) + (cappedLinkRobot ? 1 : 0);
    }

    /** The robot whose clock runs {@link #clockAhead} ahead (r1), or 0 for none. */
    int clockRobot() {
        return clockAhead.isZero() ? 0 : 1;
    }

    /** The number of the robot whose buffer cap overflows, or 0 for none. */
    int diskCapRobotNumber() {
        return diskCapRobot ? robots + 1 : 0;
    }

    /** The number of the robot whose link is capped after an outage, or 0 for none. */
    int cappedLinkRobotNumber() {
        return cappedLinkRobot ? robots + (diskCapRobot ? 1 : 0) + 1 : 0;
    }
}
