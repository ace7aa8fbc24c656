package dev.edgepush.agent.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host collectors on a fixture /proc and /sys (src/test/resources/host-fixture: captured from a
 * real machine and edited): CPU 1 offline, CPU 2 isolated, a partition, a loop device and a disk
 * with a pre-4.18 line (no discard fields) whose 32-bit counters are at their wrap point, a
 * network device with a statistics file missing, a thermal zone without a temperature, a hwmon chip,
 * a battery. Each test works on a copy, so it can edit the tree between collections.
 */
class HostFixtureTest {
    @TempDir
    Path tmp;

    Path root;

    @BeforeEach
    void copyFixture() throws IOException {
        Path src = Path.of("src/test/resources/host-fixture");
        root = tmp.resolve("fixture");
        try (Stream<Path> all = Files.walk(src)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path to = root.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to);
                }
            }
        }
        Files.createDirectories(root.resolve("rootfs"));
    }

    private List<HostCollector> collectors(String... names) {
        HostPaths paths =
                new HostPaths(root.resolve("proc"), root.resolve("sys"), root.resolve("rootfs"), root.resolve("udev"));
        return new HostSettings(
                        List.of(names),
                        Duration.ofSeconds(15),
                        Duration.ofSeconds(10),
                        "node",
                        "t",
                        paths,
                        null,
                        null,
                        null,
                        Pattern.compile(DiskstatsCollector.DEFAULT_EXCLUDE),
                        Pattern.compile(FilesystemCollector.DEFAULT_MOUNT_EXCLUDE),
                        Pattern.compile(FilesystemCollector.DEFAULT_FS_TYPE_EXCLUDE),
                        12)
                .build();
    }

    private static Map<String, Double> collect(List<HostCollector> cs) {
        TextOut out = new TextOut();
        HostSource.collectAll(cs, out, new HashMap<>());
        return Exposition.parse(out.toString());
    }

    private static Map<String, Double> all(List<HostCollector> cs) {
        return collect(cs);
    }

    private static double v(Map<String, Double> m, String key) {
        Double d = m.get(key);
        if (d == null) {
            throw new AssertionError("no " + key + " in " + m.keySet());
        }
        return d;
    }

    @Test
    void cpuWithOneOfflineAndOneIsolated() throws IOException {
        List<HostCollector> cs = collectors("cpu");
        Map<String, Double> m = all(cs);
        assertEquals(3211.35, v(m, "node_cpu_seconds_total{cpu=\"2\",mode=\"user\",}"), 1e-9);
        assertEquals(0.12, v(m, "node_cpu_guest_seconds_total{cpu=\"2\",mode=\"user\",}"), 1e-9);
        assertEquals(0.03, v(m, "node_cpu_guest_seconds_total{cpu=\"2\",mode=\"nice\",}"), 1e-9);
        assertFalse(m.keySet().stream().anyMatch(k -> k.contains("cpu=\"1\"")), "offline CPU 1 has no series: " + m);
        assertEquals(1, v(m, "node_cpu_isolated{cpu=\"2\",}"));
        assertEquals(7, v(m, "node_cpu_core_throttles_total{core=\"0\",package=\"0\",}"));
        assertEquals(9, v(m, "node_cpu_package_throttles_total{package=\"0\",}"));
        assertEquals(
                16,
                m.keySet().stream()
                        .filter(k -> k.startsWith("node_cpu_seconds_total"))
                        .count());
        // A counter going backwards keeps its value (node_exporter's rule); idle dropping 3 s or more restarts the CPU.
        Path stat = root.resolve("proc/stat");
        Files.writeString(
                stat, Files.readString(stat).replace("cpu2 321135 0 66794 3554203", "cpu2 321000 0 66794 3554203"));
        assertEquals(3211.35, v(all(cs), "node_cpu_seconds_total{cpu=\"2\",mode=\"user\",}"), 1e-9);
        Files.writeString(stat, Files.readString(stat).replace("cpu2 321000 0 66794 3554203", "cpu2 5 0 6 100"));
        assertEquals(0.05, v(all(cs), "node_cpu_seconds_total{cpu=\"2\",mode=\"user\",}"), 1e-9);
    }

    @Test
    void statMeminfoLoadavgPressure() {
        Map<String, Double> m = all(collectors("stat", "meminfo", "loadavg", "pressure"));
        assertEquals(1796408587, v(m, "node_boot_time_seconds{}"));
        assertEquals(13083295, v(m, "node_context_switches_total{}"));
        assertEquals(97814, v(m, "node_forks_total{}"));
        assertEquals(6330513, v(m, "node_intr_total{}"));
        assertEquals(6, v(m, "node_procs_running{}"));
        assertEquals(1, v(m, "node_procs_blocked{}"));
        assertTrue(v(m, "node_memory_MemTotal_bytes{}") > 0);
        assertTrue(m.keySet().stream().anyMatch(k -> k.startsWith("node_memory_Active_anon_bytes")), m.toString());
        assertEquals(1.31, v(m, "node_load1{}"));
        assertEquals(0.14, v(m, "node_load15{}"));
        assertEquals(2717.252906, v(m, "node_pressure_cpu_waiting_seconds_total{}"), 1e-9);
        assertEquals(12.254704, v(m, "node_pressure_io_stalled_seconds_total{}"), 1e-9);
        assertFalse(m.containsKey("node_pressure_cpu_stalled_seconds_total{}"));
        for (String c : List.of("stat", "meminfo", "loadavg", "pressure")) {
            assertEquals(1, v(m, "node_scrape_collector_success{collector=\"" + c + "\",}"), c);
        }
    }

    @Test
    void missingPressureFilesAreNoDataNotACrash() throws IOException {
        try (Stream<Path> s = Files.list(root.resolve("proc/pressure"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Files.delete(p);
            }
        }
        Map<String, Double> m = all(collectors("pressure", "loadavg"));
        assertEquals(0, v(m, "node_scrape_collector_success{collector=\"pressure\",}"));
        assertEquals(1, v(m, "node_scrape_collector_success{collector=\"loadavg\",}"));
    }

    @Test
    void diskstatsExclusionsOldKernelLineWrapAndRemovedDisk() throws IOException {
        List<HostCollector> cs = collectors("diskstats");
        Map<String, Double> m = all(cs);
        assertEquals(54134, v(m, "node_disk_flush_requests_total{device=\"vda\",}"));
        assertEquals(6042850.0 * 512, v(m, "node_disk_read_bytes_total{device=\"vda\",}"));
        assertEquals(27.565, v(m, "node_disk_read_time_seconds_total{device=\"vda\",}"), 1e-9);
        assertFalse(
                m.keySet().stream().anyMatch(k -> k.contains("vda1") || k.contains("loop0")), "partitions, loop out");
        assertEquals(4294967295.0, v(m, "node_disk_reads_completed_total{device=\"mmcblk0\",}"));
        assertFalse(
                m.containsKey("node_disk_discards_completed_total{device=\"mmcblk0\",}"),
                "an 11-field line has no discards");
        assertEquals(
                1,
                v(
                        m,
                        "node_disk_info{device=\"mmcblk0\",major=\"179\",minor=\"0\",model=\"SD32G\",serial=\"0x1234\",}"));
        assertFalse(m.keySet().stream().anyMatch(k -> k.startsWith("node_disk_filesystem_info")), "empty ID_FS_TYPE");
        // The 32-bit counter wraps; the value is passed on as the kernel has it (rate() reads a reset), and vda is
        // removed.
        Path ds = root.resolve("proc/diskstats");
        List<String> lines = Files.readAllLines(ds).stream()
                .filter(l -> !l.contains(" vda "))
                .map(l -> l.replace("mmcblk0 4294967295", "mmcblk0 5"))
                .toList();
        Files.write(ds, lines);
        m = all(cs);
        assertEquals(5, v(m, "node_disk_reads_completed_total{device=\"mmcblk0\",}"));
        assertFalse(m.keySet().stream().anyMatch(k -> k.contains("\"vda\"")), "a removed disk has no series");
    }

    @Test
    void netdevFromSysfsAloneGivesTheSameSeries() throws IOException {
        Map<String, Double> fromProc = all(collectors("netdev"));
        Files.delete(root.resolve("proc/net/dev"));
        Map<String, Double> fromSys = all(collectors("netdev"));
        fromProc.keySet().removeIf(k -> k.startsWith("node_scrape_collector_duration_seconds"));
        fromSys.keySet().removeIf(k -> k.startsWith("node_scrape_collector_duration_seconds"));
        assertEquals(fromProc, fromSys, "/proc/net/dev plus rx_nohandler = the sysfs statistics folded");
    }

    @Test
    void netdevLegacyNamesAndAMissingStatisticsFile() {
        Map<String, Double> m = all(collectors("netdev"));
        assertEquals(120503575, v(m, "node_network_receive_bytes_total{device=\"eth0\",}"));
        assertEquals(2, v(m, "node_network_receive_drop_total{device=\"eth0\",}"), "rx_dropped + rx_missed_errors");
        assertEquals(4, v(m, "node_network_receive_frame_total{device=\"eth0\",}"), "frame + length + over + crc");
        assertEquals(4, v(m, "node_network_transmit_carrier_total{device=\"eth0\",}"));
        assertEquals(1, v(m, "node_network_transmit_colls_total{device=\"eth0\",}"));
        assertEquals(
                17,
                m.keySet().stream().filter(k -> k.contains("device=\"eth0\"")).count());
        assertEquals(
                16,
                m.keySet().stream().filter(k -> k.contains("device=\"wlan0\"")).count(),
                "rx_nohandler missing");
    }

    @Test
    void filesystemExclusionsDuplicatesAndUnreachableMounts() {
        Map<String, Double> m = all(collectors("filesystem"));
        String root = "{device=\"/dev/root\",fstype=\"ext4\",mountpoint=\"/\",}";
        assertEquals(0, v(m, "node_filesystem_device_error" + root));
        assertTrue(v(m, "node_filesystem_size_bytes" + root) > 0);
        assertTrue(v(m, "node_filesystem_avail_bytes" + root) <= v(m, "node_filesystem_free_bytes" + root));
        assertEquals(0, v(m, "node_filesystem_readonly" + root));
        assertEquals(
                1,
                v(
                        m,
                        "node_filesystem_device_error{device=\"/dev/mmcblk0p1\",fstype=\"vfat\",mountpoint=\"/boot/firmware\",}"));
        assertEquals(
                1,
                v(
                        m,
                        "node_filesystem_device_error{device=\"/dev/sda1\",fstype=\"vfat\",mountpoint=\"/media/usb stick\",}"));
        assertFalse(m.keySet().stream().anyMatch(k -> k.contains("mountpoint=\"/proc\"")), "proc is excluded");
        assertEquals(
                5,
                m.keySet().stream()
                        .filter(k -> k.contains("device=\"/dev/root\""))
                        .count(),
                "listed twice, once out");
    }

    @Test
    void thermalHwmonPowerSupplyUnameTime() {
        Map<String, Double> m = all(collectors("thermal_zone", "hwmon", "powersupplyclass", "uname", "time"));
        assertEquals(61.85, v(m, "node_thermal_zone_temp{type=\"cpu-thermal\",zone=\"0\",}"), 1e-9);
        assertFalse(m.keySet().stream().anyMatch(k -> k.contains("gpu-thermal")), "a zone without temp is left out");
        assertEquals(1, v(m, "node_cooling_device_cur_state{name=\"0\",type=\"cpufreq-cpu0\",}"));
        assertEquals(3, v(m, "node_cooling_device_max_state{name=\"0\",type=\"cpufreq-cpu0\",}"));
        String t1 = "{chip=\"rpi_volt\",sensor=\"temp1\",}";
        assertEquals(61.85, v(m, "node_hwmon_temp_celsius" + t1), 1e-9);
        assertEquals(85, v(m, "node_hwmon_temp_crit_celsius" + t1), 1e-9);
        assertEquals(1, v(m, "node_hwmon_sensor_label{chip=\"rpi_volt\",label=\"SoC\",sensor=\"temp1\",}"));
        assertEquals(3200, v(m, "node_hwmon_fan_rpm{chip=\"rpi_volt\",sensor=\"fan1\",}"));
        // node_exporter 1.5 only treats a bare _alarm as an alarm; in0_lcrit_alarm gets the voltage suffix there too.
        assertEquals(0, v(m, "node_hwmon_in_lcrit_alarm_volts{chip=\"rpi_volt\",sensor=\"in0\",}"));
        assertEquals(1, v(m, "node_hwmon_chip_names{chip=\"rpi_volt\",chip_name=\"rpi_volt\",}"));
        String bat = "{power_supply=\"BAT0\",}";
        assertEquals(87, v(m, "node_power_supply_capacity" + bat));
        assertEquals(12.1, v(m, "node_power_supply_voltage_volt" + bat), 1e-9);
        assertEquals(1.5, v(m, "node_power_supply_current_ampere" + bat), 1e-9);
        assertEquals(3600, v(m, "node_power_supply_time_to_empty_seconds" + bat));
        assertEquals(31.2, v(m, "node_power_supply_temp_celsius" + bat), 1e-9);
        assertEquals(
                1,
                v(
                        m,
                        "node_power_supply_info{power_supply=\"BAT0\",status=\"Discharging\",technology=\"Li-ion\","
                                + "type=\"Battery\",}"));
        assertEquals(
                1,
                v(
                        m,
                        "node_uname_info{domainname=\"(none)\",machine=\"aarch64\",nodename=\"robot17\","
                                + "release=\"6.1.0-rpi\",sysname=\"Linux\",version=\"#1 SMP PREEMPT\",}"));
        assertEquals(1, v(m, "node_time_clocksource_current_info{clocksource=\"arch_sys_counter\",device=\"0\",}"));
        assertEquals(1, v(m, "node_time_clocksource_available_info{clocksource=\"jiffies\",device=\"0\",}"));
        assertTrue(Math.abs(v(m, "node_time_seconds{}") - System.currentTimeMillis() / 1000.0) < 60);
    }

    @Test
    void noHwmonOrPowerSupplyDirectoryIsNoData() throws IOException {
        deleteTree(root.resolve("sys/class/hwmon"));
        deleteTree(root.resolve("sys/class/power_supply"));
        Map<String, Double> m = all(collectors("hwmon", "powersupplyclass"));
        assertEquals(0, v(m, "node_scrape_collector_success{collector=\"hwmon\",}"));
        assertEquals(0, v(m, "node_scrape_collector_success{collector=\"powersupplyclass\",}"));
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(java.util.Comparator.reverseOrder())
                    .forEach(x -> x.toFile().delete());
        }
    }
}
