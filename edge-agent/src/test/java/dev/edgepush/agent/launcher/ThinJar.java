package dev.edgepush.agent.launcher;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * A jar that runs {@code mainClass} from the test classpath (its manifest's Class-Path points at
 * it), so that launcher tests can run {@code java -jar} in the unit-test phase, before the real
 * jar is packaged. What the launchers are tested for (finding the jar, the JVM options, the
 * messages) does not depend on how the jar holds its classes.
 */
public final class ThinJar {
    private ThinJar() {}

    public static Path write(Path jar, String mainClass) throws IOException {
        List<String> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (!entry.isEmpty()) {
                urls.add(Path.of(entry).toAbsolutePath().toUri().toString()); // directories end with '/'
            }
        }
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, mainClass);
        m.getMainAttributes().put(Attributes.Name.CLASS_PATH, String.join(" ", urls));
        // as the real jar's manifest (edge-agent/pom.xml): the disk buffer (Chronicle) needs them
        m.getMainAttributes()
                .put(new Attributes.Name("Add-Exports"), "java.base/sun.nio.ch java.base/jdk.internal.ref");
        m.getMainAttributes()
                .put(
                        new Attributes.Name("Add-Opens"),
                        "java.base/java.lang.reflect java.base/java.nio java.base/sun.nio.ch java.base/java.lang");
        try (OutputStream out = Files.newOutputStream(jar);
                JarOutputStream j = new JarOutputStream(out, m)) {
            j.flush();
        }
        return jar;
    }
}
