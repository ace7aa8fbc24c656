package dev.edgepush.agent.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.compat.RelabelConfigReader;
import dev.edgepush.compat.Relabeler;
import dev.edgepush.proto.rw1.RemoteWrite;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** metric_relabel_configs as SeriesEncoder applies them. */
class RelabelWiringTest {

    private static SeriesEncoder encoder(String metricRelabelYaml) throws Exception {
        Relabeler r = RelabelConfigReader.parse(metricRelabelYaml, "test.yml");
        TreeMap<String, String> labels = new TreeMap<>(Map.of("job", "sensor", "instance", "h:9101"));
        ScrapeTarget t = new ScrapeTarget(
                "sensor",
                "h:9101",
                URI.create("http://h:9101/metrics"),
                Duration.ofSeconds(1),
                Duration.ofSeconds(1),
                false,
                true,
                labels,
                r);
        return new SeriesEncoder(t, new TreeMap<>(), Map.of("fleet", "f1"));
    }

    private static List<Map<String, String>> series(SeriesEncoder e) throws Exception {
        return RemoteWrite.WriteRequest.parseFrom(e.encoder().toByteArray()).getTimeseriesList().stream()
                .map(ts -> {
                    Map<String, String> m = new LinkedHashMap<>();
                    ts.getLabelsList().forEach(l -> m.put(l.getName(), l.getValue()));
                    return m;
                })
                .toList();
    }

    @Test
    void droppedSeriesAreNotEncodedNorCountedAsPostRelabelingSamples() throws Exception {
        SeriesEncoder e = encoder("""
        - action: drop
          source_labels: [__name__]
          regex: 'go_.*'
        """);
        e.begin();
        e.add("go_goroutines", new String[0], 0, 12, 1000);
        e.add("temp", new String[] {"sensor", "motor"}, 1, 42.5, 1000);
        e.add("go_threads", new String[0], 0, 7, 1000);
        // ScrapeLoop reads samples() before adding up & co. as scrape_samples_post_metric_relabeling
        assertEquals(1, e.samples());
        assertEquals(1, e.seriesAdded());
        e.addSynthetic("up", 1, 1000);
        List<Map<String, String>> out = series(e);
        assertEquals(
                List.of("temp", "up"),
                out.stream().map(m -> m.get("__name__")).toList(),
                "synthetic series are not metric-relabeled");
    }

    @Test
    void relabelingSeesTargetLabelsAndRunsBeforeSortingAndRemoteWriteLabels() throws Exception {
        SeriesEncoder e = encoder("""
        - source_labels: [job, sensor]
          separator: '-'
          target_label: a_source
        - action: labeldrop
          regex: sensor
        - target_label: fleet
          replacement: from-relabel
        """);
        e.begin();
        e.add("temp", new String[] {"sensor", "motor"}, 1, 42.5, 1000);
        Map<String, String> l = series(e).get(0);
        assertEquals(
                List.of("__name__", "a_source", "fleet", "instance", "job"),
                List.copyOf(l.keySet()),
                "sorted by name after relabeling");
        assertEquals("sensor-motor", l.get("a_source"));
        assertEquals("f1", l.get("fleet"), "-remoteWrite.label is applied after metric relabeling");
    }

    @Test
    void relabelingSeesExportedLabelsAfterTheClash() throws Exception {
        SeriesEncoder e = encoder("""
        - action: keep
          source_labels: [exported_job]
          regex: inner
        """);
        e.begin();
        e.add("m", new String[] {"job", "inner"}, 1, 1, 1);
        e.add("m2", new String[] {"job", "other"}, 1, 1, 1);
        assertEquals(1, e.samples());
        assertEquals("inner", series(e).get(0).get("exported_job"));
    }

    @Test
    void renamingAMetricChangesItsSeriesForStaleness() throws Exception {
        SeriesEncoder e = encoder("""
        - source_labels: [__name__]
          regex: 'temp'
          target_label: __name__
          replacement: temperature_celsius
        - action: labeldrop
          regex: 'x'
        """);
        e.begin();
        e.add("temp", new String[] {"x", "1"}, 1, 1, 1);
        assertEquals("temperature_celsius", series(e).get(0).get("__name__"));
        assertFalse(series(e).get(0).containsKey("x"));
        e.begin();
        e.add("temp", new String[] {"x", "2"}, 1, 1, 2);
        assertEquals(0, e.seriesAdded(), "x is dropped, so it is the same series as before");
        assertEquals(0, e.addStalenessMarkers(2));
    }

    @Test
    void aSeriesWithoutMetricNameIsDropped() throws Exception {
        SeriesEncoder e = encoder("""
        - action: labeldrop
          regex: __name__
        """);
        e.begin();
        e.add("m", new String[] {"a", "1"}, 1, 1, 1);
        assertEquals(0, e.samples());
        assertTrue(series(e).isEmpty());
    }
}
