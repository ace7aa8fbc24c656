package dev.edgepush.agent.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.edgepush.compat.Relabeler;
import dev.edgepush.compat.ScrapeAuth;
import dev.edgepush.compat.TlsConfig;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** SeriesEncoder's raw-key entry points, below the parser (ScrapeLoopRawKeyTest goes through it). */
class SeriesCacheRawKeyTest {
    static SeriesEncoder encoder(int labelLimit) {
        ScrapeTarget t = new ScrapeTarget(
                "j",
                "h:1",
                URI.create("http://h:1/metrics"),
                Duration.ofSeconds(1),
                Duration.ofSeconds(1),
                false,
                true,
                new TreeMap<>(Map.of("job", "j", "instance", "h:1")),
                Relabeler.EMPTY,
                ScrapeAuth.NONE,
                TlsConfig.DEFAULT,
                0,
                labelLimit);
        return new SeriesEncoder(t, new TreeMap<>(), Map.of());
    }

    /** The key in the middle of a larger array, as the parser passes it. */
    static byte[] line(String key) {
        return ("xx" + key + " 1").getBytes(StandardCharsets.UTF_8);
    }

    static int hash(String key) {
        return Arrays.hashCode(key.getBytes(StandardCharsets.UTF_8));
    }

    static SeriesCache.Entry find(SeriesEncoder e, String key) {
        return e.find(line(key), 2, key.length(), hash(key));
    }

    static void miss(SeriesEncoder e, String key, String name, String[] labels, double v) {
        e.add(line(key), 2, key.length(), hash(key), name, labels, labels.length / 2, v, 1);
    }

    @Test
    void aMissCachesTheKeyAndAHitWritesTheSameBytes() {
        SeriesEncoder e = encoder(0);
        e.begin();
        assertNull(find(e, "m{a=\"1\"}"));
        miss(e, "m{a=\"1\"}", "m", new String[] {"a", "1"}, 5);
        byte[] first = e.encoder().toByteArray();
        SeriesCache.Entry entry = find(e, "m{a=\"1\"}");
        assertNotNull(entry);
        assertNull(entry.metricName, "kept only for a label_limit message");
        assertNull(find(e, "m{a=\"2\"}"));
        assertNull(find(e, "m{a=\"1\"},"), "a longer key with the same prefix");
        e.begin();
        e.add(entry, 5, 1);
        assertEquals(Arrays.toString(first), Arrays.toString(e.encoder().toByteArray()));
        assertEquals(0, e.seriesAdded());
        assertEquals(0, e.addStalenessMarkers(1));
    }

    @Test
    void twoSpellingsAreTwoKeysOfOneFinalSeries() {
        SeriesEncoder e = encoder(0);
        e.begin();
        miss(e, "m{a=\"\\\\z\"}", "m", new String[] {"a", "\\z"}, 1);
        miss(e, "m{a=\"\\z\"}", "m", new String[] {"a", "\\z"}, 2);
        assertEquals(1, e.samples(), "the first one stands");
        assertEquals(2, e.cachedKeys());
        assertSame(find(e, "m{a=\"\\\\z\"}").series, find(e, "m{a=\"\\z\"}").series);
        e.begin();
        e.add(find(e, "m{a=\"\\z\"}"), 3, 2);
        assertEquals(0, e.addStalenessMarkers(2), "either spelling keeps the series fresh");
    }

    @Test
    void aKeyThatCouldNotBeDelimitedIsNotCached() {
        SeriesEncoder e = encoder(0);
        e.begin();
        e.add(line("m"), 2, -1, 0, "m", new String[0], 0, 1, 1);
        assertEquals(1, e.samples());
        assertEquals(0, e.cachedKeys());
    }

    @Test
    void aHitChecksTheLabelLimitWithTheCountAndNameOfTheMiss() {
        // __name__, job, instance, a: 4 labels
        SeriesEncoder e = encoder(3);
        e.begin();
        miss(e, "wide{a=\"1\"}", "wide", new String[] {"a", "1"}, 1);
        String error = "label_limit exceeded (metric: wide, number of labels: 4, limit: 3)";
        assertEquals(error, e.labelLimitError());
        e.discardScraped();
        SeriesCache.Entry entry = find(e, "wide{a=\"1\"}");
        assertEquals("wide", entry.metricName);
        e.begin();
        e.add(entry, 1, 2);
        assertEquals(error, e.labelLimitError(), "the same failure on a hit");

        SeriesEncoder within = encoder(4);
        within.begin();
        miss(within, "wide{a=\"1\"}", "wide", new String[] {"a", "1"}, 1);
        within.begin();
        within.add(find(within, "wide{a=\"1\"}"), 1, 2);
        assertNull(within.labelLimitError());
    }
}
