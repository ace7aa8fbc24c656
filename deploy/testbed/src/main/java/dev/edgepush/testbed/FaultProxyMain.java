package dev.edgepush.testbed;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The fault proxy as a process, controlled over HTTP on {@code -control}:
 *
 * <pre>
 * POST /mode?m=pass|cut|blackhole|reset_mid_request
 * POST /latency?ms=N        POST /bandwidth?bps=N (new connections)   POST /reset-after?bytes=N
 * GET  /status              (JSON)
 * </pre>
 *
 * Flags: {@code -listen=127.0.0.1:PORT -upstream=HOST:PORT -control=127.0.0.1:PORT}. Prints
 * {@code fault-proxy listening on PORT control on PORT} once started.
 */
public final class FaultProxyMain {
    private FaultProxyMain() {}

    static InetSocketAddress address(String flag, String v) {
        int colon = v.lastIndexOf(':');
        try {
            return new InetSocketAddress(
                    colon <= 0 ? "127.0.0.1" : v.substring(0, colon), Integer.parseInt(v.substring(colon + 1)));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(flag + "=" + v + ": expected host:port");
        }
    }

    static Map<String, String> flags(String[] args) {
        Map<String, String> f = new HashMap<>(Map.of("-listen", "127.0.0.1:0", "-control", "127.0.0.1:0"));
        for (String a : args) {
            int eq = a.indexOf('=');
            String k = eq < 0 ? a : a.substring(0, eq);
            if (!k.equals("-listen") && !k.equals("-upstream") && !k.equals("-control")) {
                throw new IllegalArgumentException("unknown flag " + k + " (flags: -listen, -upstream, -control)");
            }
            f.put(k, eq < 0 ? "" : a.substring(eq + 1));
        }
        if (!f.containsKey("-upstream")) {
            throw new IllegalArgumentException("-upstream=HOST:PORT is required");
        }
        return f;
    }

    /** Serves the control API for {@code proxy} on {@code control}. */
    static HttpServer control(FaultProxy proxy, InetSocketAddress control) throws IOException {
        HttpServer http = HttpServer.create(control, 0);
        http.createContext("/", ex -> {
            try {
                String path = ex.getRequestURI().getPath();
                String q = ex.getRequestURI().getQuery() == null
                        ? ""
                        : ex.getRequestURI().getQuery();
                String value = q.contains("=") ? q.substring(q.indexOf('=') + 1) : "";
                if (!path.equals("/status") && !"POST".equals(ex.getRequestMethod())) {
                    reply(ex, 405, "use POST\n");
                    return;
                }
                switch (path) {
                    case "/status" -> {}
                    case "/mode" -> proxy.mode(FaultProxy.Mode.valueOf(value.toUpperCase(Locale.ROOT)));
                    case "/latency" -> proxy.latencyMs(Long.parseLong(value));
                    case "/bandwidth" -> proxy.bytesPerSecond(Long.parseLong(value));
                    case "/reset-after" -> proxy.resetAfterBytes(Long.parseLong(value));
                    default -> {
                        reply(ex, 404, "paths: /mode /latency /bandwidth /reset-after /status\n");
                        return;
                    }
                }
                reply(ex, 200, proxy.status() + "\n");
            } catch (IllegalArgumentException e) {
                reply(ex, 400, "bad value: " + e.getMessage() + "\n");
            }
        });
        http.start();
        return http;
    }

    private static void reply(HttpExchange ex, int code, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(code, b.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(b);
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> f;
        try {
            f = flags(args);
            address("-listen", f.get("-listen"));
            address("-upstream", f.get("-upstream"));
            address("-control", f.get("-control"));
        } catch (IllegalArgumentException e) {
            System.err.println("fault-proxy: " + e.getMessage());
            System.exit(2);
            return;
        }
        FaultProxy proxy =
                new FaultProxy(address("-listen", f.get("-listen")), address("-upstream", f.get("-upstream")));
        HttpServer http = control(proxy, address("-control", f.get("-control")));
        System.out.println("fault-proxy listening on " + proxy.port() + " control on "
                + http.getAddress().getPort());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            http.stop(0);
            proxy.close();
        }));
        Thread.currentThread().join();
    }
}
