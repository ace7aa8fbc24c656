package dev.edgepush.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.forward.send.RemoteWriteCompression;
import java.util.List;
import org.junit.jupiter.api.Test;

/** -remoteWrite.compression: per URL like the other per-URL flags, auto by default, and its metric. */
class RemoteWriteCompressionFlagTest {
    private static List<RemoteSpec> remotes(String... args) throws Exception {
        return AgentFlags.parse(args).validate().remotes();
    }

    @Test
    void withoutTheFlagEveryUrlIsAuto() throws Exception {
        List<RemoteSpec> r = remotes("-remoteWrite.url=http://a/w", "-remoteWrite.url=http://b/w");
        assertEquals(RemoteWriteCompression.AUTO, r.get(0).compression());
        assertEquals(RemoteWriteCompression.AUTO, r.get(1).compression());
    }

    @Test
    void aSingleValueAppliesToEveryUrlAndTheNthToTheNth() throws Exception {
        List<RemoteSpec> one = remotes(
                "-remoteWrite.url=http://a/w", "-remoteWrite.url=http://b/w", "-remoteWrite.compression=snappy");
        assertEquals(RemoteWriteCompression.SNAPPY, one.get(0).compression());
        assertEquals(RemoteWriteCompression.SNAPPY, one.get(1).compression());
        List<RemoteSpec> each = remotes(
                "-remoteWrite.url=http://a/w",
                "-remoteWrite.url=http://b/w",
                "-remoteWrite.compression=zstd",
                "-remoteWrite.compression=auto");
        assertEquals(RemoteWriteCompression.ZSTD, each.get(0).compression());
        assertEquals(RemoteWriteCompression.AUTO, each.get(1).compression());
    }

    @Test
    void aBadValueNamesTheFlagTheUrlAndTheValuesAccepted() {
        AgentFlags.FlagException e = assertThrows(
                AgentFlags.FlagException.class,
                () -> remotes("-remoteWrite.url=http://a/w", "-remoteWrite.compression=gzip"));
        assertEquals(
                "-remoteWrite.compression=gzip for -remoteWrite.url #1 (http://a/w): expected auto, snappy or zstd",
                e.getMessage());
    }

    @Test
    void theCompressionMetricSaysWhichEncodingEachUrlIsSent() {
        AgentMetrics single = new AgentMetrics(() -> 0);
        String text = AgentMetrics.render(single, List.of(single));
        assertFalse(text.contains("edge_agent_remote_write_compression"), "nothing bound, nothing rendered");
        single.bindCompression(() -> "zstd");
        text = AgentMetrics.render(single, List.of(single));
        assertTrue(text.contains("\nedge_agent_remote_write_compression{encoding=\"snappy\"} 0\n"), text);
        assertTrue(text.contains("\nedge_agent_remote_write_compression{encoding=\"zstd\"} 1\n"), text);
        AgentMetrics labelled = new AgentMetrics(() -> 0, "1:http://a/w");
        labelled.bindCompression(() -> "snappy");
        text = AgentMetrics.render(new AgentMetrics(() -> 0), List.of(labelled));
        assertTrue(
                text.contains("\nedge_agent_remote_write_compression{url=\"1:http://a/w\",encoding=\"snappy\"} 1\n"),
                text);
    }
}
