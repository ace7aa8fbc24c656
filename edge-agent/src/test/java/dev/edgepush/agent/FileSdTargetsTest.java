package dev.edgepush.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.agent.scrape.ScrapeTarget;
import dev.edgepush.compat.ScrapeConfig;
import dev.edgepush.compat.ScrapeConfigReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSdTargetsTest {
    @TempDir
    Path dir;

    final List<String> errors = new ArrayList<>();

    private FileSdTargets discovery(ScrapeConfig config) {
        return new FileSdTargets(config, dir, errors::add);
    }

    private ScrapeConfig config() throws Exception {
        Path config = dir.resolve("scrape.yml");
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "scrape_configs:",
                        "  - job_name: sd",
                        "    static_configs: [{targets: ['static:1']}]",
                        "    file_sd_configs: [{files: ['sd/*.json', 'sd/*.yml']}]",
                        "    relabel_configs:",
                        "      - {source_labels: [__meta_filepath], target_label: from}",
                        ""));
        return ScrapeConfigReader.read(config);
    }

    /** Writes and moves the mtime forward, so that a rewrite within the same millisecond is seen. */
    private void write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        long before = Files.exists(p) ? Files.getLastModifiedTime(p).toMillis() : 0;
        Files.writeString(p, text);
        Files.setLastModifiedTime(p, FileTime.fromMillis(Math.max(before + 1000, System.currentTimeMillis())));
    }

    private List<String> instances(ScrapeConfig config, FileSdTargets sd) {
        return JobTargets.targets(config, sd::targets).stream()
                .map(t -> t.instance() + " " + t.targetLabels().getOrDefault("from", "") + " "
                        + t.targetLabels().getOrDefault("room", ""))
                .toList();
    }

    @Test
    void targetsComeAndGoWithTheFilesAndRelabelingSeesMetaFilepath() throws Exception {
        ScrapeConfig config = config();
        FileSdTargets sd = discovery(config);
        assertFalse(sd.refresh(), "no files yet: only the static target");
        assertEquals(List.of("static:1  "), instances(config, sd));

        write("sd/a.json", "[{\"targets\": [\"a:1\", \"b:1\"], \"labels\": {\"room\": \"lab\"}}]");
        write("sd/b.yml", "- targets: ['c:1']\n");
        assertTrue(sd.refresh());
        assertEquals(
                List.of("static:1  ", "a:1 sd/a.json lab", "b:1 sd/a.json lab", "c:1 sd/b.yml "),
                instances(config, sd));
        assertFalse(sd.refresh(), "unchanged files are not re-read");

        write("sd/a.json", "[{\"targets\": [\"a:1\"], \"labels\": {\"room\": \"lab\"}}]");
        Files.delete(dir.resolve("sd/b.yml"));
        assertTrue(sd.refresh());
        assertEquals(List.of("static:1  ", "a:1 sd/a.json lab"), instances(config, sd));
        assertEquals(List.of(), errors);
    }

    @Test
    void aBrokenFileKeepsItsPreviousTargetsAndTheErrorNamesFileAndLineOnce() throws Exception {
        ScrapeConfig config = config();
        FileSdTargets sd = discovery(config);
        write("sd/a.yml", "- targets: ['a:1']\n");
        assertTrue(sd.refresh());
        write("sd/a.yml", "- targets: ['a:1']\n- targets: ['b:1']\n  lables: {}\n");
        assertFalse(sd.refresh(), "the targets did not change");
        assertEquals(List.of("static:1  ", "a:1 sd/a.yml "), instances(config, sd));
        assertEquals(1, errors.size());
        assertTrue(
                errors.get(0).startsWith(dir.resolve("sd/a.yml") + ":3: [1]: unknown field 'lables'"), errors.get(0));
        assertTrue(errors.get(0).endsWith("keeping the 1 targets of its last good read"), errors.get(0));
        sd.refresh();
        assertEquals(1, errors.size(), "reported once");
        write("sd/a.yml", "- targets: ['b:1']\n");
        assertTrue(sd.refresh());
        assertEquals(List.of("static:1  ", "b:1 sd/a.yml "), instances(config, sd));
    }

    @Test
    void theAgentBuildsScrapeTargetsWithTheJobsSettings() throws Exception {
        Path config = dir.resolve("s.yml");
        Files.writeString(
                config,
                "scrape_configs:\n  - job_name: p\n    params: {m: [x]}\n    sample_limit: 5\n"
                        + "    bearer_token: t\n    static_configs: [{targets: ['h:1']}]\n");
        ScrapeTarget t = JobTargets.targets(ScrapeConfigReader.read(config)).get(0);
        assertEquals("http://h:1/metrics?m=x", t.url().toString());
        assertEquals(5, t.sampleLimit());
        assertEquals("t", t.auth().bearerToken());
    }
}
