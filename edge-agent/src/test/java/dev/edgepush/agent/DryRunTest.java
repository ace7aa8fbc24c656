package dev.edgepush.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DryRunTest {
    @TempDir
    Path dir;

    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int dryRun(String... args) throws Exception {
        AgentFlags.Config cfg = AgentFlags.parse(args).validate();
        assertTrue(cfg.dryRun());
        return DryRun.check(
                cfg,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aValidConfigExitsZeroWithoutARemoteWriteUrl() throws Exception {
        Path config = dir.resolve("scrape.yml");
        Files.writeString(
                config,
                "scrape_configs:\n  - job_name: a\n    static_configs: [{targets: ['h:1']}]\n"
                        + "    file_sd_configs: [{files: ['sd/*.json']}]\n");
        Files.createDirectories(dir.resolve("sd"));
        Files.writeString(dir.resolve("sd/ok.json"), "[{\"targets\": [\"x:1\"]}]");
        assertEquals(0, dryRun("-dryRun", "-promscrape.config=" + config));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("is valid: 1 job, 1 file_sd file"));
    }

    @Test
    void aBadConfigExitsOneWithFileAndLine() throws Exception {
        Path config = dir.resolve("scrape.yml");
        Files.writeString(config, "scrape_configs:\n  - job_name: a\n    scrape_intervl: 5s\n");
        assertEquals(1, dryRun("-dryRun", "-promscrape.config=" + config));
        assertTrue(err().contains(config + ":3: scrape_configs[0]: unknown field 'scrape_intervl'"), err());
    }

    @Test
    void withoutStrictParseAnUnknownKeyIsAWarning() throws Exception {
        Path config = dir.resolve("scrape.yml");
        Files.writeString(config, "scrape_configs:\n  - job_name: a\n    scrape_intervl: 5s\n");
        assertEquals(0, dryRun("-dryRun=true", "-promscrape.config.strictParse=false", "-promscrape.config=" + config));
        assertTrue(err().contains("warning: " + config + ":3:"), err());
    }

    @Test
    void everyBrokenFileSdFileIsReported() throws Exception {
        Path config = dir.resolve("scrape.yml");
        Files.writeString(config, "scrape_configs:\n  - job_name: a\n    file_sd_configs: [{files: ['*.json']}]\n");
        Files.writeString(dir.resolve("a.json"), "[{\"targets\": [\"x:1:2\"]}]");
        Files.writeString(dir.resolve("b.json"), "[{\"target\": [\"x:1\"]}]");
        assertEquals(1, dryRun("-dryRun", "-promscrape.config=" + config));
        assertTrue(err().contains(dir.resolve("a.json") + ":1: [0].targets[0]: 'x:1:2' is not host:port"), err());
        assertTrue(err().contains(dir.resolve("b.json") + ":1: [0]: unknown field 'target'"), err());
    }

    @Test
    void theNewScrapeFlagsHaveVmagentsDefaults() throws Exception {
        AgentFlags.Config cfg = AgentFlags.parse(new String[] {"-remoteWrite.url=http://h/api/v1/write"})
                .validate();
        assertEquals(Duration.ofMinutes(5), cfg.fileSdCheckInterval()); // what vmagent 1.79.5 (Debian) says in -help
        assertTrue(cfg.strictParse());
        assertEquals(false, cfg.suppressScrapeErrors());
        assertEquals(false, cfg.dryRun());
        assertEquals(false, cfg.disableKeepAlive());
        cfg = AgentFlags.parse(new String[] {
                    "-remoteWrite.url=http://h/api/v1/write",
                    "-promscrape.suppressScrapeErrors",
                    "-promscrape.fileSDCheckInterval=5s",
                    "-promscrape.disableKeepAlive"
                })
                .validate();
        assertTrue(cfg.suppressScrapeErrors());
        assertTrue(cfg.disableKeepAlive());
        assertEquals(
                false,
                AgentFlags.parse(new String[] {
                            "-remoteWrite.url=http://h/api/v1/write", "-promscrape.disableKeepAlive=false"
                        })
                        .validate()
                        .disableKeepAlive());
        assertEquals(Duration.ofSeconds(5), cfg.fileSdCheckInterval());
    }

    @Test
    void filesTheScrapeConfigNamesAreCheckedAsVmagentDoes() throws Exception {
        Path config = dir.resolve("scrape.yml");
        Files.writeString(
                config,
                "scrape_configs:\n"
                        + "  - job_name: a\n    bearer_token_file: token\n    static_configs: [{targets: ['h:1']}]\n"
                        + "  - job_name: b\n    scheme: https\n    tls_config: {ca_file: ca.pem}\n"
                        + "    static_configs: [{targets: ['h:1']}]\n");
        assertEquals(1, dryRun("-dryRun", "-promscrape.config=" + config));
        // vmagent 1.79.5 refuses a config whose ca_file is missing, and reads bearer_token_file at each scrape
        assertTrue(
                err().contains("edge-agent: " + config + ": job 'b': tls_config.ca_file " + dir.resolve("ca.pem")
                        + ": no such file"),
                err());
        assertTrue(
                err().contains("edge-agent: warning: " + config + ": job 'a': bearer_token_file " + dir.resolve("token")
                        + ": no such file; every scrape of this job fails until it is there"),
                err());
        assertTrue(err().contains("edge-agent: -dryRun: 1 error"), err());
    }
}
