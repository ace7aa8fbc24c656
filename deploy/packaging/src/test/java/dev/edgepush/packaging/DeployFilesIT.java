package dev.edgepush.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * deploy/compose validated with Debian's docker-compose (no Docker engine here: it is not run),
 * deploy/kubernetes rendered with kubectl kustomize (offline) and its objects sanity-checked
 * (KubernetesSchemaIT checks the same rendered objects against the Kubernetes API schema).
 */
class DeployFilesIT {
    /** The tag the package phase gives the central-ingest image (deploy/packaging/pom.xml). */
    static final String INGEST_IMAGE = "edgepush/central-ingest:" + Packages.MAVEN_VERSION;

    @TempDir
    Path tmp;

    @Test
    @SuppressWarnings("unchecked")
    void composeValidates() throws IOException {
        String compose = Cmd.require("docker-compose", "docker-compose");
        Path dir = Files.createDirectories(tmp.resolve("compose"));
        DebBuilder.copyTree(Packages.ROOT.resolve("deploy/compose"), dir);
        // vmalert mounts ../alerts/edgepush-rules.yml: the copy keeps deploy/'s layout
        DebBuilder.copyTree(Packages.ROOT.resolve("deploy/alerts"), Files.createDirectories(tmp.resolve("alerts")));
        DebBuilder.copyTree(
                Packages.ROOT.resolve("deploy/dashboards"), Files.createDirectories(tmp.resolve("dashboards")));
        Files.writeString(dir.resolve("tokens"), "");
        // Grafana needs a reader token: without one the stack does not start, and says how to make one
        Cmd.Result noToken = Cmd.run(List.of(compose, "config"), Map.of(), dir);
        assertTrue(
                noToken.exit() != 0 && noToken.err().contains("central-ingest token add reader grafana"),
                noToken.err());
        Cmd.Result r = Cmd.run(List.of(compose, "config"), Map.of("EDGEPUSH_READER_TOKEN", "t0ken"), dir)
                .ok(List.of(compose, "config"));
        Map<String, Object> doc = new Yaml().load(r.out());
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) doc.get("services");
        assertEquals(
                List.of("alertmanager", "central-ingest", "grafana", "victoriametrics", "vmalert"),
                services.keySet().stream().sorted().toList());
        for (Map.Entry<String, Map<String, Object>> s : services.entrySet()) {
            assertTrue(s.getValue().containsKey("healthcheck"), s.getKey() + " has a health check");
            assertTrue(s.getValue().containsKey("mem_limit"), s.getKey() + " has a memory limit");
        }
        assertTrue(
                String.valueOf(services.get("central-ingest").get("volumes")).contains("/var/lib/central-ingest"),
                "the WAL is on a volume");
        // the image the build makes with Jib (ImageIT runs it), not one built from a Dockerfile
        Map<String, Object> ingest = services.get("central-ingest");
        assertEquals(INGEST_IMAGE, ingest.get("image"));
        assertTrue(!ingest.containsKey("build"), "no Dockerfile build: " + ingest);
        // no shell in the image: the health check is the image's own class (ImageIT runs it there too)
        List<String> check = (List<String>) ((Map<String, Object>) ingest.get("healthcheck")).get("test");
        assertEquals(List.of("CMD", "/opt/java/bin/java"), check.subList(0, 2), check.toString());
        assertEquals(
                List.of("-cp", "/opt/healthcheck", HealthCheck.class.getName(), "8427"),
                check.subList(check.size() - 4, check.size()));

        // vmalert evaluates the project's rules (not a copy of some of them): the mounted file is
        // deploy/alerts/edgepush-rules.yml, and the real vmalert reads it (-dryRun checks and exits).
        Path rules = Path.of(mountSource(services.get("vmalert"), "/etc/vmalert/rules.yml"));
        assertEquals(
                Files.readString(Packages.ROOT.resolve("deploy/alerts/edgepush-rules.yml")), Files.readString(rules));
        Cmd.ok(Cmd.require("vmalert", "victoria-metrics"), "-rule=" + rules, "-dryRun");
        // VictoriaMetrics scrapes central-ingest as the job the rules read (central_ingest_* from job
        // "central-ingest"), checked by the real VictoriaMetrics (-promscrape.config.dryRun)
        List<String> vmArgs = (List<String>) services.get("victoriametrics").get("command");
        assertTrue(vmArgs.contains("-promscrape.config=/etc/victoriametrics/scrape.yml"), vmArgs.toString());
        Path scrape = Path.of(mountSource(services.get("victoriametrics"), "/etc/victoriametrics/scrape.yml"));
        Cmd.ok(
                Cmd.require("victoria-metrics", "victoria-metrics"),
                "-promscrape.config=" + scrape,
                "-promscrape.config.dryRun");
        Map<String, Object> job = ((List<Map<String, Object>>) new Yaml()
                        .<Map<String, Object>>load(Files.readString(scrape))
                        .get("scrape_configs"))
                .get(0);
        assertEquals("central-ingest", job.get("job_name"));
        assertEquals(List.of(Map.of("targets", List.of("central-ingest:8427"))), job.get("static_configs"));

