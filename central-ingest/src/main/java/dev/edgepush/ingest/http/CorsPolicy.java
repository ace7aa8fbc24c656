package dev.edgepush.ingest.http;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which browser origins may call central-ingest ({@code -http.corsAllowedOrigins}). Off (no
 * origin) by default. A listed origin ({@code https://grafana.example.com}) is answered with
 * itself in {@code Access-Control-Allow-Origin} and {@code Access-Control-Allow-Credentials:
 * true}; {@code *} allows every origin without credentials (a token in the {@code
 * Authorization} header still works, the browser's stored basic auth does not). Immutable.
 */
public final class CorsPolicy {
    public static final CorsPolicy OFF = new CorsPolicy(Set.of(), false);
    private final Set<String> origins;
    private final boolean any;

    private CorsPolicy(Set<String> origins, boolean any) {
        this.origins = origins;
        this.any = any;
    }

    /**
     * @param values {@code *} or origins {@code scheme://host[:port]}, each possibly a comma-separated list
     * @throws IllegalArgumentException naming the bad value, with an example
     */
    public static CorsPolicy of(List<String> values) {
        Set<String> origins = new LinkedHashSet<>();
        boolean any = false;
        for (String value : values) {
            for (String v : value.split(",")) {
                String o = v.strip();
                if (o.isEmpty()) {
                    continue;
                }
                if (o.equals("*")) {
                    any = true;
                    continue;
                }
                if (!o.matches("(?i)https?://[^/?#\\s]+")) {
                    throw new IllegalArgumentException(
                            "'" + o + "' is not an origin: give scheme://host[:port] without a path,"
                                    + " e.g. https://grafana.example.com, or *");
                }
                origins.add(normalize(o));
            }
        }
        return origins.isEmpty() && !any ? OFF : new CorsPolicy(Set.copyOf(origins), any);
    }

    private static String normalize(String origin) {
        return origin.toLowerCase(Locale.ROOT);
    }

    public boolean enabled() {
        return any || !origins.isEmpty();
    }

    /** Whether a request from {@code origin} (the {@code Origin} header, may be null) may be answered to. */
    public boolean allows(String origin) {
        return origin != null && (listed(origin) || any);
    }

    /** Whether {@code origin} is listed by name: only then are credentials allowed. */
    public boolean listed(String origin) {
        return origin != null && origins.contains(normalize(origin));
    }

    /** The {@code Access-Control-Allow-Origin} value for an allowed {@code origin}. */
    public String allowOrigin(String origin) {
        return listed(origin) ? origin : "*";
    }

    @Override
    public String toString() {
        if (!enabled()) {
            return "off";
        }
        List<String> all = new java.util.ArrayList<>(origins);
        if (any) {
            all.add("*");
        }
        return String.join(",", all);
    }
}
