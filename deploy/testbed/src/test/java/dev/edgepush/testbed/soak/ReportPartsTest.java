package dev.edgepush.testbed.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The timeline stays bounded, delivery survives counter resets, the SVG carries what a reader needs. */
class ReportPartsTest {
    @Test
    void timelineStaysBoundedOverADayAndCountsEverySampleDelivered() {
        Timeline t = new Timeline();
        for (int i = 0; i < 43_200; i++) { // a day at one sample per 2 s
            t.add(i * 2000L, i % 100, 0, i + 1);
        }
        assertTrue(
                t.points().size() <= Timeline.MAX_POINTS,
                "points: " + t.points().size());
        assertEquals(43_200, t.delivered());
        assertEquals(0, t.points().get(0).tMs());
    }

    @Test
    void aRestartedIngestCountingFromZeroAddsToDelivery() {
        Timeline t = new Timeline();
        t.add(0, 0, 0, 100);
        t.add(1, 0, 0, 150);
        t.add(2, 0, 0, Double.NaN); // down
        t.add(3, 0, 0, 30); // restarted
        t.add(4, 0, 0, 40);
        assertEquals(190, t.delivered());
    }

    @Test
    void svgHasAxesLegendAndAShadeAndBarPerFault() {
        Timeline t = new Timeline();
        for (int i = 0; i < 100; i++) {
            t.add(i * 2000L, i < 50 ? i * 40 : 0, i % 10, i * 100.0);
        }
        List<Fault> faults = List.of(
                new Fault(Fault.Kind.OUTAGE, 1, 10_000, 20_000, "agent_kill"),
                new Fault(Fault.Kind.STORAGE_RESTART, 0, 50_000, 8_000, ""));
        String svg = SvgPlot.render("soak <test>: lost=0", t.points(), faults, 2, 150_000, 200_000);
        assertTrue(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assertTrue(svg.endsWith("</svg>\n"));
        assertTrue(svg.contains(">soak &lt;test&gt;</text>"), "the title is escaped");
        assertTrue(svg.contains(">lost=0</text>"), "the verdict on its own line");
        for (String text : List.of(
                "backlog (pending samples)",
                "delivered to VictoriaMetrics (samples)",
                "time since start",
                "agents' pending (sum)",
                "central WAL pending",
                "outage",
                "storage restart",
                "restore + drain",
                ">r1<",
                ">central<",
                ">0:00<",
                ">3:00<")) {
            assertTrue(svg.contains(text), text);
        }
        assertEquals(3, svg.split("<polyline").length - 1, "three lines");
        assertTrue(svg.contains("<title>outage r1 +10.0s for 20.0s (agent_kill)</title>"));
    }

    @Test
    void niceAxisNumbers() {
        assertEquals(2000, SvgAxes.niceCeil(1300));
        assertEquals(5, SvgAxes.niceCeil(4.2));
        assertEquals("1.5k", SvgAxes.human(1500));
        assertEquals("2M", SvgAxes.human(2_000_000));
        assertEquals("1h05m", SvgAxes.clock(3_900_000));
        assertEquals("2:05", SvgAxes.clock(125_000));
    }

    @Test
    void theCappedLinkPanelShowsLiveLagAndBacklogOfItsRobot() {
        Timeline t = new Timeline();
        for (int i = 0; i < 100; i++) {
            t.add(i * 2000L, i, 0, i * 100.0, i < 5 ? Double.NaN : i % 30, 1000 - i * 10);
        }
        String svg = SvgPlot.render("soak: lost=0", t.points(), List.of(), 6, 150_000, 200_000, "r6");
        assertTrue(svg.contains("capped link r6: live lag (now minus newest stored scrape) and backlog"));
        assertTrue(svg.contains(">r6 live lag (s)</text>"));
        assertTrue(svg.contains(">r6 pending</text>"));
        assertTrue(svg.contains(">backlog (samples)</text>"));
        assertEquals(5, svg.split("<polyline").length - 1, "three lines and the two of the capped link");

        String without = SvgPlot.render("soak: lost=0", t.points(), List.of(), 6, 150_000, 200_000, null);
        assertTrue(!without.contains("capped link"), "no panel without a capped-link robot");
    }
}
