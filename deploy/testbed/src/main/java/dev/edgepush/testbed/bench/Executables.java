package dev.edgepush.testbed.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds programs the benchmark runs. */
final class Executables {
    private Executables() {}

    /**
     * The absolute path of {@code name} on the PATH.
     *
     * @throws IllegalStateException naming the program and how to install it
     */
    static String onPath(String name, String howToInstall) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(p)) {
                return p.toAbsolutePath().toString();
            }
        }
        throw new IllegalStateException(name + " is not on the PATH; " + howToInstall);
    }
}
