package dev.edgepush.packaging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * A packaged service started the way its unit would start it, without systemd (no PID 1 here):
 * the unit's ExecStart expanded with its Environment= and EnvironmentFile=, systemd's PATH, the
 * unit's UMask, working directory /, and, for an installed package run as root, the unit's
 * User=/Group= with no capabilities and no new privileges (setpriv). For a package extracted
 * into a temp dir, the package's own absolute paths (/etc/NAME, /var/lib/NAME, /usr/bin/NAME) are
 * mapped into that dir and the process runs as the test's user.
 */
final class ServiceProcess implements AutoCloseable {
    final List<String> command;
    final Path log;
    private final Process process;
    private final long stopTimeoutSeconds;

    private ServiceProcess(List<String> command, Path log, Process process, long stopTimeoutSeconds) {
        this.command = command;
        this.log = log;
        this.process = process;
        this.stopTimeoutSeconds = stopTimeoutSeconds;
    }

    /** Maps the package's absolute paths into {@code root} ("/" maps nothing). */
    static UnaryOperator<String> pathMap(Path root, String name) {
        if (root.toString().equals("/")) {
            return UnaryOperator.identity();
        }
        return s -> {
            for (String prefix : List.of("/etc/" + name, "/var/lib/" + name, "/usr/bin/" + name)) {
                s = s.replace(prefix, root + prefix);
            }
            return s;
        };
    }

    static ServiceProcess start(Path root, String name, boolean asUnitUser, Path log) throws IOException {
        UnitFile unit = UnitFile.read(root.resolve("lib/systemd/system/" + name + ".service"));
        UnaryOperator<String> map = pathMap(root, name);
        Map<String, String> env = unit.environment(map);
        List<String> argv = unit.execStart(env, map);
        List<String> cmd = new ArrayList<>();
        if (asUnitUser) {
            cmd.addAll(List.of(
                    Cmd.require("setpriv", "util-linux"),
                    "--reuid=" + unit.value("User"),
                    "--regid=" + unit.value("Group"),
                    "--init-groups",
                    "--no-new-privs",
                    "--bounding-set=-all",
                    "--inh-caps=-all",
                    "--"));
        }
        cmd.addAll(List.of("/bin/sh", "-c", "umask " + unit.value("UMask") + " && exec \"$@\"", "sh"));
        cmd.addAll(argv);
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(Path.of("/").toFile())
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().clear();
        pb.environment().put("PATH", UnitFile.SYSTEMD_PATH);
        pb.environment().put("LANG", "C.UTF-8");
        if (asUnitUser) {
            pb.environment().put("USER", unit.value("User"));
            pb.environment().put("LOGNAME", unit.value("User"));
            pb.environment().put("HOME", "/var/lib/" + name);
        }
        pb.environment().putAll(env);
        long stop = Long.parseLong(unit.value("TimeoutStopSec").replace("s", ""));
        return new ServiceProcess(argv, log, pb.start(), stop);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String logText() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** What a JVM prints when {@code main} throws; the process may live on (non-daemon threads). */
    static final String MAIN_DIED = "Exception in thread \"main\"";

    /**
     * Fails with the log when the process has exited or its main thread died, so a wait for a
     * service that cannot come up ends at once instead of at its deadline.
     */
    void assertAlive() throws IOException {
        if (!process.isAlive()) {
            throw new AssertionError(command + " exited with " + process.exitValue() + ":\n" + logText());
        }
        String out = logText();
        if (out.contains(MAIN_DIED)) {
            throw new AssertionError(command + ": the main thread died:\n" + out);
        }
    }

    /** SIGTERM as systemctl stop sends it; waits up to the unit's TimeoutStopSec; returns the exit code. */
    int stop() throws IOException {
        // setpriv, sh and the launcher all exec: the process is the JVM itself.
        process.destroy();
        try {
            if (!process.waitFor(stopTimeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError(command.get(0) + " did not stop within TimeoutStopSec=" + stopTimeoutSeconds
                        + "s:\n" + logText());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
