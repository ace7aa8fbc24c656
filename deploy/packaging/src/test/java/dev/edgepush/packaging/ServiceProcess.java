package dev.edgepush.packaging;

import dev.edgepush.testsupport.ChildProcess;
import dev.edgepush.testsupport.Executables;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A packaged service started the way its unit would start it, without systemd (no PID 1 here):
 * the unit's ExecStart expanded with its Environment= and EnvironmentFile=, systemd's PATH, the
 * unit's UMask, working directory /, and, for an installed package run as root, the unit's
 * User=/Group= with no capabilities and no new privileges (setpriv). For a package extracted
 * into a temp dir, the package's own absolute paths (/etc/NAME, /var/lib/NAME, /usr/bin/NAME) are
 * mapped into that dir and the process runs as the test's user. The process itself is a
 * {@link ChildProcess} (its output in a log of its own, shown in failures).
 */
final class ServiceProcess implements AutoCloseable {
    final List<String> command;
    final ChildProcess child;
    private final Duration stopTimeout;

    private ServiceProcess(List<String> command, ChildProcess child, Duration stopTimeout) {
        this.command = command;
        this.child = child;
        this.stopTimeout = stopTimeout;
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

    /** Starts unit {@code name}, its output in {@code logDir}; {@code port} is where it serves HTTP (0: unknown). */
    static ServiceProcess start(Path root, String name, boolean asUnitUser, Path logDir, int port) throws IOException {
        UnitFile unit = UnitFile.read(root.resolve("lib/systemd/system/" + name + ".service"));
        UnaryOperator<String> map = pathMap(root, name);
        Map<String, String> env = unit.environment(map);
        List<String> argv = unit.execStart(env, map);
        List<String> cmd = new ArrayList<>();
        if (asUnitUser) {
            cmd.addAll(List.of(
                    Executables.onPath("setpriv", "util-linux"),
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
        long stop = Long.parseLong(unit.value("TimeoutStopSec").replace("s", ""));
        ChildProcess child = ChildProcess.builder(name, port, cmd)
                .logDir(logDir)
                .customize(pb -> {
                    pb.directory(Path.of("/").toFile())
                            .redirectInput(ProcessBuilder.Redirect.from(
                                    Path.of("/dev/null").toFile()));
                    pb.environment().clear();
                    pb.environment().put("PATH", UnitFile.SYSTEMD_PATH);
                    pb.environment().put("LANG", "C.UTF-8");
                    if (asUnitUser) {
                        pb.environment().put("USER", unit.value("User"));
                        pb.environment().put("LOGNAME", unit.value("User"));
                        pb.environment().put("HOME", "/var/lib/" + name);
                    }
                    pb.environment().putAll(env);
                })
                .launch();
        return new ServiceProcess(argv, child, Duration.ofSeconds(stop));
    }

    boolean isAlive() {
        return child.isAlive();
    }

    Path log() {
        return child.log;
    }

    String logText() {
        return child.logText();
    }

    /** SIGTERM as systemctl stop sends it; waits up to the unit's TimeoutStopSec; returns the exit code. */
    int stop() {
        // setpriv, sh and the launcher all exec: the process is the JVM itself.
        ProcessHandle.of(child.pid()).ifPresent(ProcessHandle::destroy);
        try {
            return child.awaitExit(stopTimeout);
        } catch (IllegalStateException e) {
            child.kill();
            throw new AssertionError(command.get(0) + " did not stop within TimeoutStopSec=" + stopTimeout.toSeconds()
                    + "s:\n" + logText());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        if (child.isAlive()) {
            child.kill();
        }
    }
}
