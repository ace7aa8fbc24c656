package dev.edgepush.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class IngestFlagsTest {
    /** A tokens file that exists: a missing one is an error of its own (below). */
    static final String TOKENS = tokensFile();

    private static String tokensFile() {
        try {
            java.nio.file.Path t = java.nio.file.Files.createTempFile("tokens", ".txt");
            t.toFile().deleteOnExit();
            return t.toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aMissingTokensFileIsOneLineSayingHowToCreateIt() {
        assertEquals(
                "-auth.tokensFile=/nope/tokens: no such file (nor does its directory /nope); give the path of an"
                        + " existing file (create it and its first token with: central-ingest token add robot <name>"
                        + " -auth.tokensFile=/nope/tokens)",
                error("-remoteWrite.url=http://a/w", "-auth.tokensFile=/nope/tokens"));
    }

    @Test
    void aMisspeltFlagGetsASuggestion() {
        assertEquals(
                "unknown flag -auth.tokenFile=/t: did you mean -auth.tokensFile? (central-ingest -help lists the"
                        + " flags)",
                error("-remoteWrite.url=http://a/w", "-auth.tokenFile=/t"));
        assertEquals("unknown flag -frobnicate (central-ingest -help lists the flags)", error("-frobnicate"));
    }

    private static String error(String... args) {
        return assertThrows(
                        IngestFlags.FlagException.class,
                        () -> IngestFlags.parse(args).validate())
                .getMessage();
    }

    @Test
    void defaultsFollowTheIssue() throws Exception {
        IngestFlags.Config c = IngestFlags.parse(
                        new String[] {"-remoteWrite.url=http://vm:8428/api/v1/write", "-auth.tokensFile", TOKENS})
                .validate();
        assertEquals(8427, c.listenPort());
        assertEquals(32_000_000, c.maxRequestBytes());
        assertEquals(8L * 32_000_000, c.maxDecompressedBytes());
        assertEquals(java.time.Duration.ofMinutes(2), c.fleetOfflineAfter());
        assertEquals(null, c.query(), "no -query.url: the query paths answer 503");
        assertEquals(2, c.remoteWriteQueues());
    }

    @Test
    void remoteWriteQueuesIsChecked() throws Exception {
        IngestFlags.Config c = IngestFlags.parse(new String[] {
                    "-remoteWrite.url=http://a/w", "-auth.tokensFile=" + TOKENS, "-remoteWrite.queues=8"
                })
                .validate();
        assertEquals(8, c.remoteWriteQueues());
        assertTrue(error("-remoteWrite.url=http://a/w", "-auth.tokensFile=" + TOKENS, "-remoteWrite.queues=0")
                .contains("-remoteWrite.queues=0"));
        assertTrue(error("-remoteWrite.url=http://a/w", "-auth.tokensFile=" + TOKENS, "-remoteWrite.queues=65")
                .contains("-remoteWrite.queues=65"));
    }

    @Test
    void queryUrlAndOfflineAfterAreChecked() throws Exception {
        IngestFlags.Config c = IngestFlags.parse(new String[] {
                    "-remoteWrite.url=http://a/w",
                    "-auth.tokensFile=" + TOKENS,
                    "-query.url=http://vmselect:8481/select/{tenant}/prometheus",
                    "-fleet.offlineAfter=30s"
                })
                .validate();
        assertTrue(c.query().perTenant());
        assertEquals(java.time.Duration.ofSeconds(30), c.fleetOfflineAfter());
        assertTrue(error(
                        "-remoteWrite.url=http://a/w",
                        "-auth.tokensFile=" + TOKENS,
                        "-query.url=http://vm:8428/api/v1/query")
                .contains("-query.url"));
        assertTrue(error("-remoteWrite.url=http://a/w", "-auth.tokensFile=" + TOKENS, "-fleet.offlineAfter=soon")
                .contains("-fleet.offlineAfter=soon"));
        assertTrue(error("-remoteWrite.url=http://a/w", "-auth.tokensFile=" + TOKENS, "-fleet.offlineAfter=0")
                .contains("-fleet.offlineAfter"));
    }

    @Test
    void retentionAndClockCorrectionAreVictoriaMetricsStyleAndChecked() throws Exception {
        long day = 86_400_000L;
        IngestFlags.Config c = IngestFlags.parse(
                        new String[] {"-remoteWrite.url=http://a/w", "-auth.tokensFile=" + TOKENS})
                .validate();
        assertEquals(31 * day, c.sampleClock().retentionMs(), "VictoriaMetrics' default: 1 month of 31 days");
        assertEquals(0, c.sampleClock().correctAboveMs(), "no correction unless asked");
        assertEquals(12 * 31 * day, SampleClockFlags.retentionMs("12"));
        assertEquals(90 * day, SampleClockFlags.retentionMs("90d"));
        assertEquals(2 * 7 * day, SampleClockFlags.retentionMs("2w"));
        assertEquals(365 * day, SampleClockFlags.retentionMs("1y"));
        assertEquals(36 * 3_600_000L, SampleClockFlags.retentionMs("36h"));
        assertEquals(0, SampleClockFlags.retentionMs("0"));
        c = IngestFlags.parse(new String[] {
                    "-remoteWrite.url=http://a/w",
                    "-auth.tokensFile=" + TOKENS,
                    "-fleet.correctClockSkewAbove=2m",
                    "-retentionPeriod=90d"
                })
                .validate();
        assertEquals(120_000, c.sampleClock().correctAboveMs());
        assertEquals(90 * day, c.sampleClock().retentionMs());
        assertTrue(error("-remoteWrite.url=http://a/w", "-auth.tokensFile=" + TOKENS, "-retentionPeriod=3months")
                .startsWith("-retentionPeriod=3months: expected months"));
        assertTrue(
                error("-remoteWrite.url=http://a/w", "-auth.tokensFile=" + TOKENS, "-fleet.correctClockSkewAbove=soon")
                        .startsWith("-fleet.correctClockSkewAbove=soon: "));
    }

    @Test
    void badFlagsAreReportedByName() {
        assertTrue(error("-nope=1").contains("-nope"));
        assertTrue(error("-auth.tokensFile=" + TOKENS).contains("-remoteWrite.url is required"));
        assertTrue(error("-remoteWrite.url=http://a/api/v1/write").contains("-auth.tokensFile"));
        assertTrue(
                error("-remoteWrite.url=vm:8428", "-auth.tokensFile=" + TOKENS).contains("-remoteWrite.url=vm:8428"));
        assertTrue(error(
                        "-remoteWrite.url=http://a/insert/{tenant}/prometheus/api/v1/write",
                        "-remoteWrite.url=http://b/api/v1/write",
                        "-auth.tokensFile=" + TOKENS)
                .contains("{tenant}"));
        assertTrue(error("-remoteWrite.url=http://a/w", "-auth.tokensFile=" + TOKENS, "-query.url=nope")
                .contains("-query.url"));
        assertTrue(error("-remoteWrite.url=http://a/w", "-auth.tokensFile=" + TOKENS, "-maxRequestBytes=lots")
                .contains("-maxRequestBytes"));
        assertTrue(error("-remoteWrite.url=http://a/w", "-auth.tokensFile=" + TOKENS, "-httpListenAddr=8427")
                .contains("-httpListenAddr"));
        assertTrue(error("-remoteWrite.url=http://a/w", "-auth.tokensFile=" + TOKENS, "-wal.maxDiskBytes=-3")
                .contains("-wal.maxDiskBytes"));
    }
}
