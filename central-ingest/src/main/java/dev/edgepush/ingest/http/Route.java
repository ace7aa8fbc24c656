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
    public static final String FLEET_EVENTS = "fleet_events";
    public static final String FLEET_ASSET = "fleet_asset";

    /** The cluster path prefix VictoriaMetrics' vminsert uses: {@code /insert/<accountID>/prometheus}. */
    public static final String INSERT_PREFIX = "(?:/insert/(?<tenant>[^/]+)/prometheus|/prometheus)?";

    public static final String VMALERT = "vmalert";
    public static final String CLOSED = "closed";

    /**
     * The prefixes under which the reader door answers, as VictoriaMetrics names them: none and
     * {@code /prometheus} (single node), {@code /select/<accountID>/prometheus} (vmselect; the
     * accountID is checked against the reader token's tenant).
     */
    public static final String READ_PREFIX = "(?:/select/(?<tenant>[^/]+)/prometheus|/prometheus)?";

    /**
     * The read-only API paths proxied to {@code -query.url}: everything VMUI and Grafana's
     * Prometheus data source ask for; group {@code api} is the part after the prefix, appended to
     * {@code -query.url} as is. The list is in central-ingest/README.md ("Querying: the reader door").
     */
    public static final String QUERY_PATH = READ_PREFIX
            + "(?<api>/api/v1/(?:query|query_range|query_exemplars|series|series/count|labels|label/[^/]+/values"
            + "|export|export/csv|export/native|metadata|status/tsdb|status/buildinfo|status/top_queries"
            + "|status/active_queries|status/metric_names_stats)"
            + "|/expand-with-exprs|/prettify-query|/metric-relabel-debug)";

    /**
     * VMUI (its assets and its config paths {@code config.json}, {@code timezone}, {@code
     * custom-dashboards}): {@code /vmui/...}, {@code /prometheus/vmui/...}, {@code
     * /select/<accountID>/vmui/...} or {@code /select/<accountID>/prometheus/vmui/...}.
     */
    public static final String VMUI_PATH =
            "(?:/select/(?<tenant>[^/]+)(?:/prometheus)?|/prometheus)?(?<api>/vmui(?:/.*)?)";

    /**
     * vmalert's UI and API ({@code /vmalert/...}) and the Prometheus rules and alerts API: to
     * {@code -vmalert.proxyURL} when it is set; without it {@code /vmalert/...} is closed (400, as
     * VictoriaMetrics answers) and rules/alerts go to {@code -query.url} (VictoriaMetrics answers
     * an empty list).
     */
    public static final String VMALERT_PATH = READ_PREFIX + "(?<api>/vmalert(?:/.*)?|/api/v1/(?:rules|alerts))";

    /**
     * Closed through the reader door whatever the token (403): admin, write and import paths
     * other than the robots' own, and VictoriaMetrics' own configuration pages. The list is in
     * central-ingest/README.md ("Querying: the reader door").
     */
    public static final String CLOSED_PATH =
            "(?:/select/(?<tenant>[^/]+)/prometheus|/insert/[^/]+/prometheus|/prometheus)?"
                    + "(?<api>/admin(?:/.*)?|/api/v1/admin/.*|/internal/.*|/snapshot/.*|/-/.*"
                    + "|/api/v1/write|/api/v1/import(?:/.*)?|/write|/api/v2/write|/influx/.*|/api/put|/datadog/.*"
                    + "|/opentelemetry/.*|/newrelic/.*|/federate|/flags|/config|/targets|/service-discovery|/api/v1/targets"
                    + "|/api/v1/status/config|/api/v1/status/flags|/api/v1/status/runtimeinfo)";

    public static Route of(String name, HttpMethod method, String pathRegex, Access access) {
        return new Route(name, Set.of(method), Pattern.compile(pathRegex), access);
    }

    public static Route of(String name, Set<HttpMethod> methods, String pathRegex, Access access) {
        return new Route(name, methods, Pattern.compile(pathRegex), access);
    }
}