        // Grafana: the data source goes through central-ingest with the reader token; the provider's
        // folder holds the three dashboards, which are the project's files.
        Map<String, Object> grafana = services.get("grafana");
        assertEquals(Map.of("EDGEPUSH_READER_TOKEN", "t0ken"), grafana.get("environment"));
        Map<String, Object> source = ((List<Map<String, Object>>) new Yaml()
                        .<Map<String, Object>>load(Files.readString(
                                Path.of(mountSource(grafana, "/etc/grafana/provisioning/datasources/edgepush.yml"))))
                        .get("datasources"))
                .get(0);
        assertEquals("http://central-ingest:8427/prometheus", source.get("url"));
        assertEquals(Map.of("httpHeaderValue1", "Bearer $EDGEPUSH_READER_TOKEN"), source.get("secureJsonData"));
        Map<String, Object> provider = ((List<Map<String, Object>>) new Yaml()
                        .<Map<String, Object>>load(Files.readString(
                                Path.of(mountSource(grafana, "/etc/grafana/provisioning/dashboards/edgepush.yml"))))
                        .get("providers"))
                .get(0);
        String folder = (String) ((Map<String, Object>) provider.get("options")).get("path");
        for (String board : List.of("edgepush-fleet.json", "edgepush-robot.json", "edgepush-ingest.json")) {
            assertEquals(
                    Files.readString(Packages.ROOT.resolve("deploy/dashboards/" + board)),
                    Files.readString(Path.of(mountSource(grafana, folder + "/" + board))),
                    board);
        }
    }

    /** The host path bound at {@code target} in a service as docker-compose config resolves it. */
    private static String mountSource(Map<String, Object> service, String target) {
        for (Object v : (List<?>) service.get("volumes")) {
            String s = String.valueOf(v);
            if (s.contains(":" + target)) {
                return s.substring(0, s.indexOf(':' + target));
            }
        }
        throw new AssertionError("nothing mounted at " + target + ": " + service.get("volumes"));
    }

    @Test
    void kustomizeBaseRenders() {
        List<Map<String, Object>> objects = render("base");
        assertKinds(objects);
        assertTrue(String.valueOf(find(objects, "ConfigMap")).contains("http://victoria-metrics:8428/api/v1/write"));
    }

    @Test
    void kustomizeClusterOverlayRenders() {
        List<Map<String, Object>> objects = render("overlays/vm-cluster");
        assertKinds(objects);
        String config = String.valueOf(find(objects, "ConfigMap"));
        assertTrue(config.contains("/insert/{tenant}/prometheus/api/v1/write"), config);
        assertTrue(config.contains("vmselect"), config);
    }

    @SuppressWarnings("unchecked")
    private static void assertKinds(List<Map<String, Object>> objects) {
        assertEquals(
                List.of("ConfigMap", "PodDisruptionBudget", "Secret", "Service", "StatefulSet"),
                objects.stream().map(o -> (String) o.get("kind")).sorted().toList());
        for (Map<String, Object> o : objects) {
            assertTrue(
                    o.get("apiVersion") instanceof String
                            && ((Map<String, Object>) o.get("metadata")).get("name") != null,
                    o.toString());
        }
        Map<String, Object> sts = find(objects, "StatefulSet");
        Map<String, Object> spec = (Map<String, Object>) sts.get("spec");
        assertEquals(1, ((List<?>) spec.get("volumeClaimTemplates")).size(), "a PVC per replica for the WAL");
        Map<String, Object> pod = (Map<String, Object>) ((Map<String, Object>) spec.get("template")).get("spec");
        assertTrue(((Number) pod.get("terminationGracePeriodSeconds")).intValue() >= 30);
        Map<String, Object> c = ((List<Map<String, Object>>) pod.get("containers")).get(0);
        assertEquals(
                "/health",
                ((Map<String, Object>) ((Map<String, Object>) c.get("readinessProbe")).get("httpGet")).get("path"));
        assertEquals(INGEST_IMAGE, c.get("image"), "the image the build makes");
        assertEquals(
                ImageIT.UID, ((Map<String, Object>) pod.get("securityContext")).get("runAsUser"), "the image's user");
        assertTrue(((Map<String, Object>) c.get("resources")).containsKey("limits"));
        String secretName = String.valueOf(find(objects, "Secret").get("metadata"));
        assertTrue(
                String.valueOf(pod.get("volumes")).contains("central-ingest-tokens-"),
                "tokens from the generated Secret " + secretName);
        Map<String, Object> service =
                (Map<String, Object>) find(objects, "Service").get("spec");
        assertEquals(Map.of("app", "central-ingest"), service.get("selector"));
    }

    private static Map<String, Object> find(List<Map<String, Object>> objects, String kind) {
        return objects.stream()
                .filter(o -> kind.equals(o.get("kind")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind));
    }

    /** The objects {@code kubectl kustomize} renders from deploy/kubernetes/{@code dir}, in its order. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> render(String dir) {
        List<String> cmd = List.of(
                Cmd.requireOr(
                        "kubectl",
                        "not a Debian package: the machine image has it; elsewhere install it from the Kubernetes apt repository"),
                "kustomize",
                Packages.ROOT.resolve("deploy/kubernetes/" + dir).toString());
        Cmd.Result r = Cmd.run(cmd).ok(cmd);
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Object o : new Yaml().loadAll(r.out())) {
            objects.add((Map<String, Object>) o);
        }
        return objects;
    }
}
