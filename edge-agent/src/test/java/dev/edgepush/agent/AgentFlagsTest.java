package dev.edgepush.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentFlagsTest {
    private static AgentFlags.Config parse(String... args) throws AgentFlags.FlagException {
        return AgentFlags.parse(args).validate();
    }

    private static String error(String... args) {
        return assertThrows(AgentFlags.FlagException.class, () -> parse(args)).getMessage();
    }

    @Test
    void readsVmagentStyleFlags() throws Exception {
        AgentFlags.Config c = parse(
                "-remoteWrite.url=http://127.0.0.1:8428/api/v1/write",
                "-remoteWrite.maxDiskUsagePerURL=50MB",
                "-remoteWrite.flushInterval",
                "500ms",
                "-remoteWrite.label=robot=r1",
                "-remoteWrite.label=site=a=b",
                "--httpListenAddr=127.0.0.1:9000");
        assertEquals(50_000_000L, c.maxDiskBytes());
        assertEquals(Duration.ofMillis(500), c.flushInterval());
        assertEquals(Map.of("robot", "r1", "site", "a=b"), c.extraLabels());
        assertEquals("127.0.0.1", c.listenHost());
        assertEquals(9000, c.listenPort());
    }

    @Test
    void defaultsMatchVmagent() throws Exception {
        AgentFlags.Config c = parse("-remoteWrite.url=http://h/api/v1/write");
        assertEquals("0.0.0.0", c.listenHost());
        assertEquals(8429, c.listenPort());
        assertEquals(Duration.ofSeconds(1), c.flushInterval());
        assertEquals(0, c.maxDiskBytes());
    }

    @Test
    void anUnknownFlagIsNamed() {
        assertTrue(error("-remoteWrite.url=http://h/x", "-remoteWrite.urll=x").contains("-remoteWrite.urll"));
    }

    @Test
    void badValuesNameTheirFlag() {
        assertTrue(error("-remoteWrite.url=http://h/x", "-remoteWrite.flushInterval=soon")
                .startsWith("-remoteWrite.flushInterval=soon"));
        assertTrue(error("-remoteWrite.url=http://h/x", "-remoteWrite.maxDiskUsagePerURL=lots")
                .startsWith("-remoteWrite.maxDiskUsagePerURL=lots"));
        assertTrue(error("-remoteWrite.url=http://h/x", "-remoteWrite.label=no-equals")
                .startsWith("-remoteWrite.label=no-equals"));
        assertTrue(
                error("-remoteWrite.url=http://h/x", "-httpListenAddr=nowhere").startsWith("-httpListenAddr=nowhere"));
        assertTrue(error("-remoteWrite.url=ftp://h/x").startsWith("-remoteWrite.url=ftp://h/x"));
        assertTrue(error().contains("-remoteWrite.url is required"));
    }

    @Test
    void aMisspeltFlagGetsTheFlagItIsCloseTo() {
        assertEquals(
                "unknown flag -remoteWrite.ur=http://h/x: did you mean -remoteWrite.url? (edge-agent -help lists the"
                        + " flags)",
                parseError("-remoteWrite.ur=http://h/x"));
        assertEquals(
                "unknown flag -promscrape.configs=x: did you mean -promscrape.config? (edge-agent -help lists the"
                        + " flags)",
                parseError("-promscrape.configs=x"));
        assertTrue(parseError("--remotewrite.url=x").contains("did you mean -remoteWrite.url?"));
        assertTrue(parseError("-remoteWrite.tmpDatapath=/d").contains("did you mean -remoteWrite.tmpDataPath?"));
    }

    @Test
    void onlyRealVmagentFlagsAreCalledUnsupported() {
        // flags of vmagent 1.79.5 (its -help) that edge-agent lacks, even close to a supported one
        assertEquals(
                "-remoteWrite.proxyURL is a vmagent flag that edge-agent does not support yet (edge-agent -help"
                        + " lists the flags it supports)",
                parseError("-remoteWrite.proxyURL=http://p"));
        assertTrue(parseError("-promscrape.cluster.membersCount=2")
                .contains("is a vmagent flag that edge-agent does not support"));
        // far from every flag and from no vmagent family: plainly unknown, no suggestion
        assertEquals("unknown flag -frobnicate (edge-agent -help lists the flags)", parseError("-frobnicate"));
    }

    @Test
    void everyUnknownFlagIsReportedAtOnce() {
        var e = assertThrows(
                AgentFlags.FlagException.class,
                () -> AgentFlags.parse(new String[] {"-remoteWrite.ur=x", "-promscrape.configs=y"}));
        assertEquals(2, e.problems().size(), e.getMessage());
        assertTrue(e.problems().get(1).contains("did you mean -promscrape.config?"), e.getMessage());
    }

    @Test
    void everyBadValueIsReportedAtOnceEachNamingItsFlag() {
        var e = assertThrows(
                AgentFlags.FlagException.class,
                () -> parse(
                        "-remoteWrite.url=ftp://h/x",
                        "-remoteWrite.flushInterval=soon",
                        "-remoteWrite.maxDiskUsagePerURL=lots",
                        "-remoteWrite.label=no-equals",
                        "-httpListenAddr=nowhere",
                        "-remoteWrite.maxBlockSize=0"));
        List<String> starts = List.of(
                "-remoteWrite.url=ftp://h/x:",
                "-remoteWrite.maxDiskUsagePerURL=lots:",
                "-remoteWrite.flushInterval=soon:",
                "-remoteWrite.maxBlockSize=0:",
                "-remoteWrite.label=no-equals:",
                "-httpListenAddr=nowhere:");
        assertEquals(starts.size(), e.problems().size(), e.getMessage());
        for (int i = 0; i < starts.size(); i++) {
            assertTrue(e.problems().get(i).startsWith(starts.get(i)), e.getMessage());
        }
    }

    @Test
    void aFileAFlagNamesThatDoesNotExistIsOneLineNamingFlagAndPath(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("nope");
        for (String flag : List.of(
                "-promscrape.config",
                "-remoteWrite.bearerTokenFile",
                "-remoteWrite.basicAuth.passwordFile",
                "-remoteWrite.tlsCAFile",
                "-remoteWrite.relabelConfig",
                "-remoteWrite.urlRelabelConfig")) {
            List<String> args = new ArrayList<>(List.of("-remoteWrite.url=http://h/x", flag + "=" + missing));
            if (flag.contains("basicAuth")) {
                args.add("-remoteWrite.basicAuth.username=u");
            }
            var e = assertThrows(AgentFlags.FlagException.class, () -> parse(args.toArray(String[]::new)));
            assertEquals(
                    List.of(flag + "=" + missing + ": no such file; give the path of an existing file"), e.problems());
        }
        var both = assertThrows(
                AgentFlags.FlagException.class,
                () -> parse(
                        "-remoteWrite.url=http://h/x",
                        "-remoteWrite.tlsCertFile=" + missing,
                        "-remoteWrite.tlsKeyFile=" + dir));
        assertEquals(
                List.of(
                        "-remoteWrite.tlsCertFile=" + missing + ": no such file; give the path of an existing file",
                        "-remoteWrite.tlsKeyFile=" + dir + ": is a directory, not a file"),
                both.problems());
        var noDir = assertThrows(
                AgentFlags.FlagException.class,
                () -> parse("-remoteWrite.url=http://h/x", "-promscrape.config=/no/such/dir/s.yml"));
        assertEquals(
                "-promscrape.config=/no/such/dir/s.yml: no such file (nor does its directory /no/such/dir);"
                        + " give the path of an existing file",
                noDir.getMessage());
    }

    private static String parseError(String... args) {
        return assertThrows(AgentFlags.FlagException.class, () -> AgentFlags.parse(args))
                .getMessage();
    }
}
