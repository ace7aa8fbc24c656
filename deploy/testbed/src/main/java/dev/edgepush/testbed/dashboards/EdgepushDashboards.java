package dev.edgepush.testbed.dashboards;

import static dev.edgepush.testbed.dashboards.Board.q;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The Grafana dashboards of deploy/dashboards/, generated: fleet overview, robot detail and
 * central-ingest health. The series are the ones deploy/alerts/README.md lists (jobs
 * {@code edge-agent}, {@code sensor}, {@code node}, {@code central-ingest}; the recording rules and
 * {@code ALERTS} written back by vmalert). Regenerate with {@code deploy/dashboards/generate}.
 */
public final class EdgepushDashboards {
    private EdgepushDashboards() {}

    /** Every dashboard, as written to {@code <uid>.json}. */
    public static List<Board> all() {
        return List.of(fleet(), robot(), ingest());
    }

    /** The file name of each dashboard and its JSON. */
    public static List<String[]> files() {
        return all().stream()
                .map(b -> new String[] {b.uid() + ".json", b.json()})
                .toList();
    }

    static Board fleet() {
        String sincePush = "time() - max by (robot) (central_ingest_robot_last_push_timestamp_seconds)";
        return new Board(
                        "edgepush-fleet",
                        "edgepush / Fleet overview",
                        "Every robot: online or not, its backlog, delivery delay, drops and push rate; alerts firing.")
                .row("Fleet")
                .stat(
                        "Robots online (pushed within 2 min)",
                        "short",
                        6,
                        q("count(" + sincePush + " < 120) or vector(0)", "online"))
                .stat("Robots offline", "short", 6, q("count(" + sincePush + " >= 120) or vector(0)", "offline"))
                .stat("Alerts firing", "short", 6, q("count(ALERTS{alertstate=\"firing\"}) or vector(0)", "firing"))
                .stat(
                        "Samples dropped at robots (1 h)",
                        "short",
                        6,
                        q("sum(increase(edge_agent_samples_dropped_total[1h]))", "dropped"))
                .row("Delivery")
                .graph("Time since last push", "s", 12, q(sincePush, "{{robot}}"))
                .graph(
                        "Backlog (unsent samples)",
                        "short",
                        12,
                        q("sum by (robot) (edge_agent_buffer_pending_samples)", "{{robot}}"))
                .graph(
                        "Delivery delay (oldest unsent sample)",
                        "s",
                        12,
                        q("max by (robot) (edge_agent_buffer_oldest_pending_age_seconds)", "{{robot}}"))
                .graph(
                        "Push rate (samples acknowledged)",
                        "short",
                        12,
                        q("sum by (robot) (rate(edge_agent_samples_sent_total[$__rate_interval]))", "{{robot}}"))
                .graph(
                        "Samples dropped, by robot and reason",
                        "short",
                        12,
                        q(
                                "sum by (robot, reason) (increase(edge_agent_samples_dropped_total[$__rate_interval]))",
                                "{{robot}} {{reason}}"))
                .graph(
                        "Remote-write answers, by code",
                        "reqps",
                        12,
                        q("sum by (code) (rate(edge_agent_remote_write_requests_total[$__rate_interval]))", "{{code}}"))
                .row("Robot health")
                .graph(
                        "Sensor reliability (1 h)",
                        "percentunit",
                        12,
                        q("robot:sensor_reliability:ratio_1h", "{{robot}}"))
                .graph("CPU busy", "percentunit", 12, q("robot:node_cpu_utilisation:ratio_rate5m", "{{robot}}"))
                .graph(
                        "Alerts firing, by alert",
                        "short",
                        24,
                        q("count by (alertname) (ALERTS{alertstate=\"firing\"}) or on () vector(0)", "{{alertname}}"));
    }

