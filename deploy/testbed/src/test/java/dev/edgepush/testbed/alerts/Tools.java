package dev.edgepush.testbed.alerts;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Real tools the alert and dashboard tests run: found on the PATH, or the test fails saying what to install. */
public final class Tools {
    private Tools() {}

    /** The repository root (the tests run in deploy/testbed). */
    public static Path repo() {
        return Path.of("../..").toAbsolutePath().normalize();
    }

    /** {@code name} on the PATH; fails the test with the apt-get line that provides it. */
    public static String require(String name, String debianPackage) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return fail(name + " is not on the PATH: apt-get install -y " + debianPackage
                + " (.ci/run installs it); this test runs the real tool and does not skip");
    }

    /** A finished command: exit code and merged output. */
    public record Run(int exit, String output) {}

    /** Runs {@code cmd} in {@code dir}, at most {@code timeoutSeconds}. */
    public static Run run(Path dir, List<String> cmd, long timeoutSeconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        byte[][] out = new byte[1][];
        Thread reader = new Thread(() -> {
            try {
                out[0] = p.getInputStream().readAllBytes();
            } catch (IOException e) {
                out[0] = ("(output unreadable: " + e + ")").getBytes(StandardCharsets.UTF_8);
            }
        });
        reader.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor();
            reader.join(5000);
            return fail(String.join(" ", cmd) + " did not finish within " + timeoutSeconds + " s");
        }
        reader.join(5000);
        return new Run(p.exitValue(), out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8));
    }
}
