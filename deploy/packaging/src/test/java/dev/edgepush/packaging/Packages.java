package dev.edgepush.packaging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds the two packages in a test, from the same sources and jars as the Maven build. */
final class Packages {
    static final Path ROOT = Path.of(System.getProperty("edgepush.root", "../.."))
            .toAbsolutePath()
            .normalize();
    static final String MAVEN_VERSION = System.getProperty("edgepush.version", "0.1.0-SNAPSHOT");
    static final Path SRC = ROOT.resolve("deploy/packaging/src/deb");

    private static Path edgeAgentDeb;
    private static Path centralIngestDeb;

    private Packages() {}

    /** This build's edge-agent package, built once per test JVM into a temp dir. */
    static synchronized Path edgeAgentDeb() throws IOException {
        if (edgeAgentDeb == null) {
            edgeAgentDeb = edgeAgent(MAVEN_VERSION).build(buildDir());
        }
        return edgeAgentDeb;
    }

    static synchronized Path centralIngestDeb() throws IOException {
        if (centralIngestDeb == null) {
            centralIngestDeb = centralIngest(MAVEN_VERSION).build(buildDir());
        }
        return centralIngestDeb;
    }

    private static Path buildDir;

    private static Path buildDir() throws IOException {
        if (buildDir == null) {
            buildDir = Files.createTempDirectory("edgepush-debs");
            Path dir = buildDir;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    DebBuilder.deleteTree(dir);
                } catch (IOException e) {
                    // a temp dir
                }
            }));
        }
        return buildDir;
    }

    static DebBuilder edgeAgent(String version) {
        return new DebBuilder(
                "edge-agent",
                version,
                SRC.resolve("edge-agent"),
                jar("edge-agent"),
                ROOT.resolve("edge-agent/bin/edge-agent"),
                ROOT.resolve("edge-agent/bin/edge-agent.jvm.options"),
                ROOT.resolve("README.md"));
    }

    static DebBuilder centralIngest(String version) {
        return new DebBuilder(
                "central-ingest",
                version,
                SRC.resolve("central-ingest"),
                jar("central-ingest"),
                ROOT.resolve("central-ingest/bin/central-ingest"),
                null,
                ROOT.resolve("central-ingest/README.md"));
    }

    private static Path jar(String module) {
        Path jar = ROOT.resolve(module + "/target/" + module + ".jar");
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError(jar + " is missing: the packages are built from the shaded jars; run"
                    + " ./mvnw -q -DskipTests package first (./mvnw verify builds them before this module)");
        }
        return jar;
    }

    /** {@code dpkg-deb -x deb root}. */
    static void extract(Path deb, Path root) throws IOException {
        Files.createDirectories(root);
        Cmd.ok(Cmd.require("dpkg-deb", "dpkg"), "-x", deb.toString(), root.toString());
    }
}
