package dev.edgepush.ingest.http;

import io.netty.handler.codec.http.HttpMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;

/**
 * The route table, in match order. New endpoints (query proxy, fleet page) add their {@link
 * Route} here and their handler to the pipeline in {@link IngestServer}.
 */
public final class Routes {
    private final List<Route> routes;

    public Routes(List<Route> routes) {
        this.routes = List.copyOf(routes);
    }

    /** Every method a closed path refuses alike (OPTIONS preflights are answered before routing). */
    static final Set<HttpMethod> ANY_METHOD = Set.of(
            HttpMethod.GET,
            HttpMethod.HEAD,
            HttpMethod.POST,
            HttpMethod.PUT,
            HttpMethod.DELETE,
            HttpMethod.PATCH,
            HttpMethod.OPTIONS);

    /** The ingest endpoints plus /metrics and /health. */
    public static List<Route> ingestRoutes() {
        List<Route> r = new ArrayList<>();
        r.add(Route.of(Route.WRITE, HttpMethod.POST, Route.INSERT_PREFIX + "/api/v1/write", Route.Access.ROBOT));
        r.add(Route.of(
                Route.IMPORT_PROMETHEUS,
                HttpMethod.POST,
                Route.INSERT_PREFIX + "/api/v1/import/prometheus",
                Route.Access.ROBOT));
        r.add(Route.of(Route.METRICS, HttpMethod.GET, "/metrics", Route.Access.PUBLIC));
        r.add(Route.of(Route.HEALTH, HttpMethod.GET, "/health", Route.Access.PUBLIC));
        return r;
    }

    /** Everything the server answers: the ingest routes, the query proxy and VMUI, the fleet view. */
    public static List<Route> allRoutes() {
        List<Route> r = ingestRoutes();
        r.add(Route.of(Route.QUERY, Set.of(HttpMethod.GET, HttpMethod.POST), Route.QUERY_PATH, Route.Access.READER));
        r.add(Route.of(Route.VMUI, HttpMethod.GET, Route.VMUI_PATH, Route.Access.READER));
        r.add(Route.of(Route.VMALERT, HttpMethod.GET, Route.VMALERT_PATH, Route.Access.READER));
        r.add(Route.of(Route.FLEET_JSON, HttpMethod.GET, "/api/v1/fleet", Route.Access.READER));
        r.add(Route.of(Route.FLEET_EVENTS, HttpMethod.GET, "/api/v1/fleet/events", Route.Access.READER));
        r.add(Route.of(Route.FLEET_PAGE, HttpMethod.GET, "/fleet", Route.Access.READER));
        r.add(Route.of(Route.FLEET_ASSET, HttpMethod.GET, "/fleet/assets/[A-Za-z0-9.]+", Route.Access.READER));
        // Last: a robot's POST /api/v1/write matched its route above; anything else on these paths is closed.
        r.add(Route.of(Route.CLOSED, ANY_METHOD, Route.CLOSED_PATH, Route.Access.PUBLIC));
        return r;
    }

    /** Result of a lookup: a match, or why there is none. */
    public sealed interface Lookup {
        record Found(RouteMatch match) implements Lookup {}

        record WrongMethod(Route route) implements Lookup {}

        record NotFound() implements Lookup {}
    }

    public Lookup lookup(HttpMethod method, String path) {
        Route wrongMethod = null;
        for (Route route : routes) {
            Matcher m = route.path().matcher(path);
            if (!m.matches()) {
                continue;
            }
            if (wrongMethod != null && route.name().equals(Route.CLOSED)) {
                break; // GET on a robot's write path: 405 says more than "closed"
            }
            if (!route.methods().contains(method)) {
                wrongMethod = wrongMethod == null ? route : wrongMethod;
                continue;
            }
            String tenant = route.path().pattern().contains("?<tenant>") ? m.group("tenant") : null;
            return new Lookup.Found(new RouteMatch(route, tenant));
        }
        return wrongMethod != null ? new Lookup.WrongMethod(wrongMethod) : new Lookup.NotFound();
    }
}
