package dev.edgepush.ingest.http;

import io.netty.util.AttributeKey;

/**
 * The route a request matched and the tenant its path names (null when the path has none). Set
 * on the channel by {@link RouteHandler} for the request being read; later handlers read it.
 */
public record RouteMatch(Route route, String pathTenant) {
    public static final AttributeKey<RouteMatch> KEY = AttributeKey.valueOf("edgepush.route");

    public boolean is(String routeName) {
        return route.name().equals(routeName);
    }
}
