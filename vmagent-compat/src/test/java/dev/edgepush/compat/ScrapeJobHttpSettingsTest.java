package dev.edgepush.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** params, basic_auth, bearer tokens, tls_config, sample_limit, label_limit, file_sd_configs, strictParse. */
class ScrapeJobHttpSettingsTest {

    @TempDir
    Path dir;

    private ScrapeJob job(String body) throws Exception {
        Path config = dir.resolve("scrape.yml");
        Files.writeString(config, "scrape_configs:\n  - job_name: a\n" + body);
        return ScrapeConfigReader.read(config).jobs().get(0);
    }

    private ScrapeConfigException fails(String body, String fragment) {
        ScrapeConfigException e = assertThrows(ScrapeConfigException.class, () -> job(body));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
        assertTrue(e.getMessage().startsWith(dir.resolve("scrape.yml") + ":"), e.getMessage());
        return e;
    }

    @Test
    void readsParamsAuthTlsAndLimitsWithFilesRelativeToTheConfig() throws Exception {
        ScrapeJob job = job(String.join(
                "\n",
                "    params: {module: [http_2xx, extra], 'a b': ['x*~']}",
                "    basic_auth: {username: u, password_file: secrets/pw}",
                "    tls_config: {ca_file: ca.pem, cert_file: c.pem, key_file: k.pem, insecure_skip_verify: true,"
                        + " server_name: robot.local}",
                "    sample_limit: 100",
                "    label_limit: 20",
                ""));
        assertEquals(Map.of("module", List.of("http_2xx", "extra"), "a b", List.of("x*~")), job.params());
        assertEquals(new ScrapeAuth("u", null, dir.resolve("secrets/pw"), null, null), job.auth());
        assertEquals(
                new TlsConfig(dir.resolve("ca.pem"), dir.resolve("c.pem"), dir.resolve("k.pem"), true, "robot.local"),
                job.tls());
        assertEquals(100, job.sampleLimit());
        assertEquals(20, job.labelLimit());
        assertFalse(job.streamParse(), "stream_parse is off unless set");
    }

    @Test
    void readsVmagentsStreamParse() throws Exception {
        assertTrue(job("    stream_parse: true\n").streamParse());
        fails("    stream_parse: maybe\n", "stream_parse");
    }

    @Test
    void rejectsConflictingCredentialsAndHalfAClientCertificate() {
        fails("    bearer_token: t\n    bearer_token_file: f\n", "bearer_token and bearer_token_file are both set");
        fails("    bearer_token: t\n    basic_auth: {username: u}\n", "basic_auth and bearer_token(_file)");
        fails("    basic_auth: {username: u, password: p, password_file: f}\n", "password and password_file");
        fails("    tls_config: {cert_file: c.pem}\n", "cert_file and key_file go together");
        fails("    sample_limit: -1\n", "'-1' is not a whole number");
        fails("    basic_auth: {usernme: u}\n", "unknown field 'usernme' (did you mean 'username'?)");
    }

    @Test
    void paramsBecomeParamLabelsThatRelabelingCanChangeAndTheUrlIsEncodedLikeGo() throws Exception {
        ScrapeJob job = job(String.join(
                "\n",
                "    params: {module: [http_2xx, extra], 'a b': ['x*~ y']}",
                "    static_configs: [{targets: ['h:1']}]",
                "    relabel_configs:",
                "      - {source_labels: [__param_module], target_label: module}",
                "      - {target_label: __param_target, replacement: 'http://x/?q=1'}",
                "      - {target_label: __param_module, replacement: icmp}",
                ""));
        RelabeledTarget t = TargetRelabeling.apply(job, job.targets().get(0)).orElseThrow();
        assertEquals(
                "http://h:1/metrics?a+b=x%2A~+y&module=icmp&module=extra&target=http%3A%2F%2Fx%2F%3Fq%3D1", t.url());
        assertEquals("http_2xx", t.labels().get("module"));
    }

