package dev.edgepush.testbed.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.testbed.FaultProxy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The time-to-fresh computation from polled exports, the lag curve's CSV, the flags and the table. */
class FreshPartsTest {
    static final String A = "127.0.0.1:1";
    static final String B = "127.0.0.1:2";
    static final long T0 = 1_000_000;

    /** An export line of instance {@code inst}: scrape number i+1 at timestamps[i]. */
    static String line(String inst, long... timestamps) {
        StringBuilder v = new StringBuilder();
        StringBuilder t = new StringBuilder();
        for (int i = 0; i < timestamps.length; i++) {
            v.append(i == 0 ? "" : ",").append(i + 1);
            t.append(i == 0 ? "" : ",").append(timestamps[i]);
        }
        return "{\"metric\":{\"__name__\":\"sensor_scrape_seq\",\"job\":\"sensor\",\"instance\":\"" + inst
                + "\"},\"values\":[" + v + "],\"timestamps\":[" + t + "]}\n";
    }

    static Map<String, Long> answered(long a, long b) {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put(A, a);
        m.put(B, b);
        return m;
    }

    @Test
    void snapshotTakesTheNewestTimestampAndSkipsStalenessMarkers() {
        ScrapeSnapshot s = ScrapeSnapshot.parse("{\"metric\":{\"instance\":\"" + A
                + "\"},\"values\":[1,2,null],\"timestamps\":[10,20,30]}\n" + line(B, 5, 15));
        assertEquals(20, s.newestMs(A));
        assertEquals(15, s.newestMs(B));
        assertEquals(Long.MIN_VALUE, s.newestMs("127.0.0.1:9"));
        assertEquals(15, s.newestOfStalestMs(List.of(A, B)));
        assertTrue(s.freshSince(15, List.of(A, B)));
        assertFalse(s.freshSince(16, List.of(A, B)), "B's newest is older");
        assertFalse(s.freshSince(0, List.of(A, B, "127.0.0.1:9")), "a target without samples is not fresh");
        // A answered 4 (has 1, 2), B answered 2 (has both).
        assertEquals(2, s.missing(answered(4, 2), Long.MAX_VALUE));
        assertEquals(0, s.failedTotal());
    }

    @Test
    void failedScrapesAreNotMissing() {
        // A answered 3 but the agent timed out on scrape 2 (up 0 at 20); B answered 1, nothing stored.
        ScrapeSnapshot s = ScrapeSnapshot.parse(line(A, 10, 30).replace("[1,2]", "[1,3]")
                + "{\"metric\":{\"__name__\":\"up\",\"job\":\"sensor\",\"instance\":\"" + A
                + "\"},\"values\":[1,0,1],\"timestamps\":[10,20,30]}\n");
        assertEquals(1, s.failedTotal());
        assertEquals(1, s.failed(A, 21));
        assertEquals(0, s.failed(A, 20), "only failures before the given time count");
        assertEquals(30, s.newestMs(A), "up is not a scrape's sample");
        assertEquals(0 + 1, s.missing(answered(3, 1), 21));
        assertEquals(1 + 1, s.missing(answered(3, 1), 20));
    }

    @Test
    void freshOnlyWhenEveryTargetHasASampleFromLinkUpOn() {
        FreshTimeline t = new FreshTimeline(T0, answered(3, 3), 1000);
        // Oldest-first: the backlog arrives first; A's newest is at T0, B's still before it.
        t.freshPoll(T0 + 400, ScrapeSnapshot.parse(line(A, T0 - 2000, T0 - 1000, T0) + line(B, T0 - 2000)));
        assertTrue(Double.isNaN(t.timeToFreshSeconds()));
        t.freshPoll(T0 + 600, ScrapeSnapshot.parse(line(A, T0) + line(B, T0 - 1000, T0 + 500)));
        assertEquals(0.6, t.timeToFreshSeconds(), 1e-9);
        // A later poll does not move it.
        t.freshPoll(T0 + 900, ScrapeSnapshot.parse(line(A, T0) + line(B, T0 + 500)));
        assertEquals(0.6, t.timeToFreshSeconds(), 1e-9);
        assertFalse(t.done(), "no full poll yet: the drain is unknown");
    }

