package dev.edgepush.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.edgepush.testsupport.CountingTarget;
import dev.edgepush.testsupport.Loopback;
import dev.edgepush.testsupport.VictoriaMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dpkg -i, run as the unit's user, remove, purge, and the upgrade that keeps the backlog. It
 * changes the machine (users, /etc, /var/lib, dpkg's database), so it runs only where that is
 * allowed: CI=true as root (.ci/run on a throwaway machine). Elsewhere it is skipped with the
 * reason; {@link ExtractedDeliveryIT} and {@link DebContentsIT} still check the packages.
 */
class InstallIT {
    @TempDir
    Path tmp;

    @BeforeEach
    void onlyOnAThrowawayMachine() {
        boolean ci = "true".equals(System.getenv("CI"));
        boolean root = "root".equals(System.getProperty("user.name"));
        assumeTrue(
                ci && root,
                "NOT INSTALLED: dpkg -i changes the machine; this test installs, removes and purges"
                        + " the packages only with CI=true as root (.ci/run). CI=" + System.getenv("CI") + ", user "
                        + System.getProperty("user.name"));
    }

    private static void dpkgInstall(Path... debs) {
        Map<String, String> env = Map.of("DEBIAN_FRONTEND", "noninteractive");
        List<String> cmd = new java.util.ArrayList<>(List.of("dpkg", "--force-confold", "-i"));
        for (Path d : debs) {
            cmd.add(d.toString());
        }
        if (Cmd.run(cmd, env, null).exit() != 0) {
            // the Java runtime from Debian
            List<String> fix = List.of("apt-get", "install", "-f", "-y", "-q");
            Cmd.run(fix, env, null).ok(fix);
        }
        for (Path d : debs) {
            String name = d.getFileName().toString().split("_")[0];
            assertTrue(Cmd.ok("dpkg-query", "-W", "-f=${Status}", name).out().contains("install ok installed"), name);
        }
    }

    private static void dpkg(String action, String name) {
        List<String> cmd = List.of("dpkg", action, name);
        Cmd.run(cmd, Map.of("DEBIAN_FRONTEND", "noninteractive"), null).ok(cmd);
    }

    private static void assertOwnedMode(String path, String user, String mode) throws IOException {
        PosixFileAttributes a =
                Files.readAttributes(Path.of(path), PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        assertEquals(user, a.owner().getName(), path);
        assertEquals(mode, PosixFilePermissions.toString(a.permissions()), path);
    }

    @Test
    void installRunRemovePurge() throws IOException {
        dpkgInstall(Packages.edgeAgentDeb(), Packages.centralIngestDeb());
        try {
            Cmd.ok("getent", "passwd", "edge-agent");
            Cmd.ok("getent", "passwd", "central-ingest");
            assertOwnedMode("/etc/edge-agent/token", "edge-agent", "rw-------");
            assertOwnedMode("/etc/central-ingest/tokens", "central-ingest", "rw-------");
            assertOwnedMode("/var/lib/edge-agent", "edge-agent", "rwxr-x---");
            assertOwnedMode("/var/lib/central-ingest", "central-ingest", "rwxr-x---");
            Deployment d = new Deployment(Path.of("/"), true, tmp);
            int ingestPort = Loopback.freePort();
            try (VictoriaMetrics vm = new VictoriaMetrics(tmp.resolve("vm"));
                    CountingTarget target = new CountingTarget()) {
                String token = d.addToken("robot", "r17");
                assertOwnedMode("/etc/central-ingest/tokens", "central-ingest", "rw-------");
                d.configureIngest(ingestPort, vm.port);
                d.configureAgent(
                        "http://127.0.0.1:" + ingestPort + "/api/v1/write", token, target, Loopback.freePort());
                assertOwnedMode("/etc/edge-agent/token", "edge-agent", "rw-------");
                try (ServiceProcess ingest = d.startIngest(ingestPort);
                        ServiceProcess agent = d.start("edge-agent")) {
                    Deployment.awaitDelivered(vm, "r17", 3, agent);
                    Deployment.stopCleanly(agent, List.of(0));
                    Deployment.stopCleanly(ingest, List.of(0, 143));
                }
                Deployment.assertOneRobotSeries(vm, "r17");
            }
            assertOwnedMode("/var/lib/edge-agent/buffer", "edge-agent", "rwx------");
            dpkg("--remove", "edge-agent");
            assertFalse(Files.exists(Path.of("/usr/bin/edge-agent")));
            assertFalse(Files.exists(Path.of("/usr/share/edge-agent/edge-agent.jar")));
            assertTrue(Files.isDirectory(Path.of("/var/lib/edge-agent/buffer")), "remove keeps the buffer");
            assertTrue(Files.exists(Path.of("/etc/edge-agent/edge-agent.env")), "remove keeps the config");
            assertTrue(Files.exists(Path.of("/etc/edge-agent/token")), "remove keeps the token");
            dpkg("--purge", "edge-agent");
            assertFalse(Files.exists(Path.of("/var/lib/edge-agent")), "purge deletes the buffer");
            assertFalse(Files.exists(Path.of("/etc/edge-agent")), "purge deletes the config and the token");
        } finally {
            Cmd.run(List.of("dpkg", "--purge", "edge-agent", "central-ingest"));
        }
        assertFalse(Files.exists(Path.of("/var/lib/central-ingest")), "purge deletes the WAL");
        assertFalse(Files.exists(Path.of("/etc/central-ingest")), "purge deletes the config and the tokens");
    }

    /** Version N fills a backlog with the link down; N+1 is installed over it; link up: nothing lost. */
    @Test
    void upgradeKeepsAndDeliversTheBacklog() throws IOException {
        Path n = Packages.edgeAgent("1.0.0").build(tmp.resolve("n"));
        Path n1 = Packages.edgeAgent("1.0.1").build(tmp.resolve("n1"));
        dpkgInstall(n);
        try {
            Deployment d = new Deployment(Path.of("/"), true, tmp);
            int vmPort = Loopback.freePort();
            try (CountingTarget target = new CountingTarget()) {
                // Link down: nothing listens on the VictoriaMetrics port yet (the agent pushes to it directly).
                d.configureAgent(
                        "http://127.0.0.1:" + vmPort + "/api/v1/write",
                        "t0ken-for-a-direct-push",
                        target,
                        Loopback.freePort());
                long servedBeforeStop;
                try (ServiceProcess agent = d.start("edge-agent")) {
                    Cmd.await(
                            java.time.Duration.ofSeconds(120), "5 scrapes buffered", () -> target.lastAnswered() >= 5);
                    servedBeforeStop = target.lastAnswered();
                    Deployment.stopCleanly(agent, List.of(0)); // what prerm's systemctl stop does
                }
                dpkgInstall(n1);
                assertTrue(Cmd.ok("dpkg-query", "-W", "-f=${Version}", "edge-agent")
                        .out()
                        .equals("1.0.1"));
                assertTrue(
                        d.env("edge-agent", "REMOTE_WRITE_URL").endsWith(vmPort + "/api/v1/write"),
                        "the conffile kept its edit");
                try (ServiceProcess agent = d.start("edge-agent");
                        VictoriaMetrics vm = new VictoriaMetrics(tmp.resolve("vm"), vmPort)) {
                    Deployment.awaitDeliveredUnstamped(vm, servedBeforeStop, agent);
                    Deployment.stopCleanly(agent, List.of(0));
                }
            }
        } finally {
            Cmd.run(List.of("dpkg", "--purge", "edge-agent"));
        }
    }
}
