package dev.edgepush.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.agent.host.HostSettings;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The -host.* flags (issue 14): off by default, 'default' is every collector, every bad value named. */
class HostFlagsTest {
    private static final String URL = "-remoteWrite.url=http://127.0.0.1:1/api/v1/write";

    @Test
    void offByDefault() throws Exception {
        AgentFlags f = AgentFlags.parse(new String[] {URL});
        f.validate();
        assertFalse(f.hostSettings().enabled());
    }

    @Test
    void defaultMeansEveryCollectorAndTheTargetGetsItsLabels() throws Exception {
        AgentFlags f = AgentFlags.parse(new String[] {
            URL, "-host.collectors=default", "-host.interval=5s", "-host.job=robot-host", "-host.instance=r17"
        });
        f.validate();
        HostSettings s = f.hostSettings();
        assertEquals(HostSettings.NODE_COLLECTORS.size() + 1, s.collectors().size());
        assertTrue(s.collectors().contains("processes"));
        assertEquals(Duration.ofSeconds(5), s.interval());
        assertEquals(Duration.ofSeconds(5), s.timeout(), "the timeout is capped at the interval");
        assertEquals(
                "robot-host",
                s.target(dev.edgepush.compat.Relabeler.EMPTY).targetLabels().get("job"));
        assertEquals(
                "r17",
                s.target(dev.edgepush.compat.Relabeler.EMPTY).targetLabels().get("instance"));
        assertEquals(s.collectors().size(), s.build().size());
    }

    @Test
    void everyBadValueIsNamed() throws Exception {
        AgentFlags f = AgentFlags.parse(new String[] {
            URL,
            "-host.collectors=cpu,gpu",
            "-host.interval=0s",
            "-host.netdev.deviceExclude=(",
            "-host.processes.top=0"
        });
        AgentFlags.FlagException e = assertThrows(AgentFlags.FlagException.class, f::validate);
        List<String> p = e.problems();
        assertTrue(
                p.stream().anyMatch(l -> l.startsWith("-host.collectors=cpu,gpu: unknown collector gpu")),
                p.toString());
        assertTrue(p.stream().anyMatch(l -> l.startsWith("-host.interval=0s")), p.toString());
        assertTrue(p.stream().anyMatch(l -> l.startsWith("-host.netdev.deviceExclude=(")), p.toString());
        assertTrue(p.stream().anyMatch(l -> l.startsWith("-host.processes.top=0")), p.toString());
    }
}
