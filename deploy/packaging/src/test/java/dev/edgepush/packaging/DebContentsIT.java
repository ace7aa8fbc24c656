package dev.edgepush.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What is in the two .deb files: dpkg-deb --info, --contents and -x. Installs nothing. */
class DebContentsIT {
    @TempDir
    Path tmp;

    @Test
    void edgeAgentControlFields() throws IOException {
        String info = Cmd.ok(
                        Cmd.require("dpkg-deb", "dpkg"),
                        "--info",
                        Packages.edgeAgentDeb().toString())
                .out();
        assertControl(info, "edge-agent");
        assertConffiles(
                Packages.edgeAgentDeb(),
                "/etc/edge-agent/edge-agent.env",
                "/etc/edge-agent/scrape.yml",
                "/etc/edge-agent/jvm.options");
    }

    @Test
    void centralIngestControlFields() throws IOException {
        String info = Cmd.ok(
                        Cmd.require("dpkg-deb", "dpkg"),
                        "--info",
                        Packages.centralIngestDeb().toString())
                .out();
        assertControl(info, "central-ingest");
        assertConffiles(Packages.centralIngestDeb(), "/etc/central-ingest/central-ingest.env");
    }

    private static void assertControl(String info, String name) {
        assertTrue(info.contains("\n Package: " + name + "\n"), info);
        assertTrue(info.contains("\n Version: " + DebBuilder.debianVersion(Packages.MAVEN_VERSION) + "\n"), info);
        assertTrue(info.contains("\n Architecture: all\n"), info);
        assertTrue(info.contains("\n Depends: openjdk-17-jre-headless | java17-runtime-headless, adduser\n"), info);
        for (String script : List.of("postinst", "prerm", "postrm")) {
            assertTrue(info.matches("(?s).*\\s\\*\\s+" + script + "\\s+#!/bin/sh.*"), script + " executable:\n" + info);
        }
    }

    private void assertConffiles(Path deb, String... expected) throws IOException {
        Path control = tmp.resolve("control-" + deb.getFileName());
        Cmd.ok("dpkg-deb", "--control", deb.toString(), control.toString());
        assertEquals(List.of(expected), Files.readAllLines(control.resolve("conffiles")));
        for (String conffile : expected) {
            assertTrue(
                    Cmd.ok("dpkg-deb", "--contents", deb.toString()).out().contains(" ." + conffile + "\n"),
                    conffile + " is listed as a conffile, so the package must ship it");
        }
    }

    @Test
    void edgeAgentFilesModesAndOwners() throws IOException {
        String contents = Cmd.ok(
                        "dpkg-deb", "--contents", Packages.edgeAgentDeb().toString())
                .out();
        assertFiles(contents, "edge-agent");
        assertTrue(
                contents.contains("-rw-r--r-- root/root") && contents.contains(" ./etc/edge-agent/jvm.options\n"),
                contents);
        assertTrue(
                contents.contains(
                        " ./usr/share/edge-agent/edge-agent.jvm.options -> ../../../etc/edge-agent/jvm.options\n"),
                contents);
        // The token is a secret: created by postinst with mode 0600 for the service user, never shipped.
        assertFalse(contents.contains("/etc/edge-agent/token"), contents);
        assertFalse(contents.contains("/var/lib/edge-agent"), "the buffer directory is made by postinst:\n" + contents);
    }

    @Test
    void centralIngestFilesModesAndOwners() throws IOException {
        String contents = Cmd.ok(
                        "dpkg-deb", "--contents", Packages.centralIngestDeb().toString())
                .out();
        assertFiles(contents, "central-ingest");
        assertFalse(contents.contains("/etc/central-ingest/tokens"), contents);
    }

    private static void assertFiles(String contents, String name) {
        Set<String> owners = Arrays.stream(contents.split("\n"))
                .map(l -> l.split("\\s+")[1])
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(Set.of("root/root"), owners, contents);
        assertTrue(
                contents.matches(
                        "(?s).*-rwxr-xr-x root/root +\\d+ [^\\n]* \\./usr/share/" + name + "/" + name + "\\n.*"),
                contents);
        assertTrue(
                contents.matches(
                        "(?s).*-rw-r--r-- root/root +\\d+ [^\\n]* \\./usr/share/" + name + "/" + name + "\\.jar\\n.*"),
                contents);
        assertTrue(contents.contains(" ./usr/bin/" + name + " -> ../share/" + name + "/" + name + "\n"), contents);
        assertTrue(contents.contains(" ./lib/systemd/system/" + name + ".service\n"), contents);
        assertTrue(contents.contains(" ./usr/share/doc/" + name + "/README.md\n"), contents);
    }

    /** The package carries the launcher and JVM options of the source tree unchanged (one place to tune them). */
    @Test
    void packagedLauncherAndJvmOptionsAreTheSourceTreeOnes() throws IOException {
        Path root = tmp.resolve("root");
        Packages.extract(Packages.edgeAgentDeb(), root);
        Packages.extract(Packages.centralIngestDeb(), root);
        assertEquals(
                Files.readString(Packages.ROOT.resolve("edge-agent/bin/edge-agent")),
                Files.readString(root.resolve("usr/share/edge-agent/edge-agent")));
        assertEquals(
                Files.readString(Packages.ROOT.resolve("edge-agent/bin/edge-agent.jvm.options")),
                Files.readString(root.resolve("usr/share/edge-agent/edge-agent.jvm.options")),
                "read through the symlink");
        assertEquals(
                Files.readString(Packages.ROOT.resolve("central-ingest/bin/central-ingest")),
                Files.readString(root.resolve("usr/share/central-ingest/central-ingest")));
        assertEquals(
                Files.size(Packages.ROOT.resolve("edge-agent/target/edge-agent.jar")),
                Files.size(root.resolve("usr/share/edge-agent/edge-agent.jar")));
        // The extracted binaries run: -version through /usr/bin's relative symlink and the launcher.
        assertTrue(Cmd.ok(root.resolve("usr/bin/edge-agent").toString(), "-version")
                .out()
                .startsWith("edge-agent "));
        assertTrue(Cmd.ok(root.resolve("usr/bin/central-ingest").toString(), "-version")
                .out()
                .startsWith("central-ingest "));
    }
}
