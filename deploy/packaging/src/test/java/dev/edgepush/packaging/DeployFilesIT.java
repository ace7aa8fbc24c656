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

  @TempDir Path tmp;

  @Test
  @SuppressWarnings("unchecked")
  void composeValidates() throws IOException {
    String compose = Cmd.require("docker-compose", "docker-compose");
    Path dir = Files.createDirectories(tmp.resolve("compose"));
    DebBuilder.copyTree(Packages.ROOT.resolve("deploy/compose"), dir);
    Files.writeString(dir.resolve("tokens"), "");
    Cmd.Result r = Cmd.run(List.of(compose, "config"), Map.of(), dir).ok(List.of(compose, "config"));
    Map<String, Object> doc = new Yaml().load(r.out());
    Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) doc.get("services");
    assertEquals(List.of("alertmanager", "central-ingest", "victoriametrics", "vmalert"),
        services.keySet().stream().sorted().toList());
    for (Map.Entry<String, Map<String, Object>> s : services.entrySet()) {
      assertTrue(s.getValue().containsKey("healthcheck"), s.getKey() + " has a health check");
      assertTrue(s.getValue().containsKey("mem_limit"), s.getKey() + " has a memory limit");
    }
    assertTrue(String.valueOf(services.get("central-ingest").get("volumes")).contains("/var/lib/central-ingest"),
        "the WAL is on a volume");
    // the image the build makes with Jib (ImageIT runs it), not one built from a Dockerfile
    Map<String, Object> ingest = services.get("central-ingest");
    assertEquals(INGEST_IMAGE, ingest.get("image"));
    assertTrue(!ingest.containsKey("build"), "no Dockerfile build: " + ingest);
    // no shell in the image: the health check is the image's own class (ImageIT runs it there too)
    List<String> check = (List<String>) ((Map<String, Object>) ingest.get("healthcheck")).get("test");
    assertEquals(List.of("CMD", "/opt/java/bin/java"), check.subList(0, 2), check.toString());
    assertEquals(List.of("-cp", "/opt/healthcheck", HealthCheck.class.getName(), "8427"), check.subList(check.size() - 4, check.size()));
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
    assertEquals(List.of("ConfigMap", "PodDisruptionBudget", "Secret", "Service", "StatefulSet"),
        objects.stream().map(o -> (String) o.get("kind")).sorted().toList());
    for (Map<String, Object> o : objects) {
      assertTrue(o.get("apiVersion") instanceof String && ((Map<String, Object>) o.get("metadata")).get("name") != null, o.toString());
    }
    Map<String, Object> sts = find(objects, "StatefulSet");
    Map<String, Object> spec = (Map<String, Object>) sts.get("spec");
    assertEquals(1, ((List<?>) spec.get("volumeClaimTemplates")).size(), "a PVC per replica for the WAL");
    Map<String, Object> pod = (Map<String, Object>) ((Map<String, Object>) spec.get("template")).get("spec");
    assertTrue(((Number) pod.get("terminationGracePeriodSeconds")).intValue() >= 30);
    Map<String, Object> c = ((List<Map<String, Object>>) pod.get("containers")).get(0);
    assertEquals("/health", ((Map<String, Object>) ((Map<String, Object>) c.get("readinessProbe")).get("httpGet")).get("path"));
    assertEquals(INGEST_IMAGE, c.get("image"), "the image the build makes");
    assertEquals(ImageIT.UID, ((Map<String, Object>) pod.get("securityContext")).get("runAsUser"), "the image's user");
    assertTrue(((Map<String, Object>) c.get("resources")).containsKey("limits"));
    String secretName = String.valueOf(find(objects, "Secret").get("metadata"));
    assertTrue(String.valueOf(pod.get("volumes")).contains("central-ingest-tokens-"), "tokens from the generated Secret " + secretName);
    Map<String, Object> service = (Map<String, Object>) find(objects, "Service").get("spec");
    assertEquals(Map.of("app", "central-ingest"), service.get("selector"));
  }

  private static Map<String, Object> find(List<Map<String, Object>> objects, String kind) {
    return objects.stream().filter(o -> kind.equals(o.get("kind"))).findFirst().orElseThrow(() -> new AssertionError("no " + kind));
  }

  /** The objects {@code kubectl kustomize} renders from deploy/kubernetes/{@code dir}, in its order. */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> render(String dir) {
    List<String> cmd = List.of(Cmd.require("kubectl", "kubectl (the Kubernetes apt repository) or the kubectl binary"),
        "kustomize", Packages.ROOT.resolve("deploy/kubernetes/" + dir).toString());
    Cmd.Result r = Cmd.run(cmd).ok(cmd);
    List<Map<String, Object>> objects = new ArrayList<>();
    for (Object o : new Yaml().loadAll(r.out())) {
      objects.add((Map<String, Object>) o);
    }
    return objects;
  }
}
