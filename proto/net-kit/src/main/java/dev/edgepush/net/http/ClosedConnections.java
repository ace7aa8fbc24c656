package dev.edgepush.net.http;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connections an HTTP server closed or refused to protect itself, by reason, for {@code
 * <prefix>_http_connections_closed_total{reason}}. Logs each reason at most once per {@link
 * #LOG_EVERY_MS} (2,000 slowloris connections must not become 2,000 log lines), with the count
 * since the last line and the last client's address. Thread-safe.
 */
public final class ClosedConnections {
    private static final Logger log = LoggerFactory.getLogger(ClosedConnections.class);
    static final long LOG_EVERY_MS = 10_000;

    /** Why a connection was closed; {@link #label} is the metric's reason label. */
    public enum Reason {
        HEADER_TIMEOUT("header_timeout", true, "its request head did not arrive within -http.headerReadTimeout"),
        BODY_TIMEOUT(
                "body_timeout",
                true,
                "its request body paused longer than -http.bodyReadTimeout or took longer than -http.maxBodyDuration"),
        /** Ordinary housekeeping (a client that keeps connections open), so not logged. */
        IDLE_TIMEOUT("idle_timeout", false, "it was idle longer than -http.idleConnTimeout"),
        TOO_MANY_CONNECTIONS(
                "too_many_connections", true, "its address already has -http.maxConnsPerAddress connections open"),
        BAD_FRAMING("bad_framing", true, "its request was not valid HTTP/1.x framing (answered 400)");

        public final String label;
        final boolean logged;
        final String why;

        Reason(String label, boolean logged, String why) {
            this.label = label;
            this.logged = logged;
            this.why = why;
        }
    }

    private final Map<Reason, LongAdder> counts = new EnumMap<>(Reason.class);
    private final Map<Reason, AtomicLong> lastLogMs = new EnumMap<>(Reason.class);
    private final Map<Reason, AtomicLong> loggedCount = new EnumMap<>(Reason.class);
    private final String server;

    /** {@code server} names the listener in log lines, e.g. "central-ingest". */
    public ClosedConnections(String server) {
        this.server = server;
        for (Reason r : Reason.values()) {
            counts.put(r, new LongAdder());
            lastLogMs.put(r, new AtomicLong(Long.MIN_VALUE / 2));
            loggedCount.put(r, new AtomicLong());
        }
    }

    /** Counts one closed connection from {@code remote}; {@code detail} may be null. */
    public void closed(Reason reason, Object remote, String detail) {
        counts.get(reason).increment();
        if (!reason.logged) {
            return;
        }
        long now = System.currentTimeMillis();
        AtomicLong last = lastLogMs.get(reason);
        long prev = last.get();
        if (now - prev >= LOG_EVERY_MS && last.compareAndSet(prev, now)) {
            long total = counts.get(reason).sum();
            long since = total - loggedCount.get(reason).getAndSet(total);
            log.warn(
                    "{}: closed a connection from {}: {}{} ({} such closes in the last {} s, {} in all)",
                    server,
                    remote,
                    reason.why,
                    detail == null ? "" : ": " + detail,
                    since,
                    LOG_EVERY_MS / 1000,
                    total);
        }
    }

    public long count(Reason reason) {
        return counts.get(reason).sum();
    }

    /** The metric family, Prometheus text, e.g. {@code central_ingest_http_connections_closed_total}. */
    public void render(StringBuilder sb, String prefix) {
        String name = prefix + "_http_connections_closed_total";
        sb.append("# HELP ")
                .append(name)
                .append(" Connections the HTTP server closed or refused to protect itself, by reason:"
                        + " header_timeout, body_timeout, idle_timeout, too_many_connections, bad_framing.\n");
        sb.append("# TYPE ").append(name).append(" counter\n");
        for (Reason r : Reason.values()) {
            sb.append(name)
                    .append("{reason=\"")
                    .append(r.label)
                    .append("\"} ")
                    .append(counts.get(r).sum())
                    .append('\n');
        }
    }
}
