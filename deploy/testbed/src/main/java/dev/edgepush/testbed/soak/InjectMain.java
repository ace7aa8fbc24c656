package dev.edgepush.testbed.soak;

import dev.edgepush.testbed.GoDuration;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code deploy/testbed/bin/inject}: injects a failure into sensor simulators.
 *
 * <pre>
 * inject -robot=N|all -failure=MODE -duration=30s [-state=soak-out/state.json]
 * inject -url=http://127.0.0.1:PORT -failure=MODE -duration=30s
 * </pre>
 *
 * MODE is cpu_spike, memory_leak, latency_spike, error_burst or node_crash; {@code -duration=0}
 * ends a failure. Robots are found in a running soak's state file ({@code -state}, or {@code
 * -out=DIR} for {@code DIR/state.json}). Prints one line per sensor with its answer; exit 1 if a
 * sensor refused or could not be reached, 2 for a bad flag.
 */
public final class InjectMain {
    static final String USAGE = """
      usage: inject -robot=N|all -failure=MODE -duration=30s [-state=FILE | -out=DIR]
             inject -url=http://127.0.0.1:PORT -failure=MODE -duration=30s
        -failure   cpu_spike, memory_leak, latency_spike, error_burst or node_crash
        -duration  Go duration; 0 ends the failure
        -robot     robot number in the soak's state file (1..N) or all
        -state     a soak run's state.json (default soak-out/state.json); -out=DIR means DIR/state.json
        -url       a sensor simulator's base URL, instead of -robot
      """;

    private InjectMain() {}

    /** The sensors' base URLs named by the flags. */
    static List<String> targets(String robot, String url, Path state) throws IOException {
        if (url != null) {
            return List.of(url.replaceAll("/(metrics|inject)?$", ""));
        }
        if (robot == null) {
            throw new IllegalArgumentException("give -robot=N|all (with a soak's state file) or -url=http://HOST:PORT");
        }
        if (!Files.isRegularFile(state)) {
            throw new IllegalArgumentException(
                    state + " not found: is a soak running? (or pass -state=FILE / -url=...)");
        }
        List<String> sensors = new ArrayList<>();
        Matcher m = Pattern.compile("\"sensor\":\\s*\"([^\"]+)\"").matcher(Files.readString(state));
        while (m.find()) {
            sensors.add(m.group(1));
        }
        if (robot.equals("all")) {
            return sensors;
        }
        int n;
        try {
            n = Integer.parseInt(robot.startsWith("r") ? robot.substring(1) : robot);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-robot=" + robot + ": want a number 1.." + sensors.size() + " or all");
        }
        if (n < 1 || n > sensors.size()) {
            throw new IllegalArgumentException(
                    "-robot=" + robot + ": the soak in " + state + " has robots 1.." + sensors.size());
        }
        return List.of(sensors.get(n - 1));
    }

    public static void main(String[] args) {
        String robot = null;
        String url = null;
        String failure = null;
        String duration = null;
        Path state = Path.of("soak-out/state.json");
        try {
            for (String arg : args) {
                if (arg.equals("-h") || arg.equals("-help") || arg.equals("--help")) {
                    System.out.print(USAGE);
                    return;
                }
                String a = arg.startsWith("--") ? arg.substring(1) : arg;
                int eq = a.indexOf('=');
                if (eq < 0) {
                    throw new IllegalArgumentException("flag " + a + " needs a value: " + a + "=...");
                }
                String v = a.substring(eq + 1);
                switch (a.substring(0, eq)) {
                    case "-robot" -> robot = v;
                    case "-url" -> url = v;
                    case "-failure" -> failure = v;
                    case "-duration" -> duration = v;
                    case "-state" -> state = Path.of(v);
                    case "-out" -> state = SoakRunner.stateFile(Path.of(v));
                    default -> throw new IllegalArgumentException("unknown flag " + a.substring(0, eq));
                }
            }
            if (failure == null || duration == null) {
                throw new IllegalArgumentException("-failure=MODE and -duration=DURATION are required");
            }
            if (!FaultSchedule.SENSOR_MODES.contains(failure)) {
                throw new IllegalArgumentException(
                        "-failure=" + failure + ": want one of " + FaultSchedule.SENSOR_MODES);
            }
            GoDuration.parse(duration);
        } catch (IllegalArgumentException e) {
            System.err.println("inject: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        int status = 0;
        try {
            String form = "mode=" + URLEncoder.encode(failure, StandardCharsets.UTF_8) + "&duration="
                    + URLEncoder.encode(duration, StandardCharsets.UTF_8);
            for (String sensor : targets(robot, url, state)) {
                try {
                    Http.Response r = Http.post(sensor + "/inject", form, Duration.ofSeconds(10));
                    System.out.println("inject: " + sensor + " " + failure + " " + duration + ": " + r.status() + " "
                            + r.body().trim());
                    if (r.status() != 200) {
                        status = 1;
                    }
                } catch (IOException e) {
                    System.out.println("inject: " + sensor + ": " + e);
                    status = 1;
                }
            }
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("inject: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(status);
    }
}
