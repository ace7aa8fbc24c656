package dev.edgepush.agent.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the host collectors read: node_exporter's {@code --path.procfs}, {@code --path.sysfs},
 * {@code --path.rootfs} and {@code --path.udev.data}, so a test points them at fixture trees.
 */
public record HostPaths(Path procfs, Path sysfs, Path rootfs, Path udevData) {
    public static final HostPaths DEFAULT =
            new HostPaths(Path.of("/proc"), Path.of("/sys"), Path.of("/"), Path.of("/run/udev/data"));

    public Path proc(String rel) {
        return procfs.resolve(rel);
    }

    public Path sys(String rel) {
        return sysfs.resolve(rel);
    }

    /** A file's whole content as UTF-8 (bad bytes replaced); /proc files report size 0 and are read to EOF. */
    public static String read(Path p) throws IOException {
        return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
    }

    /** A sysfs attribute, trimmed; null if missing or unreadable. */
    public static String attr(Path p) {
        try {
            return read(p).trim();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** A sysfs attribute as a number; null if missing, unreadable or not a number. */
    public static Double number(Path p) {
        String s = attr(p);
        if (s == null) {
            return null;
        }
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The entries of {@code dir} whose names match the glob, sorted by name; empty if {@code dir} is missing. */
    public static List<Path> list(Path dir, String glob) throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, glob)) {
            ds.forEach(out::add);
        }
        out.sort(null);
        return out;
    }
}