    @Test
    void fileSdFilesAreResolvedAgainstTheConfigDirectory() throws Exception {
        ScrapeJob job = job("    file_sd_configs: [{files: ['sd/*.json', /abs/t.yml]}]\n");
        assertEquals(List.of(dir.resolve("sd/*.json"), Path.of("/abs/t.yml")), job.fileSdFiles());
        fails("    file_sd_configs: [{files: [x.json], refresh_interval: 1m}]\n", "-promscrape.fileSDCheckInterval");
        fails("    file_sd_configs: [{files: ['*/x.json']}]\n", "a glob is allowed only in the file name");
    }

    @Test
    void readsJsonAndYamlTargetGroupsWithMetaFilepath() throws Exception {
        Files.createDirectories(dir.resolve("sd"));
        Files.writeString(
                dir.resolve("sd/a.json"),
                "[{\"targets\": [\"10.0.0.1:9100\", \"cam\"], \"labels\": {\"room\": \"lab\"}}]");
        Files.writeString(dir.resolve("sd/b.yml"), "- targets: ['[::1]:9100']\n");
        Files.writeString(dir.resolve("sd/c.txt"), "not a target file");
        List<Path> files = FileSdReader.expand(dir.resolve("sd/*.[jy]*"));
        assertEquals(List.of(dir.resolve("sd/a.json"), dir.resolve("sd/b.yml")), files);
        List<StaticTarget> a = FileSdReader.read(files.get(0), dir, "http");
        Map<String, String> labels = new TreeMap<>(Map.of("room", "lab", "__meta_filepath", "sd/a.json"));
        assertEquals(
                List.of(
                        new StaticTarget("10.0.0.1:9100", new TreeMap<>(labels)),
                        new StaticTarget("cam:80", new TreeMap<>(labels))),
                a);
        assertEquals(
                "[::1]:9100",
                FileSdReader.read(files.get(1), dir, "http").get(0).address());
        assertEquals(List.of(), FileSdReader.expand(dir.resolve("missing/*.json")));
        assertEquals("/elsewhere/x.json", FileSdReader.metaFilepath(Path.of("/elsewhere/x.json"), dir));
    }

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name.substring(1));
        Files.writeString(p, text);
        return p;
    }

    @Test
    void aBrokenTargetFileIsReportedWithFileAndLine() throws Exception {
        Path f = write("/t.yml", "- targets: ['a:1']\n- targets: ['b:1']\n  lables: {x: y}\n");
        ScrapeConfigException e = assertThrows(ScrapeConfigException.class, () -> FileSdReader.read(f, dir, "http"));
        assertEquals(f + ":3: [1]: unknown field 'lables' (did you mean 'labels'?)", e.getMessage());
        Path g = write("/t.json", "[{\"targets\": [\"a:1\"],}");
        e = assertThrows(ScrapeConfigException.class, () -> FileSdReader.read(g, dir, "http"));
        assertTrue(e.getMessage().startsWith(g + ":1: invalid YAML"), e.getMessage());
    }

    @Test
    void withoutStrictParseUnknownKeysAreSkippedWithAWarning() throws Exception {
        Path config = dir.resolve("scrape.yml");
        Files.writeString(config, "scrape_configs:\n  - job_name: a\n    new_key_of_v3: 1\n    scrape_interval: 5s\n");
        List<String> warnings = new ArrayList<>();
        ScrapeConfig c = ScrapeConfigReader.read(config, false, warnings::add);
        assertEquals(java.time.Duration.ofSeconds(5), c.jobs().get(0).scrapeInterval());
        assertEquals(
                List.of(config + ":3: scrape_configs[0]: unknown field 'new_key_of_v3'; skipped"
                        + " (-promscrape.config.strictParse=false)"),
                warnings);
        Files.writeString(config, "scrape_configs:\n  - job_name: a\n    oauth2: {}\n");
        assertThrows(ScrapeConfigException.class, () -> ScrapeConfigReader.read(config, false, warnings::add));
    }
}
