package dev.edgepush.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A real VictoriaMetrics single node (Debian's {@code victoria-metrics} package, installed by
 * {@code .ci/run}) on a loopback port, with its storage in {@code dir/vm-data} and its output
 * appended to {@code dir/vm.log}. {@link #stop} and {@link #start} again keep the port and the
 * storage: an outage of the central side. Queries that read stored data flush first
 * ({@code /internal/force_flush}), so what was accepted is what they see.
 */
public final class VictoriaMetrics implements AutoCloseable {
    /** One stored series as {@code /api/v1/export} gives it, staleness markers left out. */
    public record Series(SortedMap<String, String> labels, List<Double> values, List<Long> timestamps) {
        public Series {
            labels = Collections.unmodifiableSortedMap(new TreeMap<>(labels));
            values = List.copyOf(values);
            timestamps = List.copyOf(timestamps);
        }
    }

    /**
     * How long a start may take before it fails: generous, the machine is often at load 10+. A
     * VictoriaMetrics that exits fails at once, with its log.
     */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    /** How long SIGTERM gets (VictoriaMetrics flushes its in-memory parts first) before SIGKILL. */
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public final int port;
    private final Path storage;
    private final Path log;
    private Process process;

    /** Starts on a free loopback port; returns once {@code /health} answers OK. */
    public VictoriaMetrics(Path dir) throws IOException {
        this(dir, Loopback.freePort());
    }

    /** Starts on {@code port} (a test that brings the remote up late chose it before). */
    public VictoriaMetrics(Path dir, int port) throws IOException {
        this(dir.resolve("vm-data"), dir.resolve("vm.log"), port);
    }

    /**
     * Starts on {@code port} with its storage in {@code storage} and its output appended to
     * {@code log}: for a runner that keeps its files where its users look for them.
     */
    public VictoriaMetrics(Path storage, Path log, int port) throws IOException {
        this.port = port;
        Files.createDirectories(log.toAbsolutePath().getParent());
        this.storage = storage;
        this.log = log;
        start();
    }

    /**
     * Starts the process (again, after {@link #stop}) on the same port and storage and waits until
     * {@code /health} answers OK.
     *
     * @throws IllegalStateException with the log when it exits or does not answer in time
     */
    public void start() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("victoria-metrics on port " + port + " is running already");
        }
        process = new ProcessBuilder(
                        Executables.onPath("victoria-metrics", "victoria-metrics"),
                        "-storageDataPath=" + storage,
                        "-httpListenAddr=127.0.0.1:" + port,
                        "-search.latencyOffset=0s",
                        "-loggerLevel=WARN")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "victoria-metrics exited with " + process.exitValue() + ":\n" + logText());
            }
            try {
                if (get("/health").startsWith("OK")) {
                    return;
                }
            } catch (IOException e) {
                // still starting
            }
            pause(50);
        }
        close();
        throw new IllegalStateException(
                "victoria-metrics did not answer /health on " + port + " in " + START_TIMEOUT + ":\n" + logText());
    }

    /** SIGTERM and wait (it flushes first); SIGKILL if it has not exited after 30 s. */
    public void stop() {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** {@code http://127.0.0.1:port}, without a trailing slash. */
    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** The remote-write (1.0) endpoint. */
    public String writeUrl() {
        return url() + "/api/v1/write";
    }

    /** The body of a GET, whatever its status. */
    public String get(String pathAndQuery) throws IOException {
        return send(pathAndQuery).body();
    }

    /** Makes what was accepted searchable at once ({@code /internal/force_flush}). */
    public void flush() throws IOException {
        ok("/internal/force_flush");
    }

    /**
     * Every series matching {@code selector} over all time, after a flush.
     *
     * @throws IOException when VictoriaMetrics does not answer 200 (e.g. a selector it refuses)
     */
    public List<Series> export(String selector) throws IOException {
        flush();
        return parseExport(ok("/api/v1/export?match[]=" + URLEncoder.encode(selector, StandardCharsets.UTF_8)));
    }

    /** Every stored value of the series matching {@code selector}, series after series. */
    public List<Double> exportValues(String selector) throws IOException {
        List<Double> out = new ArrayList<>();
        for (Series s : export(selector)) {
            out.addAll(s.values());
        }
        return out;
    }

    /** Every timestamp (ms) of a stored sample of the series matching {@code selector}, sorted. */
    public List<Long> exportTimestamps(String selector) throws IOException {
        List<Long> out = new ArrayList<>();
        for (Series s : export(selector)) {
            out.addAll(s.timestamps());
        }
        out.sort(null);
        return out;
    }

    /** The raw {@code /api/v1/label/<name>/values} answer over all time. */
    public String labelValues(String name) throws IOException {
        return ok("/api/v1/label/" + name + "/values?start=0");
    }

    /** What VictoriaMetrics wrote to its log so far, over all its starts. */
    public String logText() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        stop();
    }

    private HttpResponse<String> send(String pathAndQuery) throws IOException {
        try {
            return HTTP.send(
                    HttpRequest.newBuilder(URI.create(url() + pathAndQuery))
                            .timeout(REQUEST_TIMEOUT)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private String ok(String pathAndQuery) throws IOException {
        HttpResponse<String> r = send(pathAndQuery);
        if (r.statusCode() != 200) {
            throw new IOException("GET " + pathAndQuery + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    /**
     * Reads an {@code /api/v1/export} body: one JSON object a line,
     * {@code {"metric":{...},"values":[...],"timestamps":[...]}}. A {@code null} value is a
     * staleness marker and is left out with its timestamp.
     *
     * @throws IllegalArgumentException on a line of another shape
     */
    static List<Series> parseExport(String body) {
        List<Series> out = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            try {
                SortedMap<String, String> labels = labels(line);
                List<String> values = array(line, "\"values\":[");
                List<String> timestamps = array(line, "\"timestamps\":[");
                if (values.size() != timestamps.size()) {
                    throw new IllegalArgumentException(values.size() + " values, " + timestamps.size() + " timestamps");
                }
                List<Double> v = new ArrayList<>();
                List<Long> t = new ArrayList<>();
                for (int i = 0; i < values.size(); i++) {
                    String value = values.get(i).replace("\"", "");
                    if (!value.equals("null")) {
                        v.add(number(value));
                        t.add(Long.parseLong(timestamps.get(i)));
                    }
                }
                out.add(new Series(labels, v, t));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("not an /api/v1/export line (" + e.getMessage() + "): " + line, e);
            }
        }
        return out;
    }

    private static double number(String s) {
        return switch (s) {
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(s);
        };
    }

    private static List<String> array(String line, String key) {
        int from = line.indexOf(key);
        if (from < 0) {
            throw new IllegalArgumentException("no " + key);
        }
        from += key.length();
        int to = line.indexOf(']', from);
        List<String> out = new ArrayList<>();
        for (String item : line.substring(from, to).split(",")) {
            if (!item.isBlank()) {
                out.add(item.trim());
            }
        }
        return out;
    }

    /** The label pairs of {@code "metric":{...}}, JSON string escapes undone. */
    private static SortedMap<String, String> labels(String line) {
        String key = "\"metric\":{";
        int at = line.indexOf(key);
        if (at < 0) {
            throw new IllegalArgumentException("no " + key);
        }
        at += key.length();
        SortedMap<String, String> labels = new TreeMap<>();
        StringBuilder name = new StringBuilder();
        StringBuilder value = new StringBuilder();
        while (true) {
            char c = line.charAt(at);
            if (c == '}') {
                return labels;
            }
            if (c == ',' || c == ' ') {
                at++;
                continue;
            }
            name.setLength(0);
            value.setLength(0);
            at = string(line, at, name);
            if (line.charAt(at) != ':') {
                throw new IllegalArgumentException("no ':' after label " + name);
            }
            at = string(line, at + 1, value);
            labels.put(name.toString(), value.toString());
        }
    }

    /** Reads the JSON string starting at {@code at} (its opening quote) into {@code into}; returns the index after it. */
    private static int string(String s, int at, StringBuilder into) {
        if (s.charAt(at) != '"') {
            throw new IllegalArgumentException("no string at " + at);
        }
        int i = at + 1;
        while (true) {
            char c = s.charAt(i++);
            if (c == '"') {
                return i;
            }
            if (c != '\\') {
                into.append(c);
                continue;
            }
            char e = s.charAt(i++);
            switch (e) {
                case 'n' -> into.append('\n');
                case 't' -> into.append('\t');
                case 'r' -> into.append('\r');
                case 'b' -> into.append('\b');
                case 'f' -> into.append('\f');
                case 'u' -> {
                    into.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                    i += 4;
                }
                default -> into.append(e); // \" \\ \/
            }
        }
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
