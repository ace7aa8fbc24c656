package dev.edgepush.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two units as packaged: {@code systemd-analyze verify} (no error, no warning) and
 * {@code systemd-analyze security --offline=true} (exposure at most 2.0, "OK") on the extracted
 * packages, plus the hardening and sizing the issue asks for. Installs nothing: both run with
 * {@code --root} on a temp dir holding the packages and this machine's systemd targets.
 */
class SystemdUnitsIT {
    /** The README quotes these scores; the test fails if a unit gets worse than this. */
    static final double MAX_EXPOSURE = 2.0;

    @TempDir
    static Path root;

    @BeforeAll
    static void extract() throws IOException {
        Cmd.require("systemd-analyze", "systemd");
        Packages.extract(Packages.edgeAgentDeb(), root);
        Packages.extract(Packages.centralIngestDeb(), root);
        // verify resolves the units' dependencies (multi-user.target, network-online.target, ...).
        Path units = Files.createDirectories(root.resolve("usr/lib/systemd/system"));
        try (Stream<Path> targets = Files.list(Path.of("/usr/lib/systemd/system"))) {
            for (Path t : (Iterable<Path>) targets::iterator) {
                if (t.getFileName().toString().endsWith(".target") && Files.isRegularFile(t)) {
                    Files.copy(t, units.resolve(t.getFileName()));
                }
            }
        }
    }

    @Test
    void edgeAgentVerifies() {
        verify("edge-agent");
    }

    @Test
    void centralIngestVerifies() {
        verify("central-ingest");
    }

    private static void verify(String name) {
        List<String> cmd = List.of("systemd-analyze", "verify", "--root=" + root, name + ".service");
        Cmd.Result r = Cmd.run(cmd).ok(cmd);
        // An unknown or misspelt key is only a warning (exit 0): none is allowed.
        assertEquals("", r.err().strip(), "systemd-analyze verify warned about " + name + ".service");
    }

    @Test
    void edgeAgentSecurityScore() {
        System.out.println("edge-agent.service exposure: " + exposure("edge-agent"));
    }

    @Test
    void centralIngestSecurityScore() {
        System.out.println("central-ingest.service exposure: " + exposure("central-ingest"));
    }

    private static double exposure(String name) {
        List<String> cmd =
                List.of("systemd-analyze", "security", "--offline=true", "--root=" + root, name + ".service");
        Cmd.Result r = Cmd.run(cmd).ok(cmd);
        Matcher m = Pattern.compile("Overall exposure level for " + name + "\\.service: (\\d+\\.\\d+) (\\w+)")
                .matcher(r.out());
        assertTrue(m.find(), r.out());
        double score = Double.parseDouble(m.group(1));
        assertTrue(
                score <= MAX_EXPOSURE,
                name + ".service exposure " + score + " " + m.group(2) + " > " + MAX_EXPOSURE + ":\n" + r.out());
        return score;
    }

    @Test
    void edgeAgentHardeningAndSizing() throws IOException {
        UnitFile unit = hardened("edge-agent");
        assertEquals("/var/lib/edge-agent", unit.value("ReadWritePaths"));
        assertTrue(
                unit.value("ExecStart").contains("-remoteWrite.tmpDataPath=/var/lib/edge-agent"),
                "the buffer is the writable path");
        // The stop timeout leaves room for the agent's own backstop (Main.STOP_DEADLINE_MS).
        String main = Files.readString(Packages.ROOT.resolve("edge-agent/src/main/java/dev/edgepush/agent/Main.java"));
        Matcher m = Pattern.compile("STOP_DEADLINE_MS = (\\d+)_?(\\d*);").matcher(main);
        assertTrue(m.find(), "Main.STOP_DEADLINE_MS not found");
        long backstopSeconds = Long.parseLong(m.group(1) + m.group(2)) / 1000;
        long timeout = seconds(unit.value("TimeoutStopSec"));
        assertTrue(
                timeout > backstopSeconds && timeout <= backstopSeconds + 15,
                "TimeoutStopSec=" + timeout + "s vs the agent's " + backstopSeconds + " s backstop");
        // Measured peak RSS 88 MiB (README): MemoryMax at least twice that, and above the JVM's -Xmx.
        assertTrue(mebibytes(unit.value("MemoryMax")) >= 2 * 88, unit.value("MemoryMax"));
        assertTrue(mebibytes(unit.value("MemoryHigh")) < mebibytes(unit.value("MemoryMax")));
        String jvm = Files.readString(root.resolve("etc/edge-agent/jvm.options"));
        assertTrue(jvm.contains("\n-Xmx64m\n"), "MemoryMax is sized for -Xmx64m; resize it with the heap");
    }

    @Test
    void centralIngestHardeningAndSizing() throws IOException {
        UnitFile unit = hardened("central-ingest");
        assertEquals("/var/lib/central-ingest", unit.value("ReadWritePaths"));
        assertTrue(
                unit.value("ExecStart").contains("-wal.path=/var/lib/central-ingest/wal"),
                "the WAL is under the writable path");
        assertEquals("143", unit.value("SuccessExitStatus"), "the JVM exits 143 after its shutdown hook on SIGTERM");
        assertTrue(seconds(unit.value("TimeoutStopSec")) >= 20, "3 s event loops + 5 s per forwarding lane join");
        // -Xmx2g in the launcher: MemoryMax above it with room for what is not heap.
        assertTrue(Files.readString(root.resolve("usr/share/central-ingest/central-ingest"))
                .contains("-Xmx2g"));
        assertTrue(mebibytes(unit.value("MemoryMax")) >= 2048 + 512, unit.value("MemoryMax"));
    }

    private static UnitFile hardened(String name) throws IOException {
        UnitFile unit = UnitFile.read(root.resolve("lib/systemd/system/" + name + ".service"));
        assertEquals(name, unit.value("User"));
        assertEquals("always", unit.value("Restart"));
        assertEquals("strict", unit.value("ProtectSystem"));
        assertEquals("true", unit.value("NoNewPrivileges"));
        assertEquals("true", unit.value("PrivateTmp"));
        assertEquals("true", unit.value("ProtectHome"));
        assertEquals("", unit.value("CapabilityBoundingSet"), "empty: no capability at all");
        assertEquals("@system-service", unit.value("SystemCallFilter"));
        assertEquals("/etc/" + name + "/" + name + ".env", unit.value("EnvironmentFile"));
        assertTrue(unit.value("ExecStart").startsWith("/usr/bin/" + name + " "));
        return unit;
    }

    private static long seconds(String v) {
        Matcher m = Pattern.compile("(\\d+)s?").matcher(v);
        assertTrue(m.matches(), v);
        return Long.parseLong(m.group(1));
    }

    private static long mebibytes(String v) {
        Matcher m = Pattern.compile("(\\d+)([MG])").matcher(v);
        assertTrue(m.matches(), v);
        return Long.parseLong(m.group(1)) * (m.group(2).equals("G") ? 1024 : 1);
    }
}
