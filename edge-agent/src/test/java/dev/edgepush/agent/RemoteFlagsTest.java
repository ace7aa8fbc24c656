package dev.edgepush.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.forward.send.RemoteWriteCompression;
import dev.edgepush.forward.send.RemoteWriteProtocol;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** -remoteWrite.* per-URL flags, and the answer for vmagent flags edge-agent lacks. */
class RemoteFlagsTest {
    private static AgentFlags.Config config(String... args) throws AgentFlags.FlagException {
        return AgentFlags.parse(args).validate();
    }

    @Test
    void repeatedUrlsEachBecomeARemoteInOrder() throws Exception {
        AgentFlags.Config c =
                config("-remoteWrite.url=http://a:1/api/v1/write", "-remoteWrite.url=http://b:2/api/v1/write");
        assertEquals(2, c.remotes().size());
        assertEquals("1:http://a:1/api/v1/write", c.remotes().get(0).label());
        assertEquals("2:http://b:2/api/v1/write", c.remotes().get(1).label());
        assertEquals("http://a:1/api/v1/write", c.remoteWriteUrl());
    }

    @Test
    void theNthPerUrlValueAppliesToTheNthUrlAndASingleValueToAll() throws Exception {
        AgentFlags.Config c = config(
                "-remoteWrite.url=http://a/w",
                "-remoteWrite.url=http://b/w",
                "-remoteWrite.bearerToken=ta",
                "-remoteWrite.bearerToken=tb",
                "-remoteWrite.rateLimit=1MB",
                "-remoteWrite.tlsInsecureSkipVerify",
                "-remoteWrite.tlsServerName=x.example");
        assertEquals("ta", c.remotes().get(0).bearerToken());
        assertEquals("tb", c.remotes().get(1).bearerToken());
        assertEquals(1_000_000, c.remotes().get(0).rateLimitBytesPerSecond());
        assertEquals(1_000_000, c.remotes().get(1).rateLimitBytesPerSecond());
        assertTrue(c.remotes().get(1).tlsInsecureSkipVerify());
        assertEquals("x.example", c.remotes().get(1).tlsServerName());
    }

    @Test
    void freshFirstIsOnByDefaultAndSetPerUrl() throws Exception {
        AgentFlags.Config c = config("-remoteWrite.url=http://a/w", "-remoteWrite.url=http://b/w");
        assertTrue(c.remotes().get(0).freshFirst());
        assertTrue(c.remotes().get(1).freshFirst());
        c = config(
                "-remoteWrite.url=http://a/w",
                "-remoteWrite.url=http://b/w",
                "-remoteWrite.freshFirst=true",
                "-remoteWrite.freshFirst=false");
        assertTrue(c.remotes().get(0).freshFirst());
        assertFalse(c.remotes().get(1).freshFirst(), "strict for the second URL");
        assertFalse(config("-remoteWrite.url=http://a/w", "-remoteWrite.freshFirst=false")
                .remotes()
                .get(0)
                .freshFirst());
        var e = assertThrows(
                AgentFlags.FlagException.class,
                () -> config("-remoteWrite.url=http://a/w", "-remoteWrite.freshFirst=maybe"));
        assertTrue(e.getMessage().startsWith("-remoteWrite.freshFirst=maybe"), e.getMessage());
    }

    @Test
    void anEmptyValueLeavesThatUrlWithoutIt(@TempDir Path dir) throws Exception {
        Path pw = java.nio.file.Files.writeString(dir.resolve("pw"), "secret\n"); // a named file must exist
        AgentFlags.Config c = config(
                "-remoteWrite.url=http://a/w",
                "-remoteWrite.url=http://b/w",
                "-remoteWrite.basicAuth.username=",
                "-remoteWrite.basicAuth.username=bob",
                "-remoteWrite.basicAuth.passwordFile=",
                "-remoteWrite.basicAuth.passwordFile=" + pw);
        assertNull(c.remotes().get(0).basicAuthUsername());
        assertEquals("bob", c.remotes().get(1).basicAuthUsername());
        assertEquals(pw, c.remotes().get(1).basicAuthPasswordFile());
    }

