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

  /** The cluster path prefix VictoriaMetrics' vminsert uses: {@code /insert/<accountID>/prometheus}. */
  public static final String INSERT_PREFIX = "(?:/insert/(?<tenant>[^/]+)/prometheus|/prometheus)?";

  public static Route of(String name, HttpMethod method, String pathRegex, Access access) {
    return new Route(name, Set.of(method), Pattern.compile(pathRegex), access);
  }
}
