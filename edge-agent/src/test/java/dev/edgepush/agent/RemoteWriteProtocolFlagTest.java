package dev.edgepush.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.forward.send.RemoteWriteProtocol;
import java.util.List;
import org.junit.jupiter.api.Test;

/** -remoteWrite.protocol: per URL like the other per-URL flags, 1.0 by default, and its metric. */
class RemoteWriteProtocolFlagTest {
    private static List<RemoteSpec> remotes(String... args) throws Exception {
        return AgentFlags.parse(args).validate().remotes();
    }

    @Test
    void withoutTheFlagEveryUrlIsSent10() throws Exception {
        List<RemoteSpec> r = remotes("-remoteWrite.url=http://a/w", "-remoteWrite.url=http://b/w");
        assertEquals(RemoteWriteProtocol.V1, r.get(0).protocol());
        assertEquals(RemoteWriteProtocol.V1, r.get(1).protocol());
    }

    @Test
    void aSingleValueAppliesToEveryUrlAndTheNthToTheNth() throws Exception {
        List<RemoteSpec> one =
                remotes("-remoteWrite.url=http://a/w", "-remoteWrite.url=http://b/w", "-remoteWrite.protocol=auto");
        assertEquals(RemoteWriteProtocol.AUTO, one.get(0).protocol());
        assertEquals(RemoteWriteProtocol.AUTO, one.get(1).protocol());
        List<RemoteSpec> each = remotes(
                "-remoteWrite.url=http://a/w",
                "-remoteWrite.url=http://b/w",
                "-remoteWrite.protocol=2.0",
                "-remoteWrite.protocol=1.0");
        assertEquals(RemoteWriteProtocol.V2, each.get(0).protocol());
        assertEquals(RemoteWriteProtocol.V1, each.get(1).protocol());
    }

    @Test
    void aBadValueNamesTheFlagTheUrlAndTheValuesAccepted() {
        AgentFlags.FlagException e = assertThrows(
                AgentFlags.FlagException.class,
                () -> remotes("-remoteWrite.url=http://a/w", "-remoteWrite.protocol=3"));
        assertEquals(
                "-remoteWrite.protocol=3 for -remoteWrite.url #1 (http://a/w): expected auto, 1.0 or 2.0",
                e.getMessage());
    }

    @Test
    void theProtocolMetricCarriesTheUrlLabelLikeTheOtherPerUrlMetrics() {
        AgentMetrics single = new AgentMetrics(() -> 0);
        single.bindProtocol(() -> "2.0");
        String text = AgentMetrics.render(single, List.of(single));
        assertTrue(text.contains("\nedge_agent_remote_write_protocol{protocol=\"1.0\"} 0\n"), text);
        assertTrue(text.contains("\nedge_agent_remote_write_protocol{protocol=\"2.0\"} 1\n"), text);
        AgentMetrics labelled = new AgentMetrics(() -> 0, "1:http://a/w");
        labelled.bindProtocol(() -> "1.0");
        text = AgentMetrics.render(new AgentMetrics(() -> 0), List.of(labelled));
        assertTrue(
                text.contains("\nedge_agent_remote_write_protocol{url=\"1:http://a/w\",protocol=\"1.0\"} 1\n"), text);
    }
}