    static Board robot() {
        String r = "robot=\"$robot\"";
        String rate = "[$__rate_interval]";
        String reqs = "sensor_request_duration_seconds_bucket{" + r + "}";
        return new Board(
                        "edgepush-robot",
                        "edgepush / Robot detail",
                        "One robot: its link, its buffer, its targets, its host and its sensor service, with its SLO.")
                .variable("robot", "Robot", "label_values(up{job=\"edge-agent\"}, robot)")
                .row("Link")
                .stat(
                        "Since last push",
                        "s",
                        6,
                        q("time() - max(central_ingest_robot_last_push_timestamp_seconds{" + r + "})", "seconds"))
                .stat("Unsent samples", "short", 6, q("sum(edge_agent_buffer_pending_samples{" + r + "})", "pending"))
                .stat("Oldest unsent", "s", 6, q("max(edge_agent_buffer_oldest_pending_age_seconds{" + r + "})", "age"))
                .stat(
                        "Alerts firing",
                        "short",
                        6,
                        q("count(ALERTS{" + r + ",alertstate=\"firing\"}) or vector(0)", "firing"))
                .graph(
                        "Samples scraped, buffered and sent",
                        "short",
                        12,
                        q("rate(edge_agent_samples_scraped_total{" + r + "}" + rate + ")", "scraped"),
                        q("rate(edge_agent_samples_buffered_total{" + r + "}" + rate + ")", "buffered"),
                        q("rate(edge_agent_samples_sent_total{" + r + "}" + rate + ")", "sent"))
                .graph(
                        "Remote-write answers, by code",
                        "reqps",
                        12,
                        q(
                                "sum by (code) (rate(edge_agent_remote_write_requests_total{" + r + "}" + rate + "))",
                                "{{code}}"))
                .graph(
                        "Bytes on the wire",
                        "Bps",
                        12,
                        q("rate(edge_agent_remote_write_bytes_total{" + r + "}" + rate + ")", "sent"))
                .row("Buffer")
                .graph(
                        "Buffer disk use and cap",
                        "bytes",
                        12,
                        q("edge_agent_buffer_disk_bytes{" + r + "}", "used"),
                        q("edge_agent_buffer_max_disk_bytes{" + r + "}", "cap"))
                .graph(
                        "Samples dropped, by reason",
                        "short",
                        12,
                        q(
                                "sum by (reason) (increase(edge_agent_samples_dropped_total{" + r + "}" + rate + "))",
                                "{{reason}}"))
                .row("Targets")
                .graph("Targets up", "short", 8, q("up{" + r + "}", "{{job}} {{instance}}"))
                .graph("Scrape duration", "s", 8, q("scrape_duration_seconds{" + r + "}", "{{job}}"))
                .graph("Samples per scrape", "short", 8, q("scrape_samples_scraped{" + r + "}", "{{job}}"))
                .row("Host")
                .graph(
                        "CPU busy, per core",
                        "percentunit",
                        8,
                        q("1 - rate(node_cpu_seconds_total{" + r + ",mode=\"idle\"}" + rate + ")", "cpu {{cpu}}"))
                .graph("Memory in use", "percentunit", 8, q("robot:node_memory_utilisation:ratio{" + r + "}", "memory"))
                .graph("Load", "short", 8, q("node_load1{" + r + "}", "1 min"), q("node_load5{" + r + "}", "5 min"))
                .graph("Disk space free", "bytes", 12, q("node_filesystem_avail_bytes{" + r + "}", "{{mountpoint}}"))
                .graph(
                        "Network",
                        "Bps",
                        12,
                        q("sum(rate(node_network_receive_bytes_total{" + r + "}" + rate + "))", "in"),
                        q("sum(rate(node_network_transmit_bytes_total{" + r + "}" + rate + "))", "out"))
                .row("Sensor")
                .graph("Temperatures", "celsius", 8, q("sensor_temperature_celsius{" + r + "}", "{{sensor}}"))
                .graph("Battery", "percentunit", 8, q("sensor_battery_charge_ratio{" + r + "}", "charge"))
                .graph("Battery voltage", "volt", 8, q("sensor_battery_voltage_volts{" + r + "}", "voltage"))
                .graph("Queue depth", "short", 8, q("sensor_queue_depth{" + r + "}", "queued"))
                .graph(
                        "Requests, by status",
                        "reqps",
                        8,
                        q("sum by (status) (rate(sensor_requests_total{" + r + "}" + rate + "))", "{{status}}"))
                .graph(
                        "Error rate (5xx)",
                        "percentunit",
                        8,
                        q("robot:sensor_request_errors:ratio_rate5m{" + r + "}", "errors"))
                .graph(
                        "Latency p50 / p95 / p99",
                        "s",
                        12,
                        q("histogram_quantile(0.5, sum by (le) (rate(" + reqs + rate + ")))", "p50"),
                        q("histogram_quantile(0.95, sum by (le) (rate(" + reqs + rate + ")))", "p95"),
                        q("histogram_quantile(0.99, sum by (le) (rate(" + reqs + rate + ")))", "p99"))
                .graph(
                        "CPU spikes",
                        "short",
                        12,
                        q("rate(sensor_cpu_spike_duration_seconds_count{" + r + "}" + rate + ")", "spikes/s"))
                .row("SRE")
                .stat(
                        "Reliability (1 h)",
                        "percentunit",
                        8,
                        q("robot:sensor_reliability:ratio_1h{" + r + "}", "reliability"))
                .stat(
                        "Error budget left (95 %, 1 d)",
                        "percentunit", 8, q("robot:sensor_error_budget_remaining:ratio_1d{" + r + "}", "budget"))
                .stat(
                        "Sensor p95 latency",
                        "s",
                        8,
                        q("robot:sensor_request_duration_seconds:p95_rate5m{" + r + "}", "p95"));
    }

