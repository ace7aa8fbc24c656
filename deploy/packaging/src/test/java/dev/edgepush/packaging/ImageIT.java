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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The two images the package phase builds with Jib (target/edge-agent-image.tar,
 * target/central-ingest-image.tar): what {@code skopeo inspect} reads from them, then each run
 * for real without a Docker daemon ({@link ImageRoot}: layers extracted in order, entrypoint run
 * chrooted as the image's user in its own mount and PID namespaces): central-ingest answers
 * /health and its image's health check, edge-agent serves /metrics and delivers a robot's scrapes
 * through it to a real VictoriaMetrics, both stop cleanly on SIGTERM. The run needs root (chroot,
 * unshare); it is skipped, saying so, otherwise.
 */
class ImageIT {
    static final int UID = 10001;

    @TempDir
    Path tmp;

    @Test
    @SuppressWarnings("unchecked")
    void skopeoReadsUserEntrypointVolumePortAndArchitecture() throws IOException {
        String hostArch =
                switch (System.getProperty("os.arch")) {
                    case "amd64", "x86_64" -> "amd64";
                    case "aarch64" -> "arm64";
                    default -> System.getProperty("os.arch");
                };
        for (Map.Entry<String, Integer> image :
                Map.of("edge-agent", 8429, "central-ingest", 8427).entrySet()) {
            String name = image.getKey();
            Path tar = ImageRoot.imageTar(name);
            String ref = "docker-archive:" + tar;
            Map<String, Object> inspect = new Yaml().load(ImageRoot.skopeo("inspect", ref));
            Map<String, Object> config = (Map<String, Object>)
                    ((Map<String, Object>) new Yaml().load(ImageRoot.skopeo("inspect", "--config", ref))).get("config");
            assertEquals(hostArch, inspect.get("Architecture"), name);
            assertEquals("linux", inspect.get("Os"), name);
            assertEquals(UID + ":" + UID, config.get("User"), name + " runs as its own user, not root");
            List<String> entrypoint = (List<String>) config.get("Entrypoint");
            assertEquals(
                    List.of(
                            "/opt/java/bin/java",
                            "@/usr/share/" + name + "/" + name + ".jvm.options",
                            "-jar",
                            "/usr/share/" + name + "/" + name + ".jar"),
                    entrypoint.subList(0, 4),
                    name);
            assertEquals(
                    Map.of("/var/lib/" + name, Map.of()), config.get("Volumes"), name + ": the buffer/WAL is a volume");
            assertEquals(Map.of(image.getValue() + "/tcp", Map.of()), config.get("ExposedPorts"), name);
            Map<String, String> labels = (Map<String, String>) inspect.get("Labels");
            assertEquals(Packages.MAVEN_VERSION, labels.get("org.opencontainers.image.version"), name);
            assertEquals(name, labels.get("org.opencontainers.image.title"), name);
            String manifest =
                    Cmd.ok("tar", "-xOf", tar.toString(), "manifest.json").out();
            assertTrue(
                    manifest.contains("\"edgepush/" + name + ":" + Packages.MAVEN_VERSION + "\""),
                    name + " is tagged with the build's version: " + manifest);
        }
        assertTrue(
                String.valueOf(((Map<String, Object>) ((Map<String, Object>) new Yaml()
                                                .load(ImageRoot.skopeo(
                                                        "inspect",
                                                        "--config",
                                                        "docker-archive:" + ImageRoot.imageTar("edge-agent"))))
                                        .get("config"))
                                .get("Entrypoint"))
                        .contains("-remoteWrite.tmpDataPath=/var/lib/edge-agent"),
                "edge-agent buffers in its volume");
    }

    @Test
    void imagesRunWithoutADaemonAndDeliver() throws Exception {
        canRun();
        ImageRoot ingest =
                ImageRoot.extract(ImageRoot.imageTar("central-ingest"), Files.createDirectories(tmp.resolve("ci")));
        ImageRoot agent =
                ImageRoot.extract(ImageRoot.imageTar("edge-agent"), Files.createDirectories(tmp.resolve("ea")));
        for (Map.Entry<String, ImageRoot> e :
                Map.of("central-ingest", ingest, "edge-agent", agent).entrySet()) {
            String name = e.getKey();
            ImageRoot image = e.getValue();
            Path lib = image.root.resolve("var/lib/" + name);
            assertEquals(
                    UID,
                    Files.getAttribute(lib, "unix:uid", LinkOption.NOFOLLOW_LINKS),
                    lib + " belongs to the image's user");
            assertEquals("750", stat(lib), lib + " mode");
            assertEquals("1777", stat(image.root.resolve("tmp")), "/tmp");
            assertFalse(Files.exists(image.root.resolve("bin/sh")), "no shell in the image");
        }
        // Tokens as the README says: central-ingest token add, run in the image (--entrypoint java), into
        // a directory of the image's user (compose and Kubernetes mount the file there).
        Path etcIngest = Files.createDirectories(ingest.root.resolve("etc/central-ingest"));
        Files.setAttribute(etcIngest, "unix:uid", UID);
        Files.setAttribute(etcIngest, "unix:gid", UID);
        Cmd.Result added = ingest.run(List.of(
                "/opt/java/bin/java",
                "-jar",
                "/usr/share/central-ingest/central-ingest.jar",
                "token",
                "add",
                "robot",
                "r17",
                "-auth.tokensFile=/etc/central-ingest/tokens"));
        assertEquals(0, added.exit(), added.err());
        String token = added.out().strip();
        assertTrue(token.matches("\\S{20,}"), "one token on stdout, got: " + token);

        int ingestPort = Loopback.freePort();
        int agentPort = Loopback.freePort();
        try (VictoriaMetrics vm = new VictoriaMetrics(tmp.resolve("vm"));
                CountingTarget target = new CountingTarget()) {
            Process ci = ingest.start(
                    entrypointWith(
                            ingest,
                            "-httpListenAddr=127.0.0.1:" + ingestPort,
                            "-remoteWrite.url=" + vm.writeUrl(),
                            "-query.url=" + vm.url()),
                    tmp.resolve("central-ingest.log"));
            Process ea = null;
            try {
                awaitUp(
                        ci,
                        "central-ingest",
                        "answers /health on " + ingestPort,
                        () -> Cmd.get(ingestPort, "/health").strip().equalsIgnoreCase("ok"));
                // compose's health check, as written in deploy/compose (its port swapped for this one)
                List<String> check = new ArrayList<>(composeHealthCheck());
                assertEquals(
                        List.of("CMD", "8427"), List.of(check.get(0), check.get(check.size() - 1)), check.toString());
                check.set(check.size() - 1, Integer.toString(ingestPort));
                Cmd.Result health = ingest.run(check.subList(1, check.size()));
                assertEquals(0, health.exit(), "compose's health check " + check + " in the image: " + health.err());
                assertProcess(ImageRoot.jvmPid(ci), "central-ingest");

                Path etcAgent = Files.createDirectories(agent.root.resolve("etc/edge-agent"));
                Files.writeString(etcAgent.resolve("token"), token + "\n");
                Files.setAttribute(etcAgent.resolve("token"), "unix:uid", UID);
                Files.setPosixFilePermissions(
                        etcAgent.resolve("token"),
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
                Files.writeString(etcAgent.resolve("scrape.yml"), Deployment.scrapeConfig(target));
                Process started = agent.start(
                        entrypointWith(
                                agent,
                                "-remoteWrite.url=http://127.0.0.1:" + ingestPort + "/api/v1/write",
                                "-remoteWrite.bearerTokenFile=/etc/edge-agent/token",
                                "-promscrape.config=/etc/edge-agent/scrape.yml",
                                "-httpListenAddr=127.0.0.1:" + agentPort,
                                "-remoteWrite.flushInterval=200ms"),
                        tmp.resolve("edge-agent.log"));
                ea = started;
                awaitUp(
                        started,
                        "edge-agent",
                        "serves /metrics on " + agentPort,
                        () -> !Cmd.get(agentPort, "/metrics").isEmpty());
                Deployment.awaitDelivered(vm, "r17", 3, null);
                assertTrue(started.isAlive(), () -> "edge-agent exited: " + log("edge-agent"));
                assertProcess(ImageRoot.jvmPid(started), "edge-agent");
                assertEquals(
                        0,
                        ingest.run(List.of(
                                        "/opt/java/bin/java",
                                        "-cp",
                                        "/opt/healthcheck",
                                        "dev.edgepush.packaging.HealthCheck",
                                        Integer.toString(agentPort)))
                                .exit(),
                        "edge-agent's health check");
                System.out.printf(
                        "[image] RSS in the chroot after delivering: central-ingest %d KiB, edge-agent %d KiB%n",
                        ImageRoot.rssKiB(ImageRoot.jvmPid(ci)), ImageRoot.rssKiB(ImageRoot.jvmPid(started)));

                assertEquals(0, ImageRoot.stop(started, 20), () -> "edge-agent exit on SIGTERM:\n" + log("edge-agent"));
                ea = null;
                int code = ImageRoot.stop(ci, 30);
                assertTrue(
                        code == 0 || code == 143,
                        "central-ingest exit on SIGTERM: " + code + "\n" + log("central-ingest"));
            } finally {
                for (Process p : ea == null ? List.of(ci) : List.of(ci, ea)) {
                    if (p.isAlive()) {
                        p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
                        p.destroyForcibly().waitFor();
                    }
                }
            }
            Deployment.assertOneRobotSeries(vm, "r17");
        }
        Path buffer = agent.root.resolve("var/lib/edge-agent/buffer");
        assertTrue(Files.isDirectory(buffer), "the buffer is in the volume");
        assertEquals(UID, Files.getAttribute(buffer, "unix:uid", LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.isDirectory(ingest.root.resolve("var/lib/central-ingest/wal")), "the WAL is in the volume");
    }

    /**
     * Waits up to 90 s for {@code up}, failing at once if the process ends. On a timeout the JVM is
     * asked for a thread dump (SIGQUIT, printed to its log) so that the failure says where it hung.
     */
    private void awaitUp(Process unshare, String name, String what, java.util.function.BooleanSupplier up)
            throws InterruptedException {
        try {
            Cmd.await(Duration.ofSeconds(90), name + " in its image " + what, () -> {
                assertTrue(unshare.isAlive(), () -> name + " exited: " + log(name));
                return up.getAsBoolean();
            });
        } catch (AssertionError e) {
            long pid = ImageRoot.jvmPid(unshare);
            if (unshare.isAlive() && pid > 0) {
                Cmd.run(List.of("kill", "-QUIT", Long.toString(pid)));
                Thread.sleep(2000);
            }
            throw new AssertionError(
                    e.getMessage() + "; its log (with a thread dump if it was alive):\n" + log(name), e);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<String> composeHealthCheck() throws IOException {
        Map<String, Object> compose =
                new Yaml().load(Files.readString(Packages.ROOT.resolve("deploy/compose/docker-compose.yml")));
        Map<String, Object> ingest =
                (Map<String, Object>) ((Map<String, Object>) compose.get("services")).get("central-ingest");
        return (List<String>) ((Map<String, Object>) ingest.get("healthcheck")).get("test");
    }

    /** The entrypoint from the image config, with {@code args} after it (as compose's command). */
    private static List<String> entrypointWith(ImageRoot image, String... args) {
        List<String> argv = new ArrayList<>(image.array("Entrypoint"));
        argv.addAll(List.of(args));
        return argv;
    }

    /** The JVM runs as the image's user, with no capabilities and no new privileges. */
    private static void assertProcess(long pid, String name) throws IOException {
        String status = Files.readString(Path.of("/proc/" + pid + "/status"));
        assertTrue(status.contains("Name:\tjava"), name + " is the JVM itself: " + status);
        assertTrue(
                status.matches("(?s).*\nUid:\t" + UID + "\t" + UID + "\t" + UID + "\t" + UID + "\n.*"),
                name + ": " + status);
        assertTrue(
                status.matches("(?s).*\nGid:\t" + UID + "\t" + UID + "\t" + UID + "\t" + UID + "\n.*"),
                name + ": " + status);
        assertTrue(status.contains("\nCapEff:\t0000000000000000\n"), name + ": " + status);
        assertTrue(status.contains("\nNoNewPrivs:\t1\n"), name + ": " + status);
    }

    private String log(String name) {
        try {
            return Files.readString(tmp.resolve(name + ".log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static String stat(Path p) {
        return Cmd.ok("stat", "-c", "%a", p.toString()).out().strip();
    }

    /** Root and a working unshare, or the test is skipped with the reason. */
    private static void canRun() {
        String why = null;
        if (!"root".equals(System.getProperty("user.name"))) {
            why = "not root (user " + System.getProperty("user.name")
                    + "): chroot, unshare and the image's owners need root";
        } else {
            Cmd.Result r = Cmd.run(List.of(Cmd.require("unshare", "util-linux"), "--mount", "--pid", "--fork", "true"));
            if (r.exit() != 0) {
                why = "unshare --mount --pid fails here (" + r.err().strip() + "): no namespaces in this sandbox";
            }
        }
        if (why != null) {
            System.err.println("[image] SKIPPED running the images: " + why);
        }
        assumeTrue(why == null, why);
    }
}
