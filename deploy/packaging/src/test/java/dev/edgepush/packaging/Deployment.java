package dev.edgepush.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.testsupport.CountingTarget;
import dev.edgepush.testsupport.VictoriaMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.LongStream;

/**
 * The two packages on one machine, configured as the README tells an operator to: a robot token
 * made with the packaged {@code central-ingest token add}, the URLs in the .env conffiles, the
 * token in /etc/edge-agent/token, then each service started as its unit says. {@code root} is
 * "/" for installed packages, else a temp dir the packages were extracted into.
 */
final class Deployment {
    /** The counting target's series: {@code test_seq N} on its Nth scrape. */
    static final String SCRAPED = "test_seq";

    final Path root;
    final boolean asUnitUsers;
    final Path logs;

    Deployment(Path root, boolean asUnitUsers, Path logs) {
        this.root = root;
        this.asUnitUsers = asUnitUsers;
        this.logs = logs;
    }

    Path path(String absolute) {
        return root.resolve(absolute.substring(1));
    }

    /** {@code central-ingest token add KIND NAME}: the packaged binary prints the token once. */
    String addToken(String kind, String name) {
        String out = Cmd.ok(
                        path("/usr/bin/central-ingest").toString(),
                        "token",
                        "add",
                        kind,
                        name,
                        "-auth.tokensFile=" + path("/etc/central-ingest/tokens"))
                .out()
                .strip();
        assertTrue(out.matches("\\S{20,}"), "one token on stdout, got: " + out);
        return out;
    }

    /** Sets {@code KEY=value} in /etc/NAME/NAME.env (the conffile), keeping every other line. */
    void setEnv(String name, String key, String value) throws IOException {
        Path file = path("/etc/" + name + "/" + name + ".env");
        String text = Files.readString(file);
        Pattern line = Pattern.compile("(?m)^" + key + "=.*$");
        assertTrue(line.matcher(text).find(), key + "= is in the packaged " + file);
        Files.writeString(
                file, line.matcher(text).replaceFirst(java.util.regex.Matcher.quoteReplacement(key + "=" + value)));
    }

    String env(String name, String key) throws IOException {
        return UnitFile.parseEnvironmentFile(Files.readString(path("/etc/" + name + "/" + name + ".env")))
                .get(key);
    }

    /** Overwrites a file in place (an existing file keeps its owner and mode, as `cp` onto it would). */
    void write(String absolute, String content) throws IOException {
        Files.writeString(path(absolute), content);
    }

    ServiceProcess start(String name) throws IOException {
        return start(name, 0);
    }

    ServiceProcess start(String name, int port) throws IOException {
        return ServiceProcess.start(root, name, asUnitUsers, logs, port);
    }

    /** A scrape config with {@code target} every second. */
    static String scrapeConfig(CountingTarget target) {
        return "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: pkgtest\n    static_configs:\n"
                + "      - targets: [\"" + target.address() + "\"]\n";
    }

    /** Configures central-ingest to forward to {@code vmWriteUrl} and listen on {@code port}. */
    void configureIngest(int port, int vmPort) throws IOException {
        setEnv(
                "central-ingest",
                "ARGS",
                "-httpListenAddr=127.0.0.1:" + port + " -remoteWrite.url=http://127.0.0.1:" + vmPort
                        + "/api/v1/write -query.url=http://127.0.0.1:" + vmPort);
    }

    /** Configures edge-agent: URL and token as the README's step 2, scrape config, its listener on {@code agentPort}. */
    void configureAgent(String ingestWriteUrl, String token, CountingTarget target, int agentPort) throws IOException {
        setEnv("edge-agent", "REMOTE_WRITE_URL", ingestWriteUrl);
        setEnv(
                "edge-agent",
                "ARGS",
                env("edge-agent", "ARGS") + " -httpListenAddr=127.0.0.1:" + agentPort
                        + " -remoteWrite.flushInterval=200ms");
        write("/etc/edge-agent/token", token + "\n");
        write("/etc/edge-agent/scrape.yml", scrapeConfig(target));
    }

    /** Starts central-ingest and waits for its /health. */
    ServiceProcess startIngest(int port) throws IOException {
        ServiceProcess ingest = start("central-ingest", port);
        ingest.child.awaitUp(() -> ingest.child.get("/health").strip().equalsIgnoreCase("ok"));
        return ingest;
    }

    /** Waits until VictoriaMetrics holds every counter value from 1 to {@code upTo}, stamped robot=ROBOT. */
    static void awaitDelivered(VictoriaMetrics vm, String robot, long upTo, ServiceProcess agent) {
        awaitValues(vm, SCRAPED + "{robot=\"" + robot + "\"}", upTo, agent);
    }

    /** Waits until VictoriaMetrics holds every counter value from 1 to {@code upTo} (pushed straight to it). */
    static void awaitDeliveredUnstamped(VictoriaMetrics vm, long upTo, ServiceProcess agent) {
        awaitValues(vm, SCRAPED, upTo, agent);
    }

    private static void awaitValues(VictoriaMetrics vm, String selector, long upTo, ServiceProcess agent) {
        Cmd.await(Duration.ofSeconds(120), "values 1.." + upTo + " of " + selector + " in VictoriaMetrics", () -> {
            if (agent != null && !agent.isAlive()) {
                throw new AssertionError("edge-agent exited: " + agent.log());
            }
            return values(vm, selector)
                    .containsAll(LongStream.rangeClosed(1, upTo).boxed().toList());
        });
    }

    /** Every value stored for the series matching {@code selector}; none while VictoriaMetrics does not answer. */
    private static Set<Long> values(VictoriaMetrics vm, String selector) {
        Set<Long> values = new TreeSet<>();
        try {
            for (double v : vm.exportValues(selector)) {
                values.add((long) v);
            }
        } catch (IOException e) {
            // not answered: nothing seen yet
        }
        return values;
    }

    /** Stops a service as systemctl stop would and checks the exit code is a clean stop for its unit. */
    static void stopCleanly(ServiceProcess service, List<Integer> clean) throws IOException {
        int code = service.stop();
        assertTrue(
                clean.contains(code),
                service.command.get(0) + " exited " + code + " (clean: " + clean + "):\n" + service.logText());
    }

    static void assertOneRobotSeries(VictoriaMetrics vm, String robot) throws IOException {
        List<VictoriaMetrics.Series> series = vm.export(SCRAPED);
        assertEquals(1, series.size(), series.toString());
        assertEquals(robot, series.get(0).labels().get("robot"), series.toString());
    }
}
