package dev.edgepush.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.edgepush.agent.scrape.ScrapeTarget;
import dev.edgepush.compat.ScrapeConfigReader;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** relabel_configs as JobTargets.targets applies them. */
class RelabelTargetsTest {

    private static List<ScrapeTarget> targets(String yaml) throws Exception {
        return JobTargets.targets(ScrapeConfigReader.parse(yaml, "scrape.yml"));
    }

    @Test
    void withoutRelabelingTargetsKeepJobInstanceAndStaticLabels() throws Exception {
        List<ScrapeTarget> ts = targets("""
        scrape_configs:
          - job_name: node
            scrape_interval: 5s
            static_configs:
              - targets: ['localhost:9100']
                labels: {role: base, empty: ''}
        """);
        assertEquals(1, ts.size());
        ScrapeTarget t = ts.get(0);
        assertEquals(
                new TreeMap<>(Map.of("job", "node", "instance", "localhost:9100", "role", "base")), t.targetLabels());
        assertEquals(URI.create("http://localhost:9100/metrics"), t.url());
        assertEquals(Duration.ofSeconds(5), t.interval());
    }

    @Test
    void relabelingDropsTargetsAndRewritesAddressSchemePathAndInterval() throws Exception {
        List<ScrapeTarget> ts = targets("""
        scrape_configs:
          - job_name: robots
            static_configs:
              - targets: ['arm:9100', 'base:9100', 'cam:9100']
            relabel_configs:
              - action: drop
                source_labels: [__address__]
                regex: 'cam:.*'
              - source_labels: [__address__]
                regex: '([^:]+):.*'
                target_label: __address__
                replacement: '${1}.robot.local:9200'
              - target_label: __scheme__
                replacement: https
              - target_label: __metrics_path__
                replacement: /stats
              - if: '{__address__=~"arm.*"}'
                target_label: __scrape_interval__
                replacement: 1m30s
              - target_label: __tmp_x
                replacement: gone
            metric_relabel_configs:
              - action: drop_metrics
                regex: go_.*
        """);
        assertEquals(2, ts.size());
        ScrapeTarget arm = ts.get(0);
        assertEquals(URI.create("https://arm.robot.local:9200/stats"), arm.url());
        assertEquals(Duration.ofSeconds(90), arm.interval());
        assertEquals(Duration.ofSeconds(10), arm.timeout());
        assertEquals(
                new TreeMap<>(Map.of("job", "robots", "instance", "arm.robot.local:9200")),
                arm.targetLabels(),
                "instance from the relabeled address; __ labels removed");
        assertEquals(Duration.ofMinutes(1), ts.get(1).interval());
        assertEquals(1, arm.metricRelabeler().configs().size());
    }

    @Test
    void relabelingMaySetInstanceAndJob() throws Exception {
        List<ScrapeTarget> ts = targets("""
        scrape_configs:
          - job_name: node
            static_configs:
              - targets: ['10.0.0.7:9100']
            relabel_configs:
              - source_labels: [__address__]
                regex: '(.*):\\d+'
                target_label: instance
              - target_label: job
                replacement: renamed
        """);
        assertEquals(
                new TreeMap<>(Map.of("job", "renamed", "instance", "10.0.0.7")),
                ts.get(0).targetLabels());
        assertEquals(URI.create("http://10.0.0.7:9100/metrics"), ts.get(0).url());
    }

    @Test
    void aTargetMadeUnusableIsSkipped() throws Exception {
        List<ScrapeTarget> ts = targets("""
        scrape_configs:
          - job_name: node
            static_configs:
              - targets: ['a:1', 'b:1']
            relabel_configs:
              - if: '{__address__="a:1"}'
                target_label: __scheme__
                replacement: ftp
        """);
        assertEquals(
                List.of(URI.create("http://b:1/metrics")),
                ts.stream().map(ScrapeTarget::url).toList());
    }
}
