package dev.edgepush.agent.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The top-processes collector on a fake /proc: bounded series, grouping by name, CPU since the last collection. */
class ProcessCollectorTest {
    @TempDir
    Path proc;

    private void process(int pid, String comm, long utime, long stime, int threads, long rssPages) throws IOException {
        Path d = Files.createDirectories(proc.resolve(Integer.toString(pid)));
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime
        // priority nice num_threads itrealvalue starttime vsize rss ...
        Files.writeString(
                d.resolve("stat"),
                pid + " (" + comm + ") S 1 1 1 0 -1 0 0 0 0 0 " + utime + " " + stime + " 0 0 20 0 " + threads + " 0 "
                        + (1000 + pid) + " " + rssPages * 8192 + " " + rssPages + " 0 0 0\n");
        Files.writeString(d.resolve("status"), "Name:\t" + comm + "\nVmRSS:\t" + rssPages * 4 + " kB\nVmSwap:\t8 kB\n");
        Files.createDirectories(d.resolve("fd"));
        Files.writeString(d.resolve("fd/0"), "");
    }

    private Map<String, Double> collect(ProcessCollector c) throws IOException {
        TextOut out = new TextOut();
        c.collect(out);
        return Exposition.parse(out.toString());
    }

    private static Set<String> groups(Map<String, Double> m) {
        Set<String> g = new TreeSet<>();
        m.keySet().forEach(k -> g.add(k.replaceAll(".*groupname=\"([^\"]*)\".*", "$1")));
        return g;
    }

    @Test
    void topByCpuAndByMemoryGroupedByNameAndBounded() throws IOException {
        for (int i = 0; i < 20; i++) {
            process(100 + i, "idle" + i, 0, 0, 1, 10 + i); // no CPU, little memory
        }
        process(200, "hog", 5000, 1000, 4, 5);
        process(201, "big (java)", 1, 1, 30, 100_000);
        process(202, "worker", 300, 100, 1, 50);
        process(203, "worker", 200, 100, 2, 50);
        Files.createDirectories(proc.resolve("self"));
        Files.copy(proc.resolve("200/stat"), proc.resolve("self/stat"));
        Files.copy(proc.resolve("200/status"), proc.resolve("self/status"));
        ProcessCollector c = new ProcessCollector(new HostPaths(proc, proc, proc, proc), 2);
        Map<String, Double> m = collect(c);
        // top 2 by CPU: hog, worker; top 2 by memory: big (java), worker
        assertEquals(Set.of("hog", "worker", "big (java)"), groups(m));
        assertEquals(2, m.get("namedprocess_namegroup_num_procs{groupname=\"worker\",}"));
        assertEquals(5.0, m.get("namedprocess_namegroup_cpu_seconds_total{groupname=\"worker\",mode=\"user\",}"), 1e-9);
        assertEquals(3, m.get("namedprocess_namegroup_num_threads{groupname=\"worker\",}"));
        assertEquals(
                100_000.0 * 4096,
                m.get("namedprocess_namegroup_memory_bytes{groupname=\"big (java)\",memtype=\"resident\",}"));
        assertEquals(2, m.get("namedprocess_namegroup_open_filedesc{groupname=\"worker\",}"));
        assertEquals(
                16 * 1024, m.get("namedprocess_namegroup_memory_bytes{groupname=\"worker\",memtype=\"swapped\",}"));
        assertTrue(m.size() <= 2 * 2 * 8, "at most 2N groups of 8 series: " + m.size());
        // Next collection: only idle7 used CPU since; hog is no longer in the top by CPU (nor by memory).
        process(107, "idle7", 50, 0, 1, 17);
        m = collect(c);
        assertEquals(Set.of("idle7", "big (java)", "worker"), groups(m));
        assertFalse(groups(m).contains("hog"));
    }
}
