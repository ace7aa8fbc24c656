package dev.edgepush.packaging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An image tar built by the Maven build (Jib, {@code docker save} format), read with skopeo and run
 * without a container engine: its layers extracted in order into a temp dir (as root, so owners
 * and modes are the image's), then a command run inside it the way a container runtime would: in
 * new mount and PID namespaces ({@code unshare}; the JVM is PID 1, as in a container), with /proc
 * mounted and the host's /dev bound in that namespace only, {@code chroot}ed into the tree as the
 * image's User ({@code chroot --userspec}: not root, so no capabilities; no new privileges), with
 * the image's Env. chroot starts in /, not in WorkingDir: the daemons use absolute paths only. The
 * network is the host's (as {@code --network host}), so the test reaches it on 127.0.0.1.
 */
final class ImageRoot {
    static final Path IMAGES = Path.of(System.getProperty(
            "edgepush.images", Packages.ROOT.resolve("deploy/packaging/target").toString()));

    final Path tar;
    final Path root;
    final String configJson;

    private ImageRoot(Path tar, Path root, String configJson) {
        this.tar = tar;
        this.root = root;
        this.configJson = configJson;
    }

    /** {@code target/NAME-image.tar}, or an AssertionError saying how to build it. */
    static Path imageTar(String name) {
        Path tar = IMAGES.resolve(name + "-image.tar");
        if (!Files.isRegularFile(tar)) {
            throw new AssertionError(tar + " is missing: the package phase builds it (./mvnw -q -DskipTests package)");
        }
        return tar;
    }

    static String skopeo(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Cmd.require("skopeo", "skopeo")));
        cmd.addAll(List.of(args));
        return Cmd.run(cmd).ok(cmd).out();
    }

    /** Extracts the layers of {@code tar}, in the order its manifest lists them, into {@code dir}/rootfs. */
    static ImageRoot extract(Path tar, Path dir) throws IOException {
        Path archive = Files.createDirectories(dir.resolve("archive"));
        Cmd.ok("tar", "-xf", tar.toString(), "-C", archive.toString());
        String manifest = Files.readString(archive.resolve("manifest.json"));
        Matcher layers = Pattern.compile("\"Layers\":\\[([^\\]]*)]").matcher(manifest);
        if (!layers.find()) {
            throw new AssertionError("no Layers in manifest.json: " + manifest);
        }
        Path root = Files.createDirectories(dir.resolve("rootfs"));
        for (String layer : layers.group(1).replace("\"", "").split(",")) {
            // as root, tar keeps the owners and modes of the layer (--same-owner, --preserve-permissions)
            Cmd.ok(
                    "tar",
                    "-xzf",
                    archive.resolve(layer).toString(),
                    "-C",
                    root.toString(),
                    "--same-owner",
                    "--preserve-permissions",
                    "--numeric-owner");
        }
        String config = Files.readString(archive.resolve(Pattern.compile("\"Config\":\"([^\"]+)\"")
                .matcher(manifest)
                .results()
                .findFirst()
                .orElseThrow()
                .group(1)));
        DebBuilder.deleteTree(archive);
        // mount points a runtime makes
        Files.createDirectories(root.resolve("proc"));
        Files.createDirectories(root.resolve("dev"));
        return new ImageRoot(tar, root, config);
    }

    /** A JSON string array in the image config, e.g. "Entrypoint" or "Env". */
    List<String> array(String key) {
        Matcher m = Pattern.compile("\"" + key + "\":\\[([^\\]]*)]").matcher(configJson);
        if (!m.find()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        Matcher s = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(m.group(1));
        while (s.find()) {
            out.add(s.group(1).replace("\\u003d", "=").replace("\\\"", "\""));
        }
        return out;
    }

    String string(String key) {
        Matcher m = Pattern.compile("\"" + key + "\":\"([^\"]*)\"").matcher(configJson);
        return m.find() ? m.group(1) : "";
    }

    /** The host-side command that runs {@code argv} inside the tree as the image's user. */
    List<String> command(List<String> argv) {
        String[] user = string("User").split(":");
        List<String> cmd = new ArrayList<>(List.of(
                Cmd.require("unshare", "util-linux"),
                "--mount",
                "--pid",
                "--fork",
                "/bin/sh",
                "-c",
                // In the new mount namespace only (private: nothing propagates to the host): the tree bound
                // onto itself, so that / is a mount point inside as in a container (Java's FileStore, which
                // the buffer uses, looks / up in /proc/mounts), /proc of the new PID namespace, the host's
                // /dev (null, urandom). Then chroot, which drops to the image's user after entering the
                // tree: a process that is not root has no capabilities; no-new-privs as runtimes set it.
                "r=\"$0\" u=\"$1\" g=\"$2\"; shift 2; /bin/mount --bind \"$r\" \"$r\""
                        + " && /bin/mount -t proc proc \"$r/proc\" && /bin/mount --rbind /dev \"$r/dev\""
                        + " && exec " + Cmd.require("setpriv", "util-linux") + " --no-new-privs -- "
                        + Cmd.require("chroot", "coreutils") + " --userspec=\"$u\" --groups=\"$g\" \"$r\" \"$@\"",
                root.toString(),
                user[0] + ":" + user[1],
                user[1]));
        cmd.addAll(argv);
        return cmd;
    }

    /** Starts {@code argv} in the tree (output to {@code log}). */
    Process start(List<String> argv, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command(argv))
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().clear();
        for (String kv : array("Env")) {
            int eq = kv.indexOf('=');
            pb.environment().put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return pb.start();
    }

    /** Runs {@code argv} in the tree to its end; at most 5 minutes. */
    Cmd.Result run(List<String> argv) {
        Map<String, String> env = new java.util.HashMap<>();
        for (String kv : array("Env")) {
            int eq = kv.indexOf('=');
            env.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return Cmd.run(command(argv), env, null);
    }

    /** The JVM's pid (as the host sees it): the process unshare forked, which exec'd down to java. */
    static long jvmPid(Process unshare) {
        return unshare.toHandle().children().findFirst().map(ProcessHandle::pid).orElse(-1L);
    }

    /** SIGTERM to the JVM (PID 1 in its namespace, as in a container); waits {@code seconds}; its exit code. */
    static int stop(Process unshare, long seconds) throws InterruptedException {
        unshare.toHandle().children().forEach(ProcessHandle::destroy);
        if (!unshare.waitFor(seconds, TimeUnit.SECONDS)) {
            unshare.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            unshare.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("did not stop within " + seconds + " s of SIGTERM");
        }
        return unshare.exitValue();
    }

    /** VmRSS of {@code pid} in KiB, or -1. */
    static long rssKiB(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }
}
