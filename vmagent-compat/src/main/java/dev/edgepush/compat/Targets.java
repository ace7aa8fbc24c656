package dev.edgepush.compat;

/** Checks static targets and adds the scheme's default port, as Prometheus does. */
final class Targets {

    private static final String BRACKETS_HINT = " (write IPv6 addresses in brackets, e.g. [::1]:9100)";

    private Targets() {}

    /**
     * Returns {@code raw} as {@code host:port}, adding port 80 (http) or 443 (https) if it has none.
     *
     * @throws IllegalArgumentException with a message naming {@code raw}
     */
    static String normalize(String raw, String scheme) {
        String bad = "'" + raw + "' is not host:port";
        if (raw.isEmpty()) {
            throw new IllegalArgumentException("target must not be empty; write host:port, e.g. localhost:9100");
        }
        if (raw.contains("/")) {
            throw new IllegalArgumentException(
                    bad + ": write only host:port and set scheme and metrics_path" + " on the job");
        }
        String host;
        String port;
        boolean ipv6 = raw.startsWith("[");
        if (ipv6) {
            int close = raw.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException(bad + ": missing ']'");
            }
            host = raw.substring(1, close);
            String rest = raw.substring(close + 1);
            if (rest.isEmpty()) {
                port = null;
            } else if (rest.startsWith(":")) {
                port = rest.substring(1);
            } else {
                throw new IllegalArgumentException(bad);
            }
            if (host.isEmpty() || !host.contains(":") || !host.matches("[0-9a-fA-F:.]+(%[A-Za-z0-9_.-]+)?")) {
                throw new IllegalArgumentException(bad + ": '" + host + "' is not an IPv6 address");
            }
        } else {
            int colon = raw.indexOf(':');
            if (colon >= 0 && raw.indexOf(':', colon + 1) >= 0) {
                throw new IllegalArgumentException(bad + BRACKETS_HINT);
            }
            host = colon < 0 ? raw : raw.substring(0, colon);
            port = colon < 0 ? null : raw.substring(colon + 1);
            if (!host.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException(bad + ": '" + host + "' is not a host name or IP address");
            }
        }
        if (port == null) {
            return raw + ":" + ("https".equals(scheme) ? "443" : "80");
        }
        if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            throw new IllegalArgumentException(bad + ": port '" + port + "' is not a number from 1 to 65535");
        }
        return raw;
    }
}
