package dev.edgepush.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * central-ingest's launcher copied into a folder with the jar next to it runs; without the jar it
 * says where it looked. The jar here is a thin one whose manifest points at the test classpath, so
 * the test runs before the real jar is packaged.
 */
class LauncherIT {
    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {}

    private Path install(boolean withJar) throws Exception {
        Path folder = Files.createDirectories(dir.resolve("opt"));
        Path launcher = folder.resolve("central-ingest");
        Files.copy(Path.of("bin/central-ingest").toAbsolutePath(), launcher, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        if (withJar) {
            List<String> urls = new ArrayList<>();
            for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
                urls.add(Path.of(e).toAbsolutePath().toUri().toString());
            }
            Manifest m = new Manifest();
            m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
            m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Main.class.getName());
            m.getMainAttributes().put(Attributes.Name.CLASS_PATH, String.join(" ", urls));
            try (OutputStream out = Files.newOutputStream(folder.resolve("central-ingest.jar"));
                    JarOutputStream j = new JarOutputStream(out, m)) {
                j.flush();
            }
        }
        return launcher;
    }

    private Run run(Path launcher, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(launcher.toString()));
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("CENTRAL_INGEST_JAR");
        pb.environment().put("CENTRAL_INGEST_JAVA_OPTS", "-Xmx64m");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(cmd + " did not finish within 120 s");
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void theJarNextToTheLauncherIsFound() throws Exception {
        Run r = run(install(true), "-version");
        assertEquals(0, r.exit(), r.err());
        assertEquals("central-ingest " + CentralIngest.VERSION + "\n", r.out());
    }

    @Test
    void withoutTheJarTheMessageSaysWhereItLooked() throws Exception {
        Run r = run(install(false), "-version");
        assertEquals(1, r.exit());
        assertTrue(
                r.err()
                        .startsWith("central-ingest: central-ingest.jar not found. Looked in:\n  "
                                + dir.resolve("opt/central-ingest.jar") + "\n"),
                r.err());
        assertTrue(r.err().contains("or set CENTRAL_INGEST_JAR=/path/to/central-ingest.jar."), r.err());
        assertFalse(r.err().contains("mvnw"), r.err());
    }

    @Test
    void aMissingTokensFileIsOneLine() throws Exception {
        Run r = run(
                install(true),
                "-remoteWrite.url=http://127.0.0.1:1/api/v1/write",
                "-auth.tokensFile=" + dir.resolve("tokens"));
        assertEquals(2, r.exit());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(
                r.err().startsWith("central-ingest: -auth.tokensFile=" + dir.resolve("tokens") + ": no such file"),
                r.err());
    }

    /** A port another process holds: exit 2 with one line naming the address, not a daemon that runs on deaf. */
    @Test
    void aListenAddressInUseExitsWithOneLine() throws Exception {
        Files.writeString(dir.resolve("tokens"), "");
        try (java.net.ServerSocket taken =
                new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            String addr = "127.0.0.1:" + taken.getLocalPort();
            Run r = run(
                    install(true),
                    "-remoteWrite.url=http://127.0.0.1:1/api/v1/write",
                    "-auth.tokensFile=" + dir.resolve("tokens"),
                    "-wal.path=" + dir.resolve("wal"),
                    "-httpListenAddr=" + addr);
            assertEquals(2, r.exit(), r.err());
            List<String> errors = r.err()
                    .lines()
                    .filter(l -> l.startsWith("central-ingest: "))
                    .toList();
            assertEquals(
                    List.of("central-ingest: cannot start: cannot listen on -httpListenAddr=" + addr
                            + ": Address already in use"),
                    errors,
                    r.err());
        }
    }
}
