package dev.edgepush.testbed.soak;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The short fleet soak of issue 5, in the build: 4 robots, 3 minutes of seeded faults (every
 * kind at least once) through real edge-agents, central-ingest and VictoriaMetrics, r1's clock an
 * hour ahead (libfaketime), plus the disk-cap robot r5 and the capped-link robot r6; any lost
 * scrape, any disagreement of central-ingest's completeness accounting, or r1's skew not measured
 * or its scrapes stored away from when they were answered fails the build, and r5's cap must have
 * overflowed. Uses the jars the reactor packaged before this module
 * ({@code edge-agent/target/edge-agent.jar}, {@code central-ingest/target/central-ingest.jar}).
 * Same as {@code deploy/testbed/bin/soak -duration=3m -robots=4 -seed=1}.
 */
class ShortSoakIT {
    @Test
    void aShortFleetSoakLosesNothing() throws Exception {
        Path repo = Path.of("../..").toAbsolutePath().normalize();
        Path out = Path.of("target/soak").toAbsolutePath();
        Files.createDirectories(out);
        SoakConfig cfg =
                SoakConfig.parse(new String[] {"-duration=3m", "-robots=4", "-seed=1", "-out=" + out}, repo, 1);
        SoakRunner.Result r = new SoakRunner(cfg, System.out).run();
        System.out.println(r.lastLine());
        assertTrue(r.lastLine().startsWith("soak: robots=6 "), r.lastLine());
        assertTrue(r.lastLine().contains(" lost=0 "), r.lastLine());
        assertTrue(r.lastLine().contains(" completeness_mismatches=0"), r.lastLine());
        assertTrue(r.lastLine().contains(" clock_skew_r1=3"), r.lastLine());
        assertTrue(r.lastLine().contains(" clock_misplaced=0 "), r.lastLine());
        assertFalse(r.lastLine().contains(" disk_full_dropped=0 "), "r5's disk cap overflowed: " + r.lastLine());
        assertTrue(r.passed(), r.lastLine() + " (report in " + out + ")");
    }
}