    @Test
    void morePerUrlValuesThanUrlsIsAnErrorNamingTheFlag() {
        var e = assertThrows(
                AgentFlags.FlagException.class,
                () -> config(
                        "-remoteWrite.url=http://a/w", "-remoteWrite.bearerToken=x", "-remoteWrite.bearerToken=y"));
        assertTrue(
                e.getMessage().contains("-remoteWrite.bearerToken is given 2 times but there are 1"), e.getMessage());
    }

    @Test
    void conflictingAuthForOneUrlNamesThatUrl() {
        var e = assertThrows(
                AgentFlags.FlagException.class,
                () -> config(
                        "-remoteWrite.url=http://a/w",
                        "-remoteWrite.url=http://b/w",
                        "-remoteWrite.bearerToken=",
                        "-remoteWrite.bearerToken=t",
                        "-remoteWrite.bearerTokenFile=",
                        "-remoteWrite.bearerTokenFile=/f"));
        assertTrue(e.getMessage().contains("#2 (http://b/w)"), e.getMessage());
        var e2 = assertThrows(
                AgentFlags.FlagException.class,
                () -> config("-remoteWrite.url=http://a/w", "-remoteWrite.tlsCertFile=/c.pem"));
        assertTrue(e2.getMessage().contains("-remoteWrite.tlsKeyFile"), e2.getMessage());
    }

    @Test
    void queuesIsAcceptedAndKept() throws Exception {
        assertEquals(
                8,
                config("-remoteWrite.url=http://a/w", "-remoteWrite.queues=8").remoteWriteQueues());
        assertThrows(
                AgentFlags.FlagException.class, () -> config("-remoteWrite.url=http://a/w", "-remoteWrite.queues=0"));
    }

    @Test
    void aVmagentFlagEdgeAgentLacksIsNamedAsSuch() {
        for (String flag : List.of(
                "-remoteWrite.streamAggr.config=a.yml",
                "-influxListenAddr=:8089",
                "-promscrape.kubernetesSDCheckInterval=1m",
                "-dedup.minScrapeInterval=30s",
                "-loggerLevel=WARN",
                "-memory.allowedPercent=60",
                "--tlsCipherSuites=x",
                "-pushmetrics.url=http://x",
                "-enableTCP6")) {
            var e = assertThrows(AgentFlags.FlagException.class, () -> AgentFlags.parse(new String[] {flag}));
            String name = flag.contains("=") ? flag.substring(0, flag.indexOf('=')) : flag;
            assertEquals(
                    name + " is a vmagent flag that edge-agent does not support yet (edge-agent -help lists the"
                            + " flags it supports)",
                    e.getMessage());
        }
    }

    @Test
    void aFlagInNeitherListIsStillUnknown() {
        var e = assertThrows(
                AgentFlags.FlagException.class, () -> AgentFlags.parse(new String[] {"-remoteWirte.url=x"}));
        assertTrue(e.getMessage().startsWith("unknown flag -remoteWirte.url=x"), e.getMessage());
        assertFalse(e.getMessage().contains("vmagent"));
    }

    @Test
    void bufferDirectoryNamesAreStableAndDifferPerUrlAndPosition() {
        RemoteSpec a = remote(1, "http://a/w", null);
        RemoteSpec a2 = remote(2, "http://a/w", null);
        RemoteSpec b = remote(1, "http://b/w", null);
        assertTrue(a.directoryName().matches("1_[0-9A-F]{16}"), a.directoryName());
        assertEquals(a.directoryName(), remote(1, "http://a/w", "t").directoryName());
        assertNotEquals(a.directoryName().substring(2), b.directoryName().substring(2));
        assertEquals(a.directoryName().substring(2), a2.directoryName().substring(2));
        assertEquals(
                "1:http://<credentials>@h/w", remote(1, "http://u:p@h/w", null).label());
    }

    /** A remote of {@code url} with no auth, TLS or limit of its own, sent remote write 1.0, fresh first. */
    private static RemoteSpec remote(int number, String url, String bearerToken) {
        return new RemoteSpec(
                number,
                url,
                bearerToken,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                false,
                null,
                0,
                null,
                RemoteWriteProtocol.V1,
                RemoteWriteCompression.AUTO,
                true);
    }
}
