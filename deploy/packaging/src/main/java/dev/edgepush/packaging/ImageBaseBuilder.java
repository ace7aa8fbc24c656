package dev.edgepush.packaging;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds the base image Jib puts edge-agent or central-ingest on (no image can be pulled here, and
 * Jib cannot set file owners): a {@code docker save}-format tar with two layers.
 * <ol>
 *   <li>The runtime, the same bytes for both images: a jlink'd Java runtime in {@code /opt/java}
 *       (only the modules the daemons use, see {@link #MODULES}) and the few shared libraries it
 *       and the daemons' native code (Netty, snappy) link against, copied from this machine's
 *       libc6, libstdc++6, libgcc-s1 and zlib1g. No shell, no package manager.
 *   <li>The daemon's user and files: {@code /etc/passwd} and {@code /etc/group} with the user
 *       {@code NAME} (uid and gid {@link #UID}, as deploy/kubernetes runs it), {@code /tmp} (1777,
 *       where Netty and snappy unpack their native libraries), {@code /var/lib/NAME} owned by
 *       that user (mode 0750, as the package's postinst makes it: the image's VOLUME, so a new
 *       named volume starts with these owners), the JVM options file
 *       {@code /usr/share/NAME/NAME.jvm.options}.
 * </ol>
 * Jib (deploy/packaging/pom.xml) adds the daemon's jar, the entrypoint, user, volume, ports and
 * labels. Layers are written with GNU tar, sorted, with fixed times and numeric owners, so the
 * same files give the same digests (the second layer is the same from build to build; jlink's
 * output is not, JDK 17's class-data archive differs from one run to the next). The runtime layer is made once per build directory (again when the JDK, modules or
 * libraries change).
 *
 * <p>Arguments: {@code name=... jdk=... work=... out=...} and either {@code jvmOptions=FILE}
 * (edge-agent: its options file, one option per line) or {@code launcher=FILE} (central-ingest:
 * the options are the launcher's {@code default_opts}, so the image runs what the package runs).
 */
public final class ImageBaseBuilder {
    /** What {@code jdeps --print-module-deps --multi-release 17} prints for both shaded jars (the same
     * list), plus jdk.crypto.ec, which TLS loads as a provider (ECDHE, EC certificates). */
    static final List<String> MODULES = List.of(
            "java.base",
            "java.compiler",
            "java.desktop",
            "java.management",
            "java.naming",
            "java.sql",
            "jdk.crypto.ec",
            "jdk.jfr",
            "jdk.unsupported");
    /** Shared libraries copied next to libc: what java, libjvm.so and the JDK's libraries need (ldd), and
     * libdl/libpthread/librt, empty in glibc 2.34+ but still named by native code built for older ones. */
    static final List<String> LIBS = List.of(
            "libc.so.6",
            "libm.so.6",
            "libdl.so.2",
            "libpthread.so.0",
            "librt.so.1",
            "libstdc++.so.6",
            "libgcc_s.so.1",
            "libz.so.1");

    static final int UID = 10001;
    /** Part of the runtime layer's stamp: bump it when runtimeLayer() changes what it puts in. */
    private static final int RUNTIME_LAYOUT = 2;

    private ImageBaseBuilder() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            a.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        String name = a.get("name");
        // edge-agent's file as it is (comments and all); central-ingest's launcher options one a line
        String options = a.containsKey("jvmOptions")
                ? Files.readString(Path.of(a.get("jvmOptions")))
                : String.join("\n", launcherOptions(Files.readString(Path.of(a.get("launcher"))))) + "\n";
        long t0 = System.nanoTime();
        build(name, Path.of(a.get("jdk")), Path.of(a.get("work")), options, Path.of(a.get("out")));
        System.out.printf("[image] base of %s: %s (%d ms)%n", name, a.get("out"), (System.nanoTime() - t0) / 1_000_000);
    }

    /** The launcher's {@code default_opts="..."} (continued lines with a trailing backslash). */
    static List<String> launcherOptions(String launcher) {
        Matcher m = Pattern.compile("(?m)^default_opts=\"([^\"]*)\"").matcher(launcher);
        if (!m.find()) {
            throw new IllegalArgumentException("no default_opts=\"...\" in the launcher");
        }
        return List.of(m.group(1).replace("\\\n", " ").strip().split("\\s+"));
    }

    static void build(String name, Path jdk, Path work, String jvmOptions, Path out) throws IOException {
        Path runtimeTar = runtimeLayer(jdk, work);
        Path appRoot = work.resolve(name + "-root");
        DebBuilder.deleteTree(appRoot);
        Files.createDirectories(appRoot.resolve("etc"));
        Files.writeString(
                appRoot.resolve("etc/passwd"),
                "root:x:0:0:root:/root:/sbin/nologin\n"
                        + name + ":x:" + UID + ":" + UID + ":" + name + ":/var/lib/" + name + ":/sbin/nologin\n"
                        + "nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n");
        Files.writeString(appRoot.resolve("etc/group"), "root:x:0:\n" + name + ":x:" + UID + ":\nnogroup:x:65534:\n");
        Files.writeString(appRoot.resolve("etc/nsswitch.conf"), "passwd: files\ngroup: files\nhosts: files dns\n");
        Files.createDirectories(appRoot.resolve("tmp"));
        Files.createDirectories(appRoot.resolve("var/lib/" + name));
        Path share = Files.createDirectories(appRoot.resolve("usr/share/" + name));
        Files.writeString(
                share.resolve(name + ".jvm.options"),
                "# JVM options of the " + name
                        + " image (the entrypoint reads them: java @" + "/usr/share/" + name + "/" + name
                        + ".jvm.options),\n"
                        + "# the same the Debian package runs with. Mount a file here to change them.\n"
                        + jvmOptions);
        Path appTar = work.resolve(name + "-app.tar");
        Files.deleteIfExists(appTar);
        // root-owned, then the entries with other owners or modes appended
        tar(
                appRoot,
                appTar,
                false,
                List.of(
                        "--owner=0",
                        "--group=0",
                        "--mode=u+rwX,go+rX,go-w",
                        "--exclude=./tmp",
                        "--exclude=./var/lib/" + name),
                List.of("."));
        tar(
                appRoot,
                appTar,
                true,
                List.of("--owner=0", "--group=0", "--mode=1777", "--no-recursion"),
                List.of("./tmp"));
        tar(
                appRoot,
                appTar,
                true,
                List.of("--owner=" + UID, "--group=" + UID, "--mode=0750", "--no-recursion"),
                List.of("./var/lib/" + name));
        DebBuilder.deleteTree(appRoot);
        dockerArchive(work.resolve(name + "-archive"), List.of(runtimeTar, appTar), out);
    }

    /** The jlink runtime and its libraries as a layer tar, made once in {@code work}. */
    static Path runtimeLayer(Path jdk, Path work) throws IOException {
        Path tar = work.resolve("runtime.tar");
        Path stamp = work.resolve("runtime.stamp");
        String inputs = RUNTIME_LAYOUT + " " + jdk.toRealPath() + " " + System.getProperty("java.version") + " "
                + MODULES + " " + LIBS + "\n";
        if (Files.exists(tar) && Files.exists(stamp) && Files.readString(stamp).equals(inputs)) {
            return tar;
        }
        Files.deleteIfExists(stamp);
        Path root = work.resolve("runtime-root");
        DebBuilder.deleteTree(root);
        Files.createDirectories(root.resolve("opt"));
        Path java = root.resolve("opt/java");
        run(List.of(
                jdk.resolve("bin/jlink").toString(),
                "--add-modules",
                String.join(",", MODULES),
                "--strip-debug",
                "--no-header-files",
                "--no-man-pages",
                "--compress=2",
                "--generate-cds-archive",
                "--output",
                java.toString()));
        // The class data sharing archive (jlink --generate-cds-archive, 11 MiB) halves the health check's
        // start-up CPU (0.25 -> 0.13 s); its no-compressed-oops twin serves heaps over 32 GiB only.
        Files.deleteIfExists(java.resolve("lib/server/classes_nocoops.jsa"));
        // Debian's JDK links its CA certificates from /etc; a runtime on its own needs the file itself.
        Path cacerts = java.resolve("lib/security/cacerts");
        if (Files.isSymbolicLink(cacerts) || !Files.exists(cacerts)) {
            Path real = jdk.resolve("lib/security/cacerts").toRealPath();
            Files.deleteIfExists(cacerts);
            Files.copy(real, cacerts);
        }
        // The dynamic loader at the path the java binary names, libraries in libc's directory.
        String ldd = run(List.of("ldd", java.resolve("bin/java").toString()));
        Matcher libc = Pattern.compile("libc\\.so\\.6 => (\\S+)/libc\\.so\\.6").matcher(ldd);
        Matcher loader = Pattern.compile("(?m)^\\s*(/\\S*ld-linux\\S*)").matcher(ldd);
        if (!libc.find() || !loader.find()) {
            throw new IOException("libc or the loader not in ldd's output:\n" + ldd);
        }
        Path libDir = Path.of(libc.group(1));
        copyReal(Path.of(loader.group(1)), root);
        for (String lib : LIBS) {
            if (Files.exists(libDir.resolve(lib))) {
                copyReal(libDir.resolve(lib), root);
            } else if (!lib.matches("lib(dl|pthread|rt)\\.so.*")) {
                throw new IOException(libDir.resolve(lib) + " is missing");
            }
        }
        checkLinked(root, java);
        tar(root, tar, false, List.of("--owner=0", "--group=0", "--mode=u+rwX,go+rX,go-w"), List.of("."));
        DebBuilder.deleteTree(root);
        Files.writeString(stamp, inputs);
        return tar;
    }

    /** Copies the file a path resolves to, to the same path under {@code root}. */
    private static void copyReal(Path path, Path root) throws IOException {
        Path dest = root.resolve(path.toString().substring(1));
        Files.createDirectories(dest.getParent());
        Files.copy(path.toRealPath(), dest, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Every library the runtime's binaries need is either in the runtime or among the copied ones. */
    private static void checkLinked(Path root, Path java) throws IOException {
        Set<String> have = new TreeSet<>();
        try (var all = Files.walk(root)) {
            all.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .forEach(p -> have.add(p.getFileName().toString()));
        }
        List<Path> binaries = new ArrayList<>(List.of(java.resolve("bin/java"), java.resolve("lib/server/libjvm.so")));
        for (String lib : List.of(
                "libjava.so",
                "libnet.so",
                "libnio.so",
                "libzip.so",
                "libjimage.so",
                "libverify.so",
                "libmanagement.so",
                "libextnet.so")) {
            if (Files.exists(java.resolve("lib/" + lib))) {
                binaries.add(java.resolve("lib/" + lib));
            }
        }
        Pattern needed = Pattern.compile("(?m)^\\s*(\\S+\\.so[.0-9]*) =>");
        for (Path b : binaries) {
            Matcher m = needed.matcher(run(List.of("ldd", b.toString())));
            while (m.find()) {
                if (!have.contains(m.group(1))) {
                    throw new IOException(
                            b + " needs " + m.group(1) + ", which the image does not have: add it to LIBS");
                }
            }
        }
    }

    /** GNU tar, reproducible: sorted, mtime 0, numeric owners; {@code append} adds to an existing archive. */
    private static void tar(Path dir, Path archive, boolean append, List<String> options, List<String> paths)
            throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                "tar",
                append ? "--append" : "--create",
                "--file=" + archive,
                "--directory=" + dir,
                "--format=gnu",
                "--sort=name",
                "--mtime=@0",
                "--numeric-owner"));
        cmd.addAll(options);
        cmd.addAll(paths);
        run(cmd);
    }

    /** The layers and their config as {@code docker save} writes them (what Jib's tar:// base reads). */
    private static void dockerArchive(Path dir, List<Path> layers, Path out) throws IOException {
        DebBuilder.deleteTree(dir);
        Files.createDirectories(dir);
        List<String> diffIds = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            String file = "layer" + i + ".tar";
            Files.createLink(dir.resolve(file), layers.get(i));
            diffIds.add("\"sha256:" + sha256(layers.get(i)) + "\"");
            names.add("\"" + file + "\"");
        }
        String arch =
                switch (System.getProperty("os.arch")) {
                    case "amd64", "x86_64" -> "amd64";
                    case "aarch64", "arm64" -> "arm64";
                    default -> System.getProperty("os.arch");
                };
        Files.writeString(
                dir.resolve("config.json"),
                "{\"architecture\":\"" + arch + "\",\"os\":\"linux\","
                        + "\"config\":{\"Env\":[\"PATH=/opt/java/bin:/usr/bin:/bin\"]},"
                        + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" + String.join(",", diffIds) + "]},"
                        + "\"history\":[{\"created_by\":\"edgepush ImageBaseBuilder: jlink runtime and libraries\"},"
                        + "{\"created_by\":\"edgepush ImageBaseBuilder: user, /tmp, /var/lib, JVM options\"}]}");
        Files.writeString(
                dir.resolve("manifest.json"),
                "[{\"Config\":\"config.json\",\"RepoTags\":[],\"Layers\":[" + String.join(",", names) + "]}]");
        Files.deleteIfExists(out);
        List<String> files = new ArrayList<>(List.of("manifest.json", "config.json"));
        for (String n : names) {
            files.add(n.replace("\"", ""));
        }
        tar(dir, out, false, List.of("--owner=0", "--group=0"), files);
        DebBuilder.deleteTree(dir);
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs {@code cmd}, returns its output (stdout and stderr); fails with it unless it exits 0. */
    static String run(List<String> cmd) throws IOException {
        return Processes.run(cmd, 300);
    }
}
