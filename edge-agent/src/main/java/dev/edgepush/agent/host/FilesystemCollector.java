package dev.edgepush.agent.host;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * node_exporter's {@code filesystem} collector: for each mount in /proc/1/mounts (or /proc/mounts)
 * not excluded by node_exporter's default mount-point and fs-type patterns, {@code
 * node_filesystem_{size,free,avail}_bytes}, {@code node_filesystem_files}, {@code
 * node_filesystem_files_free}, {@code node_filesystem_readonly} and {@code
 * node_filesystem_device_error{device,mountpoint,fstype}}; a mount seen twice is reported once.
 * Sizes come from statvfs through the JDK's FileStore (size = blocks, free = bfree, avail = bavail,
 * times the block size, as node_exporter). <b>Not written:</b> {@code node_filesystem_files} and
 * {@code node_filesystem_files_free} (inode counts): the JDK does not expose statvfs's f_files and
 * f_ffree, and binding libc (JNA, jnr) costs about 3 MiB of resident memory, which the build
 * deliberately keeps out (see the root pom's exclusions and PosixApiAbsentTest).
 */
final class FilesystemCollector implements HostCollector {
    static final String DEFAULT_MOUNT_EXCLUDE =
            "^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)";
    static final String DEFAULT_FS_TYPE_EXCLUDE = "^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs"
            + "|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs"
            + "|sysfs|tracefs)$";
    private final HostPaths paths;
    private final Pattern mountExclude;
    private final Pattern fsTypeExclude;

    FilesystemCollector(HostPaths paths, Pattern mountExclude, Pattern fsTypeExclude) {
        this.paths = paths;
        this.mountExclude = mountExclude;
        this.fsTypeExclude = fsTypeExclude;
    }

    @Override
    public String name() {
        return "filesystem";
    }

    @Override
    public void collect(TextOut out) throws IOException {
        Path mounts = paths.proc("1/mounts");
        if (!Files.exists(mounts)) {
            mounts = paths.proc("mounts");
        }
        Set<String> seen = new HashSet<>();
        for (String line : HostPaths.read(mounts).split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 4) {
                if (line.isBlank()) {
                    continue;
                }
                throw new IOException("malformed mount point information: " + line);
            }
            String device = f[0];
            String mountPoint = f[1].replace("\\040", " ").replace("\\011", "\t");
            String fsType = f[2];
            if (mountExclude.matcher(mountPoint).find()
                    || fsTypeExclude.matcher(fsType).find()
                    || !seen.add(device + "\u0000" + mountPoint + "\u0000" + fsType)) {
                continue;
            }
            String[] labels = {"device", device, "fstype", fsType, "mountpoint", mountPoint};
            Path at = paths.rootfs().resolve(mountPoint.substring(1));
            long size;
            long free;
            long avail;
            try {
                FileStore store = Files.getFileStore(at);
                size = store.getTotalSpace();
                free = store.getUnallocatedSpace();
                avail = store.getUsableSpace();
            } catch (IOException | RuntimeException e) {
                out.sample("node_filesystem_device_error", 1, labels);
                continue;
            }
            boolean ro = false;
            for (String opt : f[3].split(",")) {
                ro |= opt.equals("ro");
            }
            out.sample("node_filesystem_device_error", 0, labels);
            out.sample("node_filesystem_size_bytes", size, labels);
            out.sample("node_filesystem_free_bytes", free, labels);
            out.sample("node_filesystem_avail_bytes", avail, labels);
            out.sample("node_filesystem_readonly", ro ? 1 : 0, labels);
        }
    }
}
