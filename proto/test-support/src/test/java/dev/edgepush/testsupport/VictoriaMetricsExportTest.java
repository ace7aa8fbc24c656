package dev.edgepush.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Reading {@code /api/v1/export} bodies as VictoriaMetrics 1.79 writes them. */
class VictoriaMetricsExportTest {
    @Test
    void readsLabelsValuesAndTimestampsOfEachLine() {
        String body =
                "{\"metric\":{\"__name__\":\"up\",\"job\":\"t\"},\"values\":[1,0,1],\"timestamps\":[1000,2000,3000]}\n"
                        + "{\"metric\":{\"__name__\":\"up\",\"job\":\"u\"},\"values\":[0.5],\"timestamps\":[4000]}\n";
        List<VictoriaMetrics.Series> series = VictoriaMetrics.parseExport(body);
        assertEquals(2, series.size());
        assertEquals(
                new TreeMap<>(Map.of("__name__", "up", "job", "t")),
                series.get(0).labels());
        assertEquals(List.of(1.0, 0.0, 1.0), series.get(0).values());
        assertEquals(List.of(1000L, 2000L, 3000L), series.get(0).timestamps());
        assertEquals(List.of(0.5), series.get(1).values());
        assertEquals(List.of(4000L), series.get(1).timestamps());
    }

    @Test
    void leavesOutStalenessMarkersWithTheirTimestamps() {
        List<VictoriaMetrics.Series> series = VictoriaMetrics.parseExport(
                "{\"metric\":{\"__name__\":\"x\"},\"values\":[3,null,\"4\"],\"timestamps\":[1,2,3]}");
        assertEquals(List.of(3.0, 4.0), series.get(0).values());
        assertEquals(List.of(1L, 3L), series.get(0).timestamps());
    }

    @Test
    void undoesEscapesInLabelValuesAndKeepsBracesInThem() {
        List<VictoriaMetrics.Series> series = VictoriaMetrics.parseExport(
                "{\"metric\":{\"__name__\":\"x\",\"path\":\"a\\\"b}\\\\c\\u00e9\"},\"values\":[1],\"timestamps\":[1]}");
        assertEquals("a\"b}\\c\u00e9", series.get(0).labels().get("path"));
    }

    @Test
    void anEmptyBodyIsNoSeries() {
        assertEquals(List.of(), VictoriaMetrics.parseExport(""));
        assertEquals(List.of(), VictoriaMetrics.parseExport("\n"));
    }

    @Test
    void refusesALineOfAnotherShapeQuotingIt() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> VictoriaMetrics.parseExport("unsupported regexp"));
        assertTrue(e.getMessage().contains("unsupported regexp"), e.getMessage());
    }
}
