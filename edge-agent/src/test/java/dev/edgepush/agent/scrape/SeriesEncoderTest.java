package dev.edgepush.agent.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.proto.rw1.RemoteWrite;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SeriesEncoderTest {
    private static ScrapeTarget target(boolean honorLabels) {
        TreeMap<String, String> labels =
                new TreeMap<>(Map.of("job", "sensor", "instance", "127.0.0.1:9101", "robot", "r1"));
        return new ScrapeTarget(
                "sensor",
                "127.0.0.1:9101",
                URI.create("http://127.0.0.1:9101/metrics"),
                Duration.ofSeconds(1),
                Duration.ofSeconds(1),
                honorLabels,
                true,
                labels);
    }

    private static SeriesEncoder encoder(boolean honorLabels) {
        return new SeriesEncoder(target(honorLabels), new TreeMap<>(Map.of("site", "lab")), Map.of("fleet", "f1"));
    }

    private static List<RemoteWrite.TimeSeries> decode(SeriesEncoder e) throws Exception {
        return RemoteWrite.WriteRequest.parseFrom(e.encoder().toByteArray()).getTimeseriesList();
    }

    private static Map<String, String> labels(RemoteWrite.TimeSeries ts) {
        Map<String, String> m = new LinkedHashMap<>();
        ts.getLabelsList().forEach(l -> m.put(l.getName(), l.getValue()));
        return m;
    }

    @Test
    void addsTargetExternalAndExtraLabelsSortedByName() throws Exception {
        SeriesEncoder e = encoder(false);
        e.begin();
        e.add("temp", new String[] {"sensor", "motor"}, 1, 42.5, 1000);
        RemoteWrite.TimeSeries ts = decode(e).get(0);
        assertEquals(
                List.of("__name__", "fleet", "instance", "job", "robot", "sensor", "site"),
                List.copyOf(labels(ts).keySet()),
                "labels sorted by name");
        assertEquals(42.5, ts.getSamples(0).getValue());
        assertEquals(1000, ts.getSamples(0).getTimestamp());
    }

    @Test
    void aClashingScrapedLabelBecomesExportedUnlessHonorLabels() throws Exception {
        SeriesEncoder e = encoder(false);
        e.begin();
        e.add("m", new String[] {"job", "inner", "robot", "r9"}, 2, 1, 1);
        Map<String, String> l = labels(decode(e).get(0));
        assertEquals("sensor", l.get("job"));
        assertEquals("inner", l.get("exported_job"));
        assertEquals("r9", l.get("exported_robot"));

        SeriesEncoder honor = encoder(true);
        honor.begin();
        honor.add("m", new String[] {"job", "inner"}, 1, 1, 1);
        Map<String, String> h = labels(decode(honor).get(0));
        assertEquals("inner", h.get("job"), "honor_labels: the scraped value wins");
        assertTrue(!h.containsKey("exported_job"));
    }

    @Test
    void remoteWriteLabelOverridesAScrapedLabel() throws Exception {
        SeriesEncoder e = encoder(true);
        e.begin();
        e.add("m", new String[] {"fleet", "other"}, 1, 1, 1);
        assertEquals("f1", labels(decode(e).get(0)).get("fleet"));
    }

    @Test
    void emptyLabelValuesAreDropped() throws Exception {
        SeriesEncoder e = encoder(false);
        e.begin();
        e.add("m", new String[] {"a", ""}, 1, 1, 1);
        assertTrue(!labels(decode(e).get(0)).containsKey("a"));
    }

    @Test
    void aVanishedSeriesGetsAStalenessMarkerAndNewSeriesAreCounted() throws Exception {
        SeriesEncoder e = encoder(false);
        e.begin();
        e.add("a", new String[0], 0, 1, 1);
        e.add("b", new String[0], 0, 2, 1);
        assertEquals(2, e.seriesAdded());
        e.begin();
        e.add("a", new String[0], 0, 1, 2);
        e.add("c", new String[0], 0, 3, 2);
        assertEquals(1, e.seriesAdded(), "only c is new");
        assertEquals(1, e.addStalenessMarkers(2));
        List<RemoteWrite.TimeSeries> series = decode(e);
        RemoteWrite.TimeSeries stale = series.get(series.size() - 1);
        assertEquals("b", labels(stale).get("__name__"));
        assertEquals(
                0x7ff0000000000002L,
                Double.doubleToRawLongBits(stale.getSamples(0).getValue()));
    }

    @Test
    void aFailedScrapeMakesEverySeriesStale() throws Exception {
        SeriesEncoder e = encoder(false);
        e.begin();
        e.add("a", new String[0], 0, 1, 1);
        e.add("b", new String[0], 0, 2, 1);
        e.begin();
        e.discardScraped();
        assertEquals(2, e.addStalenessMarkers(2));
    }

    @Test
    void aSeriesBackAfterTwoFailedScrapesStillGoesStaleAndIsWrittenOnce() throws Exception {
        // Scrape 2 fails after adding a (a malformed line further down), scrape 3 fails before it:
        // a's final series is forgotten at scrape 3 while its cache entry, seen at scrape 2, is kept.
        SeriesEncoder e = encoder(false);
        e.begin();
        e.add("a", new String[0], 0, 1, 1);
        assertEquals(0, e.addStalenessMarkers(1));
        e.begin();
        e.add("a", new String[0], 0, 1, 2);
        e.discardScraped();
        assertEquals(1, e.addStalenessMarkers(2), "a is stale after the failed scrape 2");
        e.begin();
        e.discardScraped();
        assertEquals(0, e.addStalenessMarkers(3));
        e.begin();
        e.add("a", new String[0], 0, 1, 4);
        e.add("a", new String[] {"x", ""}, 1, 2, 4); // the same final series (empty values are dropped)
        assertEquals(1, e.samples(), "one series, written once");
        assertEquals(1, e.seriesAdded());
        assertEquals(0, e.addStalenessMarkers(4));
        e.begin();
        assertEquals(1, e.addStalenessMarkers(5), "a disappeared: a staleness marker");
    }
}
