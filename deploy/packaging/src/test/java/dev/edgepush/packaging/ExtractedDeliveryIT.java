package dev.edgepush.packaging;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.testsupport.CountingTarget;
import dev.edgepush.testsupport.Loopback;
import dev.edgepush.testsupport.VictoriaMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both packages extracted with {@code dpkg-deb -x} into a temp dir (nothing installed: see
 * {@link InstallIT} for dpkg -i, which runs only in CI as root), configured as the README says,
 * and started as their units' ExecStart says: a robot's scrapes reach a real VictoriaMetrics
 * through the packaged central-ingest, stamped with the robot's name.
 */
class ExtractedDeliveryIT {
    @TempDir
    Path tmp;

    @Test
    void extractedAgentDeliversThroughExtractedIngest() throws IOException {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Packages.extract(Packages.edgeAgentDeb(), root);
        Packages.extract(Packages.centralIngestDeb(), root);
        Deployment d = new Deployment(root, false, tmp);
        int ingestPort = Loopback.freePort();
        try (VictoriaMetrics vm = new VictoriaMetrics(tmp.resolve("vm"));
                CountingTarget target = new CountingTarget()) {
            String token = d.addToken("robot", "r17");
            d.configureIngest(ingestPort, vm.port);
            d.configureAgent("http://127.0.0.1:" + ingestPort + "/api/v1/write", token, target, Loopback.freePort());
            try (ServiceProcess ingest = d.startIngest(ingestPort);
                    ServiceProcess agent = d.start("edge-agent")) {
                assertTrue(
                        agent.command.contains("-remoteWrite.tmpDataPath=" + root + "/var/lib/edge-agent"),
                        agent.command.toString());
                Deployment.awaitDelivered(vm, "r17", 3, agent);
                Deployment.stopCleanly(agent, List.of(0));
                Deployment.stopCleanly(ingest, List.of(0, 143));
            }
            Deployment.assertOneRobotSeries(vm, "r17");
            assertTrue(
                    Files.isDirectory(root.resolve("var/lib/edge-agent/buffer")),
                    "the buffer is where the unit allows writes");
            assertTrue(
                    Files.isDirectory(root.resolve("var/lib/central-ingest/wal")),
                    "the WAL is where the unit allows writes");
        }
    }
}
