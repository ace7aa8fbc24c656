package dev.edgepush.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;

/** Programs the tests run, found on the PATH (the Debian packages install them into /usr/bin). */
public final class Executables {
    private Executables() {}

    /**
     * The absolute path of {@code name} on the PATH.
     *
     * @param debianPackage the package that installs it, named in the message when it is missing
     * @throws IllegalStateException when {@code name} is not on the PATH, saying how to install it
     */
    public static String onPath(String name, String debianPackage) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path p = Path.of(d.isEmpty() ? "." : d, name);
            if (Files.isExecutable(p)) {
                return p.toAbsolutePath().toString();
            }
        }
        throw new IllegalStateException(
                name + " is not installed: run `apt-get install -y " + debianPackage + "` (.ci/run does)");
    }
}
