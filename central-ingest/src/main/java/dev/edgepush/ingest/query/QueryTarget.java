package dev.edgepush.ingest.query;

import java.net.URI;

/**
 * Where the query proxy sends a request: {@code -query.url}, the base under which
 * VictoriaMetrics serves {@code /api/v1/...}, mirroring {@code -remoteWrite.url}:
 *
 * <ul>
 *   <li>single node: {@code http://vm:8428} (or {@code http://vm:8428/prometheus}); no tenants, so
 *       every reader sees everything stored there;
 *   <li>cluster: {@code http://vmselect:8481/select/{tenant}/prometheus}; {@code {tenant}} is
 *       replaced by the reader token's tenant, so a reader sees its tenant only.
 * </ul>
 *
 * <p>VMUI lives next to the API: the base without a trailing {@code /prometheus}, plus {@code
 * /vmui} ({@code http://vm:8428/vmui/}, {@code http://vmselect:8481/select/42/vmui/}). Immutable.
 */
public final class QueryTarget {
    public static final String TENANT_PLACEHOLDER = "{tenant}";
    private static final String PROMETHEUS_SUFFIX = "/prometheus";
    private final String base;

    private QueryTarget(String base) {
        this.base = base;
    }

    /**
     * Checks and keeps {@code url}.
     *
     * @throws IllegalArgumentException naming what is wrong, with an example
     */
    public static QueryTarget parse(String url) {
        String trimmed = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        URI u;
        try {
            u = URI.create(trimmed.replace(TENANT_PLACEHOLDER, "0"));
        } catch (IllegalArgumentException e) {
            u = null;
        }
        if (u == null
                || !("http".equals(u.getScheme()) || "https".equals(u.getScheme()))
                || u.getHost() == null
                || u.getRawQuery() != null
                || u.getRawFragment() != null) {
            throw new IllegalArgumentException("not an http(s) base URL without query, e.g. http://127.0.0.1:8428 or "
                    + "http://vmselect:8481/select/{tenant}/prometheus");
        }
        int at = trimmed.indexOf(TENANT_PLACEHOLDER);
        int pathStart = trimmed.indexOf('/', trimmed.indexOf("//") + 2);
        if (at >= 0 && (pathStart < 0 || at < pathStart)) {
            throw new IllegalArgumentException(
                    "{tenant} belongs in the path, e.g. http://vmselect:8481/select/{tenant}/prometheus");
        }
        if (trimmed.contains("/api/v1")) {
            throw new IllegalArgumentException("give the base URL without /api/v1/..., e.g. http://127.0.0.1:8428");
        }
        return new QueryTarget(trimmed);
    }

    /** Whether {@code {tenant}} is in the URL (vmselect), which is what isolates tenants. */
    public boolean perTenant() {
        return base.contains(TENANT_PLACEHOLDER);
    }

    /**
     * One upstream request's address. {@code pathAndQuery} is sent as it was received (still
     * percent-encoded, brackets and all), which is why this is not a {@link URI}.
     */
    public record Address(boolean https, String host, int port, String pathAndQuery) {
        /** The {@code Host} header value. */
        public String hostHeader() {
            boolean defaultPort = port == (https ? 443 : 80);
            String h = host.contains(":") ? "[" + host + "]" : host;
            return defaultPort ? h : h + ":" + port;
        }
    }

    /**
     * The upstream address of a query API call.
     *
     * @param apiPath from {@code /api/v1} on, as received, e.g. {@code /api/v1/query}
     * @param rawQuery the query string as received (still encoded), or null
     */
    public Address api(String tenant, String apiPath, String rawQuery) {
        return address(base(tenant), apiPath, rawQuery);
    }

    /** The upstream address of a VMUI path ({@code /vmui...}). */
    public Address vmui(String tenant, String vmuiPath, String rawQuery) {
        String b = base(tenant);
        if (b.endsWith(PROMETHEUS_SUFFIX)) {
            b = b.substring(0, b.length() - PROMETHEUS_SUFFIX.length());
        }
        return address(b, vmuiPath, rawQuery);
    }

    private static Address address(String base, String path, String rawQuery) {
        URI u = URI.create(base);
        boolean https = "https".equals(u.getScheme());
        int port = u.getPort() > 0 ? u.getPort() : https ? 443 : 80;
        String host = u.getHost().startsWith("[")
                ? u.getHost().substring(1, u.getHost().length() - 1)
                : u.getHost();
        String basePath = u.getRawPath() == null ? "" : u.getRawPath();
        return new Address(https, host, port, basePath + path + (rawQuery == null ? "" : "?" + rawQuery));
    }

    private String base(String tenant) {
        return base.replace(TENANT_PLACEHOLDER, tenant);
    }

    @Override
    public String toString() {
        return base;
    }
}
