package dev.edgepush.agent.host;

import java.io.IOException;
import java.util.Locale;

/**
 * node_exporter's {@code uname} collector: {@code node_uname_info{sysname,release,version,machine,
 * nodename,domainname} 1}, from /proc/sys/kernel (what uname(2) returns); {@code machine} from
 * /proc/sys/kernel/arch where the kernel has it (6.1+), else the JVM's architecture in uname's
 * spelling (amd64 is x86_64).
 */
final class UnameCollector implements HostCollector {
    private final HostPaths paths;

    UnameCollector(HostPaths paths) {
        this.paths = paths;
    }

    @Override
    public String name() {
        return "uname";
    }

    @Override
    public void collect(TextOut out) throws IOException {
        String sysname = HostPaths.attr(paths.proc("sys/kernel/ostype"));
        if (sysname == null) {
            throw new IOException("cannot read " + paths.proc("sys/kernel/ostype"));
        }
        String machine = HostPaths.attr(paths.proc("sys/kernel/arch"));
        if (machine == null) {
            String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
            machine = switch (arch) {
                case "amd64" -> "x86_64";
                case "x86" -> "i686";
                default -> arch;
            };
        }
        out.sample(
                "node_uname_info",
                1,
                "domainname",
                HostPaths.attr(paths.proc("sys/kernel/domainname")),
                "machine",
                machine,
                "nodename",
                HostPaths.attr(paths.proc("sys/kernel/hostname")),
                "release",
                HostPaths.attr(paths.proc("sys/kernel/osrelease")),
                "sysname",
                sysname,
                "version",
                HostPaths.attr(paths.proc("sys/kernel/version")));
    }
}
