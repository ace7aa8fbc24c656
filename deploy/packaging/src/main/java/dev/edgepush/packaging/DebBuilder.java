package dev.edgepush.packaging;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Builds the Debian package of edge-agent or central-ingest with {@code dpkg-deb}: the tree in
 * {@code src/deb/<name>/} (control files, conffiles under /etc, the systemd unit), plus the
 * module's shaded jar and its launcher from {@code <module>/bin/} under {@code /usr/share/<name>/},
 * a {@code /usr/bin/<name>} symlink to the launcher, and the README under {@code /usr/share/doc}.
 * For edge-agent the launcher's {@code edge-agent.jvm.options} becomes the conffile
 * {@code /etc/edge-agent/jvm.options}, linked from where the launcher reads it. Symlinks are
 * relative, so a tree extracted with {@code dpkg-deb -x} runs from where it was extracted.
 *
 * <p>Run by the Maven build (exec-maven-plugin, package phase) and by the tests, which build
 * two versions to test an upgrade. Arguments: {@code name=... version=... src=... jar=...
 * launcher=... readme=... out=...} and, for edge-agent, {@code jvmOptions=...}.
 */
public final class DebBuilder {
    private final String name;
    private final String version;
    private final Path src;
    private final Path jar;
    private final Path launcher;
    private final Path jvmOptions;
    private final Path readme;

    public DebBuilder(String name, String version, Path src, Path jar, Path launcher, Path jvmOptions, Path readme) {
        this.name = name;
        this.version = debianVersion(version);
        this.src = src;
        this.jar = jar;
        this.launcher = launcher;
        this.jvmOptions = jvmOptions;
        this.readme = readme;
    }

    /** Maven's {@code 0.1.0-SNAPSHOT} is Debian's {@code 0.1.0~SNAPSHOT} (sorts before 0.1.0). */
    public static String debianVersion(String mavenVersion) {
        return mavenVersion.replace('-', '~');
    }

    public String version() {
        return version;
    }

    /** Builds {@code <out>/<name>_<version>_all.deb} and returns its path. */
    public Path build(Path out) throws IOException {
        for (Path p : jvmOptions == null
                ? List.of(src, jar, launcher, readme)
                : List.of(src, jar, launcher, readme, jvmOptions)) {
            if (!Files.exists(p)) {
                throw new IOException(
                        p + " is missing" + (p.equals(jar) ? ": build it first (./mvnw -q -DskipTests package)" : ""));
            }
        }
        Files.createDirectories(out);
        Path root = out.resolve(name + "-" + version + "-root");
        deleteTree(root);
        copyTree(src, root);
        Path share = Files.createDirectories(root.resolve("usr/share/" + name));
        Files.copy(jar, share.resolve(name + ".jar"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(launcher, share.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        Files.createDirectories(root.resolve("usr/bin"));
        Files.createSymbolicLink(root.resolve("usr/bin/" + name), Path.of("../share/" + name + "/" + name));
        if (jvmOptions != null) {
            Files.copy(jvmOptions, root.resolve("etc/" + name + "/jvm.options"), StandardCopyOption.REPLACE_EXISTING);
            Files.createSymbolicLink(
                    share.resolve(name + ".jvm.options"), Path.of("../../../etc/" + name + "/jvm.options"));
        }
        Path doc = Files.createDirectories(root.resolve("usr/share/doc/" + name));
        Files.copy(readme, doc.resolve("README.md"), StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(doc.resolve("copyright"), "edgepush " + name + "\nSee README.md.\n");
        setModes(root);
        Path control = root.resolve("DEBIAN/control");
        Files.writeString(
                control,
                Files.readString(control)
                        .replace("@VERSION@", version)
                        .replace("@INSTALLED_SIZE@", Long.toString(installedKiB(root))));
        Path deb = out.resolve(name + "_" + version + "_all.deb");
        Files.deleteIfExists(deb);
        // gzip: the jar inside is compressed already, and every dpkg reads it.
        run(List.of("dpkg-deb", "--root-owner-group", "-Zgzip", "--build", root.toString(), deb.toString()));
        deleteTree(root);
        return deb;
    }

    /** Directories, maintainer scripts and the launcher 0755; everything else 0644. */
    private void setModes(Path root) throws IOException {
        Path launcherPath = root.resolve("usr/share/" + name + "/" + name);
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                if (Files.isSymbolicLink(p)) {
                    continue;
                }
                String rel = root.relativize(p).toString();
                boolean exec = Files.isDirectory(p)
                        || p.equals(launcherPath)
                        || rel.startsWith("DEBIAN/post")
                        || rel.startsWith("DEBIAN/pre");
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(exec ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }

    private static long installedKiB(Path root) throws IOException {
        long bytes = 0;
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                        && !root.relativize(p).startsWith("DEBIAN")) {
                    bytes += Files.size(p);
                }
            }
        }
        return (bytes + 1023) / 1024;
    }

    static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.REPLACE_EXISTING);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    static void run(List<String> cmd) throws IOException {
        Processes.run(cmd, 120);
    }

    /** {@code name=edge-agent version=0.1.0-SNAPSHOT src=... jar=... launcher=... readme=... out=... [jvmOptions=...]}. */
    public static void main(String[] args) throws IOException {
        Map<String, String> a = new LinkedHashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("expected key=value, got " + arg);
            }
            a.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        List<String> missing = new ArrayList<>();
        for (String k : List.of("name", "version", "src", "jar", "launcher", "readme", "out")) {
            if (!a.containsKey(k)) {
                missing.add(k);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("missing arguments: " + missing);
        }
        String opts = a.get("jvmOptions");
        Path deb = new DebBuilder(
                        a.get("name"),
                        a.get("version"),
                        Path.of(a.get("src")),
                        Path.of(a.get("jar")),
                        Path.of(a.get("launcher")),
                        opts == null || opts.isEmpty() ? null : Path.of(opts),
                        Path.of(a.get("readme")))
                .build(Path.of(a.get("out")));
        System.out.println("built " + deb);
    }
}
