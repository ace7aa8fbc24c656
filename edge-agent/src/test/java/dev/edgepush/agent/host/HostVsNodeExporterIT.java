package dev.edgepush.agent.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.testsupport.ChildProcess;
import dev.edgepush.testsupport.NodeExporter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host collectors side by side with the real prometheus-node-exporter (Debian's package) on
 * this machine, every node collector enabled in both: the same metric names, the same label names
 * per metric, the same series, and values that agree within a tolerance (the same counters read a
 * moment apart). Intended differences are listed in {@link #ONLY_NODE_EXPORTER} with their reason.
 */
class HostVsNodeExporterIT {
    /** Metric names node_exporter writes and edge-agent does not, each with the reason. */
    static final Map<String, String> ONLY_NODE_EXPORTER = Map.of(
            "node_filesystem_files",
                    "inode counts need statvfs's f_files, which the JDK does not expose; binding libc"
                            + " (JNA/jnr) costs ~3 MiB RSS and is kept out of the build on purpose",
            "node_filesystem_files_free", "as node_filesystem_files (f_ffree)",
            "node_exporter_build_info", "node_exporter's own build; edge-agent has edge_agent_* on its /metrics");
    /** Series whose value moves too fast to compare (instantaneous counts, timings). */
    static final Set<String> VALUE_NOT_COMPARED = Set.of(
            "node_procs_running", "node_procs_blocked", "node_scrape_collector_duration_seconds", "node_disk_io_now");

    @TempDir
    Path dir;

    @Test
    void sameNamesLabelsSeriesAndValuesAsNodeExporter() throws Exception {
        List<String> flags = new ArrayList<>(List.of(
                "--collector.disable-defaults",
                "--collector.netdev.device-exclude=^lo$",
                // Debian patches node_exporter's default exclusions (it adds /run, /mnt and /media); edge-agent
                // has upstream's. Both get them spelled out here, so the test compares collectors, not packaging.
                "--collector.filesystem.mount-points-exclude=" + FilesystemCollector.DEFAULT_MOUNT_EXCLUDE,
                "--collector.filesystem.fs-types-exclude=" + FilesystemCollector.DEFAULT_FS_TYPE_EXCLUDE,
                "--collector.diskstats.device-exclude=" + DiskstatsCollector.DEFAULT_EXCLUDE));
        HostSettings.NODE_COLLECTORS.forEach(c -> flags.add("--collector." + c));
        try (ChildProcess ne = NodeExporter.start(dir, flags)) {
            String theirs = ne.get("/metrics");
            HostSettings s = settings();
            TextOut out = new TextOut();
            HostSource.collectAll(s.build(), out, new HashMap<>());
            compare(Exposition.parse(theirs), Exposition.parse(out.toString()));
        }
    }

    static HostSettings settings() {
        return new HostSettings(
                HostSettings.NODE_COLLECTORS,
                Duration.ofSeconds(15),
                Duration.ofSeconds(10),
                "node",
                "test",
                HostPaths.DEFAULT,
                null,
                Pattern.compile("^lo$"),
                null,
                Pattern.compile(DiskstatsCollector.DEFAULT_EXCLUDE),
                Pattern.compile(FilesystemCollector.DEFAULT_MOUNT_EXCLUDE),
                Pattern.compile(FilesystemCollector.DEFAULT_FS_TYPE_EXCLUDE),
                12);
    }

    private static void compare(Map<String, Double> theirs, Map<String, Double> ours) {
        theirs.keySet().removeIf(k -> k.startsWith("go_") || k.startsWith("process_") || k.startsWith("promhttp_"));
        Map<String, Set<String>> theirLabels = labelSets(theirs);
        Map<String, Set<String>> ourLabels = labelSets(ours);
        Set<String> onlyTheirs = new TreeSet<>(theirLabels.keySet());
        onlyTheirs.removeAll(ourLabels.keySet());
        onlyTheirs.removeAll(ONLY_NODE_EXPORTER.keySet());
        Set<String> onlyOurs = new TreeSet<>(ourLabels.keySet());
        onlyOurs.removeAll(theirLabels.keySet());
        assertEquals(Set.of(), onlyTheirs, "metric names node_exporter writes and edge-agent does not");
        assertEquals(Set.of(), onlyOurs, "metric names edge-agent writes and node_exporter does not");
        for (String name : ourLabels.keySet()) {
            assertEquals(theirLabels.get(name), ourLabels.get(name), "label names of " + name);
        }
        Set<String> theirSeries = new TreeSet<>(theirs.keySet());
        theirSeries.removeIf(k -> ONLY_NODE_EXPORTER.containsKey(Exposition.name(k)));
        assertEquals(theirSeries, new TreeSet<>(ours.keySet()), "the series (name and labels)");
        List<String> off = new ArrayList<>();
        for (String k : ours.keySet()) {
            String name = Exposition.name(k);
            if (VALUE_NOT_COMPARED.contains(name)) {
                continue;
            }
            double a = theirs.get(k);
            double b = ours.get(k);
            if (Math.abs(a - b) > 0.05 * Math.max(Math.abs(a), Math.abs(b)) + slack(name)) {
                off.add(k + " node_exporter=" + a + " edge-agent=" + b);
            }
        }
        assertEquals(List.of(), off, "values that differ more than the tolerance");
        assertTrue(ours.size() > 100, "a real machine gives more than 100 host series, got " + ours.size());
    }

    /** Absolute slack on top of 5 %: how far the same quantity moves in the moment between the two reads. */
    static double slack(String name) {
        if (name.startsWith("node_memory_") || name.startsWith("node_filesystem_")) {
            return 256.0 * 1024 * 1024;
        }
        if (name.endsWith("_bytes_total")) {
            return 64.0 * 1024 * 1024;
        }
        if (name.startsWith("node_load")) {
            return 1.0;
        }
        if (name.endsWith("seconds_total") || name.equals("node_time_seconds")) {
            return 10.0;
        }
        return name.endsWith("_total") ? 20_000 : 0.001;
    }

    private static Map<String, Set<String>> labelSets(Map<String, Double> series) {
        Map<String, Set<String>> out = new TreeMap<>();
        for (String k : series.keySet()) {
            out.computeIfAbsent(Exposition.name(k), n -> new TreeSet<>()).add(Exposition.labelNames(k));
        }
        return out;
    }
}
