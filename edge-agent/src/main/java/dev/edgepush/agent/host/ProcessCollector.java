package dev.edgepush.agent.host;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The top processes, which node_exporter does not report: every collection reads
 * /proc/&lt;pid&gt;/stat of every process, groups processes by name ({@code comm}) and reports the
 * N groups that used the most CPU since the last collection and the N with the most resident
 * memory, in <a href="https://github.com/ncabatoff/process-exporter">process-exporter</a>'s names
 * with its default grouping ({@code {{.Comm}}}): {@code
 * namedprocess_namegroup_cpu_seconds_total{groupname,mode="user|system"}}, {@code
 * namedprocess_namegroup_memory_bytes{groupname,memtype="resident|virtual|swapped"}}, {@code
 * namedprocess_namegroup_num_threads}, {@code namedprocess_namegroup_open_filedesc}, {@code
 * namedprocess_namegroup_num_procs}. Why those: process-exporter is the usual companion of
 * node_exporter and its Grafana dashboards read these names; grouping by name (not PID) keeps the
 * series the same across a restart of a process, so a crash-looping daemon stays one series.
 * At most 2N groups of 8 series: bounded. A group that leaves the top N is no longer written, and
 * the scrape pipeline writes staleness markers for its series (as for any series that leaves a
 * scrape). CPU seconds are the sum over the group's live processes, so a group's counter drops
 * when one of its processes exits (rate() reads that as a reset).
 */
final class ProcessCollector implements HostCollector {
    private static final double USER_HZ = 100.0;
    private final HostPaths paths;
    private final int top;
    /** pid -> start time and utime+stime ticks at the last collection. */
    private Map<Integer, long[]> lastTicks = new HashMap<>();

    private long pageSize;

    ProcessCollector(HostPaths paths, int top) {
        this.paths = paths;
        this.top = top;
    }

    @Override
    public String name() {
        return "processes";
    }

    private static final class Group {
        final String name;
        final List<Integer> pids = new ArrayList<>();
        long utime;
        long stime;
        long recentTicks;
        long threads;
        long rssPages;
        long vsize;

        Group(String name) {
            this.name = name;
        }
    }

    @Override
    public void collect(TextOut out) throws IOException {
        if (pageSize == 0) {
            pageSize = pageSize();
        }
        Map<String, Group> groups = new HashMap<>();
        Map<Integer, long[]> ticks = new HashMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(paths.procfs(), "[0-9]*")) {
            for (Path p : ds) {
                String stat;
                try {
                    stat = HostPaths.read(p.resolve("stat"));
                } catch (IOException e) {
                    continue; // exited meanwhile
                }
                int open = stat.indexOf('(');
                int close = stat.lastIndexOf(')');
                if (open < 0 || close < open) {
                    continue;
                }
                String comm = stat.substring(open + 1, close);
                String[] f = stat.substring(close + 2).trim().split("\\s+");
                if (f.length < 22) {
                    continue;
                }
                // f[0] is field 3 (state): utime 14, stime 15, num_threads 20, starttime 22, vsize 23, rss 24
                int pid = Integer.parseInt(p.getFileName().toString());
                long utime = Long.parseLong(f[11]);
                long stime = Long.parseLong(f[12]);
                long start = Long.parseLong(f[19]);
                long[] before = lastTicks.get(pid);
                long recent = before != null && before[0] == start ? utime + stime - before[1] : utime + stime;
                ticks.put(pid, new long[] {start, utime + stime});
                Group g = groups.computeIfAbsent(comm, Group::new);
                g.pids.add(pid);
                g.utime += utime;
                g.stime += stime;
                g.recentTicks += recent;
                g.threads += Long.parseLong(f[17]);
                g.vsize += Long.parseLong(f[20]);
                g.rssPages += Long.parseLong(f[21]);
            }
        }
        lastTicks = ticks;
        Set<Group> chosen = new LinkedHashSet<>();
        List<Group> all = new ArrayList<>(groups.values());
        all.sort(Comparator.comparingLong((Group g) -> -g.recentTicks).thenComparing(g -> g.name));
        all.stream().filter(g -> g.recentTicks > 0).limit(top).forEach(chosen::add);
        all.sort(Comparator.comparingLong((Group g) -> -g.rssPages).thenComparing(g -> g.name));
        all.stream().filter(g -> g.rssPages > 0).limit(top).forEach(chosen::add);
        Map<String, Group> sorted = new TreeMap<>();
        chosen.forEach(g -> sorted.put(g.name, g));
        for (Group g : sorted.values()) {
            String n = g.name;
            out.sample("namedprocess_namegroup_num_procs", g.pids.size(), "groupname", n);
            out.sample("namedprocess_namegroup_cpu_seconds_total", g.utime / USER_HZ, "groupname", n, "mode", "user");
            out.sample("namedprocess_namegroup_cpu_seconds_total", g.stime / USER_HZ, "groupname", n, "mode", "system");
            out.sample("namedprocess_namegroup_num_threads", g.threads, "groupname", n);
            out.sample(
                    "namedprocess_namegroup_memory_bytes",
                    g.rssPages * pageSize,
                    "groupname",
                    n,
                    "memtype",
                    "resident");
            out.sample("namedprocess_namegroup_memory_bytes", g.vsize, "groupname", n, "memtype", "virtual");
            long swapKb = 0;
            long fds = 0;
            boolean fdsKnown = false;
            for (int pid : g.pids) {
                swapKb += statusKb(Integer.toString(pid), "VmSwap:");
                long n2 = countFds(pid);
                if (n2 >= 0) {
                    fds += n2;
                    fdsKnown = true;
                }
            }
            out.sample("namedprocess_namegroup_memory_bytes", swapKb * 1024, "groupname", n, "memtype", "swapped");
            if (fdsKnown) {
                out.sample("namedprocess_namegroup_open_filedesc", fds, "groupname", n);
            }
        }
    }

    private long statusKb(String pid, String key) {
        try {
            for (String line : HostPaths.read(paths.proc(pid + "/status")).split("\n")) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // exited, or not ours to read
        }
        return 0;
    }

    /** Open file descriptors of {@code pid}, or -1 when they cannot be listed (another user's process). */
    private long countFds(int pid) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(paths.proc(pid + "/fd"))) {
            long n = 0;
            for (Path ignored : ds) {
                n++;
            }
            return n;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The page size: this process's VmRSS (kB) over its rss pages; 4096 when that cannot be read. */
    private long pageSize() {
        try {
            String stat = HostPaths.read(paths.proc("self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            long pages = Long.parseLong(f[21]);
            long kb = statusKb("self", "VmRSS:");
            if (pages > 0 && kb > 0) {
                long size = kb * 1024 / pages;
                return Long.highestOneBit(size + size / 8); // rounds a ratio read a moment apart to a power of two
            }
        } catch (IOException | RuntimeException e) {
            // below
        }
        return 4096;
    }
}
