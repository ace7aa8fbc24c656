package dev.edgepush.agent.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The robot install as the README writes it: edge-agent.jar, bin/edge-agent and
 * bin/edge-agent.jvm.options copied into one folder, then the launcher run from there; and the
 * one-line messages a person meets first (a missing file, a typo, a config with several
 * mistakes), seen through the launcher as a robot's operator sees them.
 */
class LauncherIT {
    /** The module's directory: failsafe runs integration tests there. */
    static final Path MODULE = Path.of("").toAbsolutePath();

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {}

    static Path install(Path folder, boolean withJar) throws IOException {
        Files.createDirectories(folder);
        copyExecutable(MODULE.resolve("bin/edge-agent"), folder.resolve("edge-agent"));
        Files.copy(MODULE.resolve("bin/edge-agent.jvm.options"), folder.resolve("edge-agent.jvm.options"));
        if (withJar) {
            ThinJar.write(folder.resolve("edge-agent.jar"), "dev.edgepush.agent.Main");
        }
        return folder.resolve("edge-agent");
    }

    static void copyExecutable(Path from, Path to) throws IOException {
        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    static Run run(Path launcher, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(launcher.toString()));
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb =
                new ProcessBuilder(cmd).directory(launcher.getParent().toFile());
        pb.environment().remove("EDGE_AGENT_JAR");
        pb.environment().remove("EDGE_AGENT_JAVA_OPTS");
        pb.environment().remove("CENTRAL_INGEST_JAR");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home")); // the JDK running this test
        pb.environment().putAll(env);
        Path out = Files.createTempFile(launcher.getParent(), "out", ".txt");
        Path err = Files.createTempFile(launcher.getParent(), "err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(launcher + " " + cmd + " did not finish within 120 s");
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void theThreeFilesInOneFolderRunAsTheReadmeSays() throws Exception {
        Path launcher = install(dir.resolve("robot"), true);
        Run version = run(launcher, Map.of(), "-version");
        assertEquals(0, version.exit(), version.err());
        assertEquals("edge-agent 0.1.0\n", version.out());
        Path scrape = Files.writeString(
                dir.resolve("scrape.yml"),
                "scrape_configs:\n  - job_name: node\n    static_configs: [{targets: ['127.0.0.1:9100']}]\n");
        Run dry = run(launcher, Map.of(), "-dryRun", "-promscrape.config=" + scrape);
        assertEquals(0, dry.exit(), dry.err());
        assertTrue(dry.out().contains("is valid: 1 job, 0 file_sd files"), dry.out());
    }

    @Test
    void withoutTheJarTheMessageSaysWhereItLookedAndHowToFixIt() throws Exception {
        Path robot = dir.resolve("robot");
        Path launcher = install(robot, false);
        Run r = run(launcher, Map.of(), "-version");
        assertEquals(1, r.exit());
        assertEquals(
                String.join(
                        "\n",
                        "edge-agent: edge-agent.jar not found. Looked in:",
                        "  " + robot.resolve("edge-agent.jar"),
                        "  " + dir.resolve("lib/edge-agent.jar"),
                        "  " + dir.resolve("target/edge-agent.jar"),
                        "  /usr/share/edge-agent/edge-agent.jar",
                        "Copy edge-agent.jar next to this launcher (" + robot
                                + "), or set EDGE_AGENT_JAR=/path/to/edge-agent.jar.",
                        ""),
                r.err());
        assertFalse(r.err().contains("mvnw"), "no build hint away from the source tree");

        Run badEnv =
                run(launcher, Map.of("EDGE_AGENT_JAR", dir.resolve("nope.jar").toString()), "-version");
        assertEquals(1, badEnv.exit());
        assertEquals(
                "edge-agent: EDGE_AGENT_JAR=" + dir.resolve("nope.jar") + " is not a file; point it at"
                        + " edge-agent.jar or unset it\n",
                badEnv.err());
    }

    @Test
    void theJarIsAlsoFoundInLibAndThroughEdgeAgentJar() throws Exception {
        Path launcher = install(dir.resolve("bin"), false);
        Files.createDirectories(dir.resolve("lib"));
        ThinJar.write(dir.resolve("lib/edge-agent.jar"), "dev.edgepush.agent.Main");
        assertEquals(0, run(launcher, Map.of(), "-version").exit());
        Path elsewhere = ThinJar.write(dir.resolve("other.jar"), "dev.edgepush.agent.Main");
        Files.delete(dir.resolve("lib/edge-agent.jar"));
        Run r = run(launcher, Map.of("EDGE_AGENT_JAR", elsewhere.toString()), "-version");
        assertEquals(0, r.exit(), r.err());
    }

    @Test
    void aMissingTokenFileIsOneLineNamingTheFlagNotAStackTrace() throws Exception {
        Path launcher = install(dir.resolve("robot"), true);
        Path token = dir.resolve("etc/token");
        Run r = run(
                launcher,
                Map.of(),
                "-remoteWrite.url=http://127.0.0.1:1/api/v1/write",
                "-remoteWrite.bearerTokenFile=" + token,
                "-remoteWrite.tmpDataPath=" + dir.resolve("data"),
                "-httpListenAddr=127.0.0.1:0");
        assertEquals(2, r.exit());
        assertEquals(
                "edge-agent: -remoteWrite.bearerTokenFile=" + token + ": no such file (nor does its directory "
                        + token.getParent() + "); give the path of an existing file\n",
                r.err());
    }

    @Test
    void anEmptyTokenFileIsOneLineToo() throws Exception {
        Path launcher = install(dir.resolve("robot"), true);
        Path token = Files.writeString(dir.resolve("token"), "\n");
        Run r = run(
                launcher,
                Map.of(),
                "-remoteWrite.url=http://127.0.0.1:1/api/v1/write",
                "-remoteWrite.bearerTokenFile=" + token,
                "-remoteWrite.tmpDataPath=" + dir.resolve("data"),
                "-httpListenAddr=127.0.0.1:0");
        assertEquals(2, r.exit());
        assertEquals(
                "edge-agent: cannot start: -remoteWrite.bearerTokenFile=" + token + ": bearer token file is empty: "
                        + token + "\n",
                r.err());
    }

    @Test
    void aListenAddressInUseIsOneLineNamingIt() throws Exception {
        Path launcher = install(dir.resolve("robot"), true);
        try (java.net.ServerSocket taken =
                new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            String addr = "127.0.0.1:" + taken.getLocalPort();
            Run r = run(
                    launcher,
                    Map.of(),
                    "-remoteWrite.url=http://127.0.0.1:1/api/v1/write",
                    "-remoteWrite.tmpDataPath=" + dir.resolve("data"),
                    "-httpListenAddr=" + addr);
            assertEquals(2, r.exit(), r.err());
            assertEquals(
                    "edge-agent: cannot start: cannot listen on -httpListenAddr=" + addr + ": Address already in use\n",
                    r.err());
        }
    }

    @Test
    void aTypoGetsASuggestionAndExitCode2() throws Exception {
        Path launcher = install(dir.resolve("robot"), true);
        Run r = run(launcher, Map.of(), "-remoteWrite.ur=http://127.0.0.1:1/api/v1/write");
        assertEquals(2, r.exit());
        assertEquals(
                "edge-agent: unknown flag -remoteWrite.ur=http://127.0.0.1:1/api/v1/write: did you mean"
                        + " -remoteWrite.url? (edge-agent -help lists the flags)\n",
                r.err());
    }

    @Test
    void dryRunPrintsEveryMistakeInOneRun() throws Exception {
        Path launcher = install(dir.resolve("robot"), true);
        Path scrape = Files.writeString(
                dir.resolve("scrape.yml"),
                "scrape_configs:\n"
                        + "  - job_name: a\n"
                        + "    scrape_intervl: 5s\n"
                        + "    static_configs: [{targets: ['x:1:2']}]\n"
                        + "    relabel_configs: [{action: keep, regex: 'a(?=b)'}]\n"
                        + "  - job_name: b\n"
                        + "    scheme: ftp\n",
                StandardCharsets.UTF_8);
        Run r = run(
                launcher,
                Map.of(),
                "-dryRun",
                "-promscrape.config=" + scrape,
                "-remoteWrite.flushInterval=soon",
                "-remoteWrite.relabelConfig=" + dir.resolve("relabel.yml"));
        assertEquals(1, r.exit());
        List<String> lines = r.err().lines().toList();
        assertEquals(7, lines.size(), r.err());
        assertTrue(lines.get(0).startsWith("edge-agent: -remoteWrite.flushInterval=soon: "), r.err());
        assertEquals(
                "edge-agent: -remoteWrite.relabelConfig=" + dir.resolve("relabel.yml")
                        + ": no such file; give the path of an existing file",
                lines.get(1));
        assertTrue(lines.get(2).startsWith("edge-agent: " + scrape + ":3: "), r.err());
        assertTrue(lines.get(3).startsWith("edge-agent: " + scrape + ":4: "), r.err());
        assertTrue(lines.get(4).startsWith("edge-agent: " + scrape + ":5: "), r.err());
        assertTrue(lines.get(5).startsWith("edge-agent: " + scrape + ":7: "), r.err());
        assertEquals("edge-agent: -dryRun: 6 errors", lines.get(6));
    }

    @Test
    void helpNeverBreaksAFlagNameAcrossLines() throws Exception {
        Path launcher = install(dir.resolve("robot"), true);
        Run r = run(launcher, Map.of(), "-help");
        assertEquals(0, r.exit(), r.err());
        for (String flag : List.of(
                "-promscrape.config.strictParse",
                "-remoteWrite.tlsInsecureSkipVerify",
                "-remoteWrite.maxDiskUsagePerURL",
                "-remoteWrite.urlRelabelConfig",
                "-buffer.syncInterval")) {
            assertTrue(r.out().contains("\n  " + flag), flag + " whole at the start of a line in:\n" + r.out());
        }
        for (String line : r.out().lines().toList()) {
            assertTrue(line.length() <= 80 || !line.strip().contains(" "), "wrapped at 80 columns: " + line);
            assertFalse(line.matches(".*-(remoteWrite|promscrape)\\.$"), "a flag name cut at its dot: " + line);
        }
    }
}