    static Board ingest() {
        String i = "instance=\"$instance\"";
        String rate = "[$__rate_interval]";
        return new Board(
                        "edgepush-ingest",
                        "edgepush / central-ingest health",
                        "central-ingest: what it answers, receives and forwards; its WAL; robots online.")
                .variable("instance", "Instance", "label_values(central_ingest_samples_received_total, instance)")
                .row("Traffic")
                .stat("Up", "short", 6, q("up{job=\"central-ingest\"," + i + "}", "up"))
                .stat("Robots online", "short", 6, q("central_ingest_robots_online{" + i + "}", "online"))
                .stat("WAL backlog", "short", 6, q("central_ingest_wal_pending_samples{" + i + "}", "pending"))
                .stat(
                        "Samples dropped (1 h)",
                        "short",
                        6,
                        q("sum(increase(central_ingest_samples_dropped_total{" + i + "}[1h]))", "dropped"))
                .graph(
                        "Answers, by code",
                        "reqps",
                        12,
                        q("sum by (code) (rate(central_ingest_requests_total{" + i + "}" + rate + "))", "{{code}}"))
                .graph(
                        "Samples received and forwarded",
                        "short",
                        12,
                        q("rate(central_ingest_samples_received_total{" + i + "}" + rate + ")", "received"),
                        q("rate(central_ingest_samples_forwarded_total{" + i + "}" + rate + ")", "forwarded"))
                .row("WAL")
                .graph("WAL backlog", "short", 8, q("central_ingest_wal_pending_samples{" + i + "}", "pending"))
                .graph(
                        "WAL disk use and cap",
                        "bytes",
                        8,
                        q("central_ingest_wal_disk_bytes{" + i + "}", "used"),
                        q("central_ingest_wal_max_disk_bytes{" + i + "}", "cap"))
                .graph(
                        "Samples dropped, by reason",
                        "short",
                        8,
                        q(
                                "sum by (reason) (increase(central_ingest_samples_dropped_total{" + i + "}" + rate
                                        + "))",
                                "{{reason}}"))
                .row("Robots and connections")
                .graph(
                        "Time since each robot's last push",
                        "s",
                        12,
                        q("time() - central_ingest_robot_last_push_timestamp_seconds{" + i + "}", "{{robot}}"))
                .graph(
                        "Connections closed to protect the server, by reason",
                        "short",
                        12,
                        q(
                                "sum by (reason) (increase(central_ingest_http_connections_closed_total{" + i + "}"
                                        + rate + "))",
                                "{{reason}}"));
    }

    /** Writes every dashboard into {@code args[0]} (default deploy/dashboards). */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "deploy/dashboards");
        Files.createDirectories(dir);
        for (String[] f : files()) {
            Files.writeString(dir.resolve(f[0]), f[1]);
            System.out.println("wrote " + dir.resolve(f[0]));
        }
    }
}
