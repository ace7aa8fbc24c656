package dev.edgepush.ingest.http;

import io.netty.handler.codec.http.HttpMethod;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One endpoint: its name (what endpoint handlers look for), the methods and path it answers
 * (a regex; a group named {@code tenant} captures the accountID of a cluster-style path) and
 * who may call it.
 */
public record Route(String name, Set<HttpMethod> methods, Pattern path, Access access) {

  /** Who may call a route. */
  public enum Access {
    /** No token needed. */
    PUBLIC,
    /** A robot token; the robot writes as itself into its tenant. */
    ROBOT,
    /** A reader token, for its tenant. */
    READER
  }

  public static final String WRITE = "write";
  public static final String IMPORT_PROMETHEUS = "import_prometheus";
  public static final String METRICS = "metrics";
  public static final String HEALTH = "health";
  public static final String QUERY = "query";
  public static final String VMUI = "vmui";
  public static final String FLEET_JSON = "fleet_json";
  public static final String FLEET_PAGE = "fleet_page";

  /** The cluster path prefix VictoriaMetrics' vminsert uses: {@code /insert/<accountID>/prometheus}. */
  public static final String INSERT_PREFIX = "(?:/insert/(?<tenant>[^/]+)/prometheus|/prometheus)?";

  /**
   * The query API paths proxied to {@code -query.url}, as single-node VictoriaMetrics ({@code
   * /api/v1/...}, {@code /prometheus/api/v1/...}) and vmselect ({@code
   * /select/<accountID>/prometheus/api/v1/...}) name them; group {@code api} is the part from
   * {@code /api/v1} on.
   */
  public static final String QUERY_PATH = "(?:/select/(?<tenant>[^/]+)/prometheus|/prometheus)?"
      + "(?<api>/api/v1/(?:query|query_range|query_exemplars|series|labels|label/[^/]+/values|export|metadata"
      + "|status/tsdb|status/buildinfo))";

  /** VMUI, single-node ({@code /vmui/...}) or vmselect ({@code /select/<accountID>/vmui/...}) style. */
  public static final String VMUI_PATH = "(?:/select/(?<tenant>[^/]+))?(?<api>/vmui(?:/.*)?)";

  public static Route of(String name, HttpMethod method, String pathRegex, Access access) {
    return new Route(name, Set.of(method), Pattern.compile(pathRegex), access);
  }

  public static Route of(String name, Set<HttpMethod> methods, String pathRegex, Access access) {
    return new Route(name, methods, Pattern.compile(pathRegex), access);
  }
}
