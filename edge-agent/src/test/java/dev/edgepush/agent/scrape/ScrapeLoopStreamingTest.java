package dev.edgepush.agent.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.compat.Relabeler;
import dev.edgepush.proto.rw1.RemoteWrite;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Streaming mode through {@link ScrapeLoop#finish} (no network; the body goes in 64 KiB pieces
 * as the network gives it): a scrape past {@code -promscrape.minResponseSizeForStreamParse} or
 * past the series-cache budget is appended in pieces of at most {@link
 * SeriesEncoder#PIECE_SAMPLES} samples, every sample stored, no series cached; {@code
 * sample_limit} keeps the first samples, as in vmagent.
 */
class ScrapeLoopStreamingTest {
    private static final String TEXT = "text/plain; version=0.0.4";

    @AfterEach
    void restoreBudget() {
        SeriesEncoder.budgetForTests(SeriesEncoder.CACHED_SERIES_BUDGET);
    }

    private static byte[] body(int series) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < series; i++) {
            sb.append("s{i=\"").append(i).append("\"} ").append(i).append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Each appended request: its series as name{i} -> value. */
    private static List<Map<String, Double>> decoded(ScrapeLoopRawKeyTest.Captured out) throws Exception {
        List<Map<String, Double>> all = new ArrayList<>();
        for (byte[] r : out.requests) {
            Map<String, Double> m = new HashMap<>();
            for (RemoteWrite.TimeSeries ts :
                    RemoteWrite.WriteRequest.parseFrom(r).getTimeseriesList()) {
                String name = "";
                String i = "";
                for (RemoteWrite.Label l : ts.getLabelsList()) {
                    if (l.getName().equals("__name__")) {
                        name = l.getValue();
                    } else if (l.getName().equals("i")) {
                        i = l.getValue();
                    }
                }
                m.put(i.isEmpty() ? name : name + i, ts.getSamples(0).getValue());
            }
            all.add(m);
        }
        return all;
    }

    private static Map<String, Double> merged(List<Map<String, Double>> requests) {
        Map<String, Double> all = new HashMap<>();
        requests.forEach(all::putAll);
        return all;
    }

    @Test
    void aBodyPastTheStreamParseSizeIsStoredInPiecesWithNothingCached() throws Exception {
        int n = 25_000;
        byte[] b = body(n);
        ScrapeLoopRawKeyTest.Captured out = new ScrapeLoopRawKeyTest.Captured();
        ScrapeLoop loop =
                ScrapeLoopRawKeyTest.loop(ScrapeLoopRawKeyTest.target(), out).streamParse(false, 100_000);
        loop.finish(1000, 0.5, 200, TEXT, b, b.length, null);
        List<Map<String, Double>> requests = decoded(out);
        assertTrue(requests.size() >= 3, "appended in pieces: " + requests.size());
        for (Map<String, Double> r : requests) {
            assertTrue(r.size() <= SeriesEncoder.PIECE_SAMPLES + 10, "a piece is bounded: " + r.size());
        }
        Map<String, Double> all = merged(requests);
        for (int i = 0; i < n; i++) {
            assertEquals((double) i, all.get("s" + i), "series " + i);
        }
        assertEquals(1.0, all.get("up"));
        assertEquals((double) n, all.get("scrape_samples_scraped"));
        assertEquals(0, loop.seriesEncoder().cachedKeys(), "no series cached in streaming mode");
        assertEquals("", loop.status().lastError);
        // the next scrape starts streamed, and a small one goes back to the cache
        out.requests.clear();
        byte[] small = body(3);
        loop.finish(2000, 0.5, 200, TEXT, small, small.length, null);
        loop.finish(3000, 0.5, 200, TEXT, small, small.length, null);
        assertEquals(3, loop.seriesEncoder().cachedKeys(), "a small scrape is cached again");
    }

    @Test
    void aScrapePastTheSeriesBudgetIsStreamedAndATargetWithinItIsNot() throws Exception {
        SeriesEncoder.budgetForTests(1_000);
        ScrapeLoopRawKeyTest.Captured bigOut = new ScrapeLoopRawKeyTest.Captured();
        ScrapeLoopRawKeyTest.Captured smallOut = new ScrapeLoopRawKeyTest.Captured();
        ScrapeLoop small = ScrapeLoopRawKeyTest.loop(ScrapeLoopRawKeyTest.target(), smallOut);
        ScrapeLoop big = ScrapeLoopRawKeyTest.loop(ScrapeLoopRawKeyTest.target(), bigOut);
        byte[] s = body(10);
        small.finish(1000, 0.5, 200, TEXT, s, s.length, null);
        byte[] b = body(5_000); // ~60 KB: under any size threshold, over the series budget
        big.finish(1000, 0.5, 200, TEXT, b, b.length, null);
        Map<String, Double> all = merged(decoded(bigOut));
        for (int i = 0; i < 5_000; i++) {
            assertEquals((double) i, all.get("s" + i), "series " + i);
        }
        assertEquals(1.0, all.get("up"));
        assertEquals(0, big.seriesEncoder().cachedKeys(), "the big target holds no cache");
        small.finish(2000, 0.5, 200, TEXT, s, s.length, null);
        assertEquals(10, small.seriesEncoder().cachedKeys(), "the small target keeps its cache");
        assertEquals(1.0, merged(decoded(smallOut)).get("up"));
    }

    @Test
    void sampleLimitInStreamingModeKeepsTheFirstSamplesAndFailsTheScrape() throws Exception {
        ScrapeLoopRawKeyTest.Captured out = new ScrapeLoopRawKeyTest.Captured();
        ScrapeTarget t = ScrapeLoopRawKeyTest.target(false, true, Relabeler.EMPTY, 15_000, 0);
        ScrapeLoop loop = ScrapeLoopRawKeyTest.loop(t, out).streamParse(true, 0);
        byte[] b = body(20_000);
        loop.finish(1000, 0.5, 200, TEXT, b, b.length, null);
        Map<String, Double> all = merged(decoded(out));
        assertEquals(
                15_000, all.keySet().stream().filter(k -> k.matches("s[0-9]+")).count(), "the first 15,000 kept");
        assertEquals(14_999.0, all.get("s14999"));
        assertEquals(0.0, all.get("up"));
        assertTrue(
                loop.status().lastError.contains("sample_limit=15000")
                        && loop.status().lastError.contains("streaming mode"),
                loop.status().lastError);
    }
}
