package dev.edgepush.net.http;

/**
 * The value of {@code -httpListenAddr}, Go's form: {@code host:port}, {@code :port} (every
 * address) or {@code [v6]:port}.
 *
 * @param host the address to bind, {@code 0.0.0.0} for every address; IPv6 without brackets
 */
public record ListenAddress(String host, int port) {
    /**
     * Parses {@code value}; the exception's message is one line naming the flag, with {@code
     * example} (e.g. {@code :8427}) as the value to give.
     */
    public static ListenAddress parse(String value, String example) {
        int colon = value.lastIndexOf(':');
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
            if (colon < 0 || port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "-httpListenAddr=" + value + ": expected host:port or :port, e.g. " + example);
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new ListenAddress(host.isEmpty() ? "0.0.0.0" : host, port);
    }
}
