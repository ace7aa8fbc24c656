package dev.edgepush.testbed.soak;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The little HTTP the soak needs: GET and POST on loopback with short timeouts, metric lookup. */
public final class Http {
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    private Http() {}

    /** A response: status and body. */
    public record Response(int status, String body) {}

    public static Response get(String url, Duration timeout) throws IOException {
        return send(
                HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET().build());
    }

    public static Response post(String url, String form, Duration timeout) throws IOException {
        return send(HttpRequest.newBuilder(URI.create(url))
                .timeout(timeout)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build());
    }

    /** Sends {@code req}; the body as a string. */
    public static Response send(HttpRequest req) throws IOException {
        try {
            HttpResponse<String> r = CLIENT.send(req, HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + req.uri(), e);
        }
    }

    /** The value of an unlabelled sample {@code name} in a Prometheus exposition, if present. */
    public static OptionalDouble metric(String exposition, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(exposition);
        return m.find() ? OptionalDouble.of(Double.parseDouble(m.group(1))) : OptionalDouble.empty();
    }

    /**
     * The value of sample {@code name} whose labels include {@code label} (e.g. {@code
     * reason="disk_full"}) in a Prometheus exposition, if present.
     */
    public static OptionalDouble metric(String exposition, String name, String label) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$")
                .matcher(exposition);
        while (m.find()) {
            for (String l : m.group(1).split(",")) {
                if (l.equals(label)) {
                    return OptionalDouble.of(Double.parseDouble(m.group(2)));
                }
            }
        }
        return OptionalDouble.empty();
    }

    /** The sum of every sample of {@code name}, with or without labels, if there is any. */
    public static OptionalDouble sum(String exposition, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{[^}]*\\})? (\\S+)$")
                .matcher(exposition);
        double sum = 0;
        boolean any = false;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
            any = true;
        }
        return any ? OptionalDouble.of(sum) : OptionalDouble.empty();
    }

    /** A port free on loopback right now. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
