package dev.edgepush.testbed.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The abuse suite of issue 11 in the build ({@code deploy/testbed/bin/abuse -out=...}): every
 * attack answered as expected, edge-agent and central-ingest alive after each, nothing lost from
 * the legitimate robot scraped meanwhile. Uses the jars the reactor packaged before this module.
 * A few minutes: the slowloris and endless-body cases wait for the servers' timeouts.
 */
class AbuseSuiteIT {
    @Test
    void noAttackKillsAProcessOrCostsTheLegitimateRobotData() throws Exception {
        Path repo = Path.of("../..").toAbsolutePath().normalize();
        Path out = Path.of("target/abuse").toAbsolutePath();
        Files.createDirectories(out);
        AbuseSuite.Result r = new AbuseSuite(AbuseMain.config(new String[] {"-out=" + out}, repo), System.out).run();
        Files.writeString(out.resolve("table.md"), r.table());
        for (AbuseSuite.Row row : r.rows()) {
            assertTrue(row.agentAlive(), row.attack() + ": edge-agent died; " + row.answer());
            assertTrue(row.ingestAlive(), row.attack() + ": central-ingest died; " + row.answer());
            assertTrue(row.asExpected(), row.attack() + ": unexpected answer " + row.answer());
        }
        assertEquals(java.util.List.of(), r.lost(), "legitimate scrapes lost; table:\n" + r.table());
        assertTrue(r.loss().answered() > 20, "the robot was scraped throughout: " + r.loss());
        assertTrue(r.passed(), r.table());
    }
}
