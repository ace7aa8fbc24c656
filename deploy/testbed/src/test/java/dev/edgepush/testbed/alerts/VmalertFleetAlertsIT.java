package dev.edgepush.testbed.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.testbed.FaultProxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * deploy/alerts evaluated by the real vmalert against a real VictoriaMetrics fed through
 * central-ingest by the testbed fleet ({@link ObservedFleet}): robot r2's link is cut, its
 * {@code EdgepushRobotOffline} must come out of a real Alertmanager's webhook and resolve once the
 * link is back, while r1 never goes offline. Meanwhile r1's second remote rejects its pushes (400):
 * r1's {@code EdgepushSamplesDropped{reason="rejected"}} must arrive, and resolve once the remote
 * accepts again. The rules are a test copy: the offline alert's 5 min threshold and 1 min {@code
 * for:} shortened to 15 s and 5 s, the drop alert's 10 min window to 20 s, every group evaluated
 * each 2 s.
 */
class VmalertFleetAlertsIT {
    static final long THRESHOLD_S = 15;
    static final long FOR_S = 5;
    static final long DROP_WINDOW_S = 20;

    /** deploy/alerts/edgepush-rules.yml with the offline alert's durations shortened (each change checked). */
    static String shortenedRules() throws Exception {
        String rules = Files.readString(AlertRulesPromtoolIT.RULES);
        String offline =
                "expr: time() - max by (robot, tenant) (central_ingest_robot_last_push_timestamp_seconds) > 300\n"
                        + "        for: 1m\n";
        assertTrue(rules.contains(offline), "the EdgepushRobotOffline rule changed; update this test's copy");
        String out = rules.replace(
                        offline, offline.replace("> 300", "> " + THRESHOLD_S).replace("1m", FOR_S + "s"))
                .replace("interval: 30s", "interval: 2s");
        String dropped = "(increase(edge_agent_samples_dropped_total[10m])) > 0";
        assertTrue(out.contains(dropped), "the EdgepushSamplesDropped rule changed; update this test's copy");
        out = out.replace(dropped, dropped.replace("[10m]", "[" + DROP_WINDOW_S + "s]"));
        assertTrue(!out.contains("interval: 30s") && out.contains("> " + THRESHOLD_S + "\n"), out);
        return out;
    }

    @Test
    void offlineAndDroppingRobotsAlertThenResolve() throws Exception {
        Path dir = Path.of("target/vmalert-alerts").toAbsolutePath();
        RunDirs.delete(dir);
        Files.createDirectories(dir);
        Path rules = dir.resolve("rules-shortened.yml");
        Files.writeString(rules, shortenedRules());
        Predicate<AlertReceiver.Received> offlineR2 =
                a -> "EdgepushRobotOffline".equals(a.labels().get("alertname"))
                        && "r2".equals(a.labels().get("robot"));
        Predicate<AlertReceiver.Received> droppedR1 =
                a -> "EdgepushSamplesDropped".equals(a.labels().get("alertname"))
                        && "r1".equals(a.labels().get("robot"))
                        && "rejected".equals(a.labels().get("reason"));
        try (AlertReceiver receiver = new AlertReceiver(dir);
                FlakyRemote second = new FlakyRemote();
                ObservedFleet fleet = ObservedFleet.start(dir, 2, rules, receiver.url(), second.writeUrl())) {
            // Both robots have pushed and central-ingest's gauge for each is in VictoriaMetrics.
            fleet.awaitSeries("count(central_ingest_robot_last_push_timestamp_seconds) >= 2", Duration.ofSeconds(180));
            fleet.awaitSeries("count(count by (robot) (up{job=\"sensor\"})) >= 2", Duration.ofSeconds(180));

            ObservedFleet.Robot r2 = fleet.robots.get(1);
            Instant cut = Instant.now();
            r2.link().mode(FaultProxy.Mode.CUT);
            second.rejecting(true);
            AlertReceiver.Received drops = receiver.await(cut, droppedR1.and(a -> !a.resolved()), 180_000);
            assertNotNull(
                    drops,
                    "no EdgepushSamplesDropped{robot=r1,reason=rejected} within 180 s of its remote rejecting; received "
                            + receiver.all() + " (logs in " + dir.resolve("logs") + ")");
            System.out.println("vmalert: EdgepushSamplesDropped{robot=r1,reason=rejected} received "
                    + Duration.between(cut, drops.at()).toSeconds() + " s after its second remote began rejecting");
            assertEquals("critical", drops.labels().get("severity"));
            assertTrue(
                    drops.annotations().get("description").startsWith("Robot r1 gave up on "),
                    drops.annotations().toString());
            Instant accepting = Instant.now();
            second.rejecting(false);
            AlertReceiver.Received firing = receiver.await(cut, offlineR2.and(a -> !a.resolved()), 180_000);
            assertNotNull(
                    firing,
                    "no firing EdgepushRobotOffline for r2 within 180 s of the cut; received " + receiver.all()
                            + " (logs in " + dir.resolve("logs") + ")");
            long firedAfterS = Duration.between(cut, firing.at()).toSeconds();
            System.out.println("vmalert: EdgepushRobotOffline{robot=r2} received " + firedAfterS + " s after the cut"
                    + " (threshold " + THRESHOLD_S + " s + for " + FOR_S + " s)");
            assertTrue(firedAfterS >= THRESHOLD_S, "fired " + firedAfterS + " s after the cut, before its threshold");
            assertEquals("warning", firing.labels().get("severity"));
            assertEquals("0", firing.labels().get("tenant"));
            assertEquals("Robot r2 is offline", firing.annotations().get("summary"));
            assertTrue(
                    firing.annotations()
                            .get("description")
                            .startsWith("Robot r2 (tenant 0) has not pushed to central-ingest for "),
                    firing.annotations().toString());

            Instant back = Instant.now();
            r2.link().mode(FaultProxy.Mode.PASS);
            AlertReceiver.Received resolved =
                    receiver.await(back, offlineR2.and(AlertReceiver.Received::resolved), 180_000);
            assertNotNull(
                    resolved,
                    "EdgepushRobotOffline for r2 not resolved within 180 s of the link's return; received "
                            + receiver.all());
            System.out.println("vmalert: EdgepushRobotOffline{robot=r2} resolved "
                    + Duration.between(back, resolved.at()).toSeconds() + " s after the link came back");
            AlertReceiver.Received dropsResolved =
                    receiver.await(accepting, droppedR1.and(AlertReceiver.Received::resolved), 180_000);
            assertNotNull(
                    dropsResolved,
                    "EdgepushSamplesDropped for r1 not resolved within 180 s of its remote accepting again; "
                            + "received " + receiver.all());
            System.out.println("vmalert: EdgepushSamplesDropped{robot=r1} resolved "
                    + Duration.between(accepting, dropsResolved.at()).toSeconds()
                    + " s after its second remote accepted again"
                    + " (window " + DROP_WINDOW_S + " s)");
            assertTrue(
                    receiver.all().stream()
                            .noneMatch(a -> "r1".equals(a.labels().get("robot"))
                                    && "EdgepushRobotOffline".equals(a.labels().get("alertname"))),
                    "r1 never went offline: " + receiver.all());
        }
    }
}
