package dev.edgepush.testbed;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One simulated sensor service: a JDK {@link HttpServer} with a single worker thread serving
 * {@code GET /metrics} (Prometheus text 0.0.4), {@code GET /stats} (JSON accounting), {@code GET
 * /answered} (every answered scrape), {@code GET /health}, and {@code POST /inject} (failure
 * injection, see {@link SensorFailures}).
 *
 * <p>Every {@code /metrics} response gets the next sequence number, sent both as the
 * {@code X-Scrape-Seq} header and as the {@code sensor_scrape_seq} gauge. A scrape counts as
 * answered (in {@code /stats} and {@code /answered}) only once its whole body was written
 * without error; a response that failed mid-way still consumed its sequence number, so a loss
 * checker sees a gap there. An injected 500 or 503 consumes no sequence number.
 *
 * <p>{@code GET /answered[?since=SEQ]}: one line per answered scrape with a sequence number
 * above {@code since}, {@code <seq> <unix ms when its body was written>}, after a {@code #}
 * header line. The log costs 16 bytes per scrape (1.4 MB a day at one scrape a second).
 *
 * <p>{@code POST /inject?mode=MODE&duration=30s} (or the same as a form body): MODE is {@code
 * cpu_spike}, {@code memory_leak}, {@code latency_spike}, {@code error_burst} or {@code
 * node_crash}; duration is a Go duration, {@code 0} ends the failure. Answers the active failures
 * as JSON; {@code GET /inject} only answers them.
 */
public final class SensorServer implements AutoCloseable {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    static final String SEQ_HEADER = "X-Scrape-Seq";

    private final HttpServer server;
    private final ExecutorService executor;
    private final SensorModel model;
    private final String host;
    private final long startedAtMs;
    private final AtomicLong issued = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    private final AnsweredLog answeredLog = new AnsweredLog();
    private final SensorFailures failures;
    private volatile boolean stopped;

    private SensorServer(
            HttpServer server, ExecutorService executor, SensorModel model, String host, long startedAtMs, long seed) {
        this.failures = new SensorFailures(seed);
        this.server = server;
        this.executor = executor;
        this.model = model;
        this.host = host;
        this.startedAtMs = startedAtMs;
    }

    /**
     * Binds and starts a simulator.
     *
     * @param host address to bind (name or literal)
     * @param port port to bind, 0 for any free port
     * @param seed seed of the simulation
     * @param series number of extra synthetic gauges
     * @return the running server
     * @throws IOException if the address cannot be bound
     */
    public static SensorServer start(String host, int port, long seed, int series) throws IOException {
        long startedAtMs = System.currentTimeMillis();
        SensorModel model = new SensorModel(seed, series, startedAtMs);
        HttpServer http = HttpServer.create(new InetSocketAddress(host, port), 128);
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "sensor-sim-" + http.getAddress().getPort());
            t.setDaemon(true);
            return t;
        });
        SensorServer sim = new SensorServer(http, executor, model, host, startedAtMs, seed);
        http.setExecutor(executor);
        http.createContext("/", sim::handle);
        http.start();
        return sim;
    }

    /** The port actually bound. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The scrape URL, with the host as given and the real port. */
    public String metricsUrl() {
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return "http://" + h + ":" + port() + "/metrics";
    }

    /** Number of {@code /metrics} responses written in full. */
    public long scrapesAnswered() {
        return answered.get();
    }

    /** Every answered scrape so far: pairs of (sequence number, unix ms written). */
    public long[][] answered() {
        return answeredLog.snapshot();
    }

    /**
     * Injects a failure, as {@code POST /inject} does.
     *
     * @param mode wire name, e.g. {@code error_burst}
     * @param duration how long; zero ends it
     * @throws IllegalArgumentException for an unknown mode
     */
    public void inject(String mode, Duration duration) {
        failures.inject(SensorFailures.Mode.parse(mode), duration);
    }

    /**
     * Stops answering {@code /metrics} for good (503), so the set of answered scrapes is final
     * while a loss checker waits for the backlog to drain.
     */
    public void stopAnswering() {
        stopped = true;
    }

    /** Wall-clock start in milliseconds since the epoch. */
    long startedAtMs() {
        return startedAtMs;
    }

    /** The JSON document served at {@code /stats}. */
    String statsJson() {
        return "{\"scrapes_answered\":" + answered.get() + ",\"started_at_ms\":" + startedAtMs + ",\"series\":"
                + model.syntheticSeries() + "}";
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            boolean known = path.equals("/metrics")
                    || path.equals("/stats")
                    || path.equals("/health")
                    || path.equals("/answered")
                    || path.equals("/inject");
            boolean post = path.equals("/inject") && method.equals("POST");
            if (!known) {
                send(ex, 404, TEXT, "not found; try /metrics, /stats, /answered, /inject or /health\n");
            } else if (!method.equals("GET") && !post) {
                ex.getResponseHeaders().set("Allow", path.equals("/inject") ? "GET, POST" : "GET");
                send(ex, 405, TEXT, "method not allowed\n");
            } else if (path.equals("/inject")) {
                inject(ex, post);
            } else if (path.equals("/stats")) {
                send(ex, 200, "application/json", statsJson());
            } else if (path.equals("/answered")) {
                long since =
                        Long.parseLong(query(ex.getRequestURI().getRawQuery()).getOrDefault("since", "0"));
                send(ex, 200, TEXT, answeredLog.text(since));
            } else if (stopped || failures.active(SensorFailures.Mode.NODE_CRASH)) {
                send(ex, 503, TEXT, stopped ? "stopped\n" : "injected node_crash\n");
            } else if (path.equals("/health")) {
                send(ex, 200, TEXT, "ok");
            } else {
                metrics(ex);
            }
        } catch (NumberFormatException e) {
            send(ex, 400, TEXT, "bad number: " + e.getMessage() + "\n");
        } finally {
            ex.close();
        }
    }

    private static final String TEXT = "text/plain; charset=utf-8";

    private void metrics(HttpExchange ex) throws IOException {
        long delay = failures.latencyMs();
        if (delay > 0) {
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (failures.failWith500()) {
            send(ex, 500, TEXT, "injected error_burst\n");
            return;
        }
        long seq = issued.incrementAndGet();
        model.tick();
        if (failures.active(SensorFailures.Mode.CPU_SPIKE)) {
            model.observeCpuSpike(1.0);
        }
        ex.getResponseHeaders().set(SEQ_HEADER, Long.toString(seq));
        StringBuilder body = new StringBuilder(model.render(seq, System.currentTimeMillis()));
        failures.render(body);
        send(ex, 200, CONTENT_TYPE, body.toString());
        answered.incrementAndGet();
        answeredLog.add(seq, System.currentTimeMillis());
    }

    private void inject(HttpExchange ex, boolean post) throws IOException {
        if (post) {
            Map<String, String> q = query(ex.getRequestURI().getRawQuery());
            byte[] form = ex.getRequestBody().readAllBytes();
            q.putAll(query(new String(form, StandardCharsets.UTF_8)));
            String mode = q.get("mode");
            String duration = q.get("duration");
            if (mode == null || duration == null) {
                send(ex, 400, TEXT, "want mode=MODE&duration=DURATION, e.g. mode=error_burst&duration=30s\n");
                return;
            }
            try {
                inject(mode, GoDuration.parse(duration));
            } catch (IllegalArgumentException e) {
                send(ex, 400, TEXT, e.getMessage() + "\n");
                return;
            }
        }
        send(ex, 200, "application/json", failures.statusJson() + "\n");
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null || raw.isBlank()) {
            return out;
        }
        for (String kv : raw.trim().split("&")) {
            int eq = kv.indexOf('=');
            String k = eq < 0 ? kv : kv.substring(0, eq);
            String v = eq < 0 ? "" : kv.substring(eq + 1);
            out.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
        }
        return out;
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Stops serving immediately and releases the port and worker thread. */
    @Override
    public void close() {
        failures.close();
        server.stop(0);
        executor.shutdownNow();
    }

    /** Append-only (seq, unix ms) pairs in growing primitive arrays. */
    private static final class AnsweredLog {
        private long[] seqs = new long[1024];
        private long[] times = new long[1024];
        private int size;

        synchronized void add(long seq, long ms) {
            if (size == seqs.length) {
                seqs = java.util.Arrays.copyOf(seqs, size * 2);
                times = java.util.Arrays.copyOf(times, size * 2);
            }
            seqs[size] = seq;
            times[size] = ms;
            size++;
        }

        synchronized long[][] snapshot() {
            long[][] out = new long[size][];
            for (int i = 0; i < size; i++) {
                out[i] = new long[] {seqs[i], times[i]};
            }
            return out;
        }

        synchronized String text(long since) {
            StringBuilder sb = new StringBuilder("# seq unix_ms\n");
            for (int i = 0; i < size; i++) {
                if (seqs[i] > since) {
                    sb.append(seqs[i]).append(' ').append(times[i]).append('\n');
                }
            }
            return sb.toString();
        }
    }
}