    @Test
    void drainEndsWhenEveryScrapeAnsweredBeforeLinkUpIsStored() {
        FreshTimeline t = new FreshTimeline(T0, answered(3, 3), 1000);
        // At link-up nothing of the outage is stored: A has scrape 1, B none.
        t.fullPoll(T0 + 50, ScrapeSnapshot.parse(line(A, T0 - 3000)), answered(3, 3));
        assertEquals(5, t.backlogAtLinkUp());
        assertTrue(Double.isNaN(t.drainSeconds()));
        // Fresh-first: the newest is in (scrape 4 at T0 + 500), the backlog is not yet.
        t.fullPoll(
                T0 + 1050,
                ScrapeSnapshot.parse(
                        "{\"metric\":{\"instance\":\"" + A + "\"},\"values\":[1,4],\"timestamps\":[" + (T0 - 3000)
                                + "," + (T0 + 500) + "]}\n"
                                + "{\"metric\":{\"instance\":\"" + B + "\"},\"values\":[4],\"timestamps\":["
                                + (T0 + 500) + "]}\n"),
                answered(4, 4));
        assertEquals(1.05, t.timeToFreshSeconds(), 1e-9);
        assertTrue(Double.isNaN(t.drainSeconds()));
        // Everything: 1..4 of both, the newest at T0 + 1500.
        t.fullPoll(
                T0 + 2050,
                ScrapeSnapshot.parse(line(A, T0 - 3000, T0 - 2000, T0 - 1000, T0 + 500)
                        + line(B, T0 - 3000, T0 - 2000, T0 - 1000, T0 + 1500)),
                answered(5, 5));
        assertEquals(2.05, t.drainSeconds(), 1e-9);
        assertTrue(t.done());

        List<FreshTimeline.Point> p = t.points();
        assertEquals(3, p.size());
        assertTrue(Double.isNaN(p.get(0).lagSeconds()), "B had no sample at all");
        assertEquals(0.55, p.get(1).lagSeconds(), 1e-9); // T0 + 1050 - (T0 + 500)
        assertEquals(2 + 3, p.get(1).backlogScrapes()); // A misses 2 and 3, B 1 to 3
        assertEquals(1.55, p.get(2).lagSeconds(), 1e-9); // the stalest target, A, at T0 + 500
        assertEquals(0, p.get(2).backlogScrapes());
        assertEquals(2, p.get(2).missingScrapes(), "scrape 5 of each, in flight");
        assertEquals(
                FreshTimeline.CSV_HEADER + "\n"
                        + "0.050,,5,5000,5\n"
                        + "1.050,0.550,5,5000,5\n"
                        + "2.050,1.550,0,0,2\n",
                t.csv());
    }

    @Test
    void backlogScrapesCountEachInstanceUpToWhatItAnsweredAtLinkUp() {
        FreshTimeline t = new FreshTimeline(T0, answered(2, 1), 2.5);
        t.fullPoll(T0, ScrapeSnapshot.parse(line(A, 1, 2, 3) + line(B, 1, 2)), answered(3, 3));
        assertEquals(0, t.backlogAtLinkUp(), "scrape 3 of A and 2 of B came after link-up");
        assertEquals(0.0, t.drainSeconds());
        assertEquals("0.000,", t.csv().split("\n")[1].substring(0, 6));
        assertEquals(1, t.points().get(0).missingScrapes());
    }

    @Test
    void freshFlagsAreTakenOutOfTheCommandLine() {
        FreshFlags.Split s = FreshFlags.split(new String[] {
            "-targets=3",
            "-measure=fresh",
            "--linkDown=blackhole",
            "-linkBytesPerSecond=20000",
            "-concurrent=true",
            "-edgeAgentArgs= -a=1  -b=2 ",
            "-outage=10m"
        });
        assertArrayEquals(new String[] {"-targets=3", "-outage=10m"}, s.rest());
        assertEquals(new FreshFlags(true, FaultProxy.Mode.BLACKHOLE, 20000, true, List.of("-a=1", "-b=2")), s.fresh());
        assertEquals(10, BenchFlags.parse(s.rest()).outage().toMinutes());

        FreshFlags none = FreshFlags.split(new String[] {"-outage=1m"}).fresh();
        assertEquals(new FreshFlags(false, FaultProxy.Mode.CUT, 0, false, List.of()), none);
    }

    @Test
    void badFreshFlagsAreNamed() {
        assertEquals(
                "invalid value \"soon\" for flag -measure: want resources or fresh",
                assertThrows(IllegalArgumentException.class, () -> FreshFlags.split(new String[] {"-measure=soon"}))
                        .getMessage());
        assertEquals(
                "flags -linkDown, -linkBytesPerSecond, -concurrent and -edgeAgentArgs need -measure=fresh",
                assertThrows(IllegalArgumentException.class, () -> FreshFlags.split(new String[] {"-concurrent=true"}))
                        .getMessage());
        assertEquals(
                "invalid value \"-5\" for flag -linkBytesPerSecond: want bytes per second, 0 for no cap",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> FreshFlags.split(new String[] {"-measure=fresh", "-linkBytesPerSecond=-5"}))
                        .getMessage());
        assertEquals(
                "invalid value \"reset\" for flag -linkDown: want cut or blackhole",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> FreshFlags.split(new String[] {"-measure=fresh", "-linkDown=reset"}))
                        .getMessage());
    }

    @Test
    void tableHasALinePerAgent() {
        FreshReport r = new FreshReport(
                List.of(
                        new FreshResult("edge-agent", 180, 0, 7.8, 2.1, 30.25, 1800, 1_890_000, 3000, 2, 0),
                        new FreshResult(
                                "vmagent",
                                180,
                                50_000,
                                Double.NaN,
                                Double.NaN,
                                Double.NaN,
                                1800,
                                1_900_000,
                                3000,
                                0,
                                7)),
                "bench-agents -measure=fresh");
        assertEquals("""
                | agent | outage (s) | link after link-up | time to fresh (s) | first 2xx (s) | drain (s) | backlog at link-up | failed scrapes | lost |
                |---|---:|---|---:|---:|---:|---:|---:|---:|
                | edge-agent | 180 | uncapped | 7.8 | 2.1 | 30.3 | 1800 scrapes (~1890000 samples) | 2 | 0 of 3000 |
                | vmagent | 180 | 50000 B/s | n/a | n/a | n/a | 1800 scrapes (~1900000 samples) | 0 | 7 of 3000 |

                Command: `bench-agents -measure=fresh`
                """, r.markdown());
        assertTrue(r.json()
                .contains("\"agent\": \"vmagent\", \"outage_seconds\": 180.000, \"link_bytes_per_second\": 50000,"
                        + " \"time_to_fresh_seconds\": null"));
    }
}
