package dev.edgepush.net.http;

import dev.edgepush.flags.FlagValues;
import picocli.CommandLine.Option;

/**
 * The {@code -http.*} flags of {@link HttpServerLimits}, a picocli mixin shared by edge-agent's
 * and central-ingest's flags, so both servers take the same names. {@code -http.idleConnTimeout}
 * is VictoriaMetrics' flag (lib/httpserver, default 1m). VictoriaMetrics has no flag for the
 * others (its header timeout is a fixed 5 s, Go's ReadHeaderTimeout), so they are named after it:
 * {@code -http.<what>Timeout}, {@code -http.max<What>}.
 */
public final class HttpLimitFlags {
    @Option(
            names = {"-http.headerReadTimeout", "--http.headerReadTimeout"},
            paramLabel = "DURATION",
            description =
                    "A request's head must arrive within this long of its first byte, else the connection is closed"
                            + " (slowloris); 0 = no limit (default: ${DEFAULT-VALUE}).")
    String headerReadTimeout = "10s";

    @Option(
            names = {"-http.idleConnTimeout", "--http.idleConnTimeout"},
            paramLabel = "DURATION",
            description =
                    "A keep-alive connection with no request in progress is closed after this long without a byte,"
                            + " as VictoriaMetrics' flag; 0 = never (default: ${DEFAULT-VALUE}).")
    String idleConnTimeout = "1m";

    @Option(
            names = {"-http.bodyReadTimeout", "--http.bodyReadTimeout"},
            paramLabel = "DURATION",
            description = "Longest pause inside a request body before the connection is closed; 0 = no limit"
                    + " (default: ${DEFAULT-VALUE}).")
    String bodyReadTimeout = "30s";

    @Option(
            names = {"-http.maxBodyDuration", "--http.maxBodyDuration"},
            paramLabel = "DURATION",
            description =
                    "A request body must be complete within this long of its head (a body that trickles forever is"
                            + " cut); 0 = no limit (default: ${DEFAULT-VALUE}).")
    String maxBodyDuration = "5m";

    @Option(
            names = {"-http.maxConnsPerAddress", "--http.maxConnsPerAddress"},
            paramLabel = "N",
            description =
                    "Connections open at once from one client IP address; one more is closed at once (raise it for"
                            + " many clients behind one NAT address) (default: ${DEFAULT-VALUE}).")
    int maxConnsPerAddress = HttpServerLimits.DEFAULTS.maxConnsPerAddress();

    @Option(
            names = {"-http.maxHeaderBytes", "--http.maxHeaderBytes"},
            paramLabel = "BYTES",
            description = "Largest request head (all header lines together); larger: 400 and the connection closed"
                    + " (default: ${DEFAULT-VALUE}).")
    String maxHeaderBytes = "16KiB";

    /** The checked values; the message of the exception names the flag. */
    public HttpServerLimits limits() {
        long headerMs = millis("-http.headerReadTimeout", headerReadTimeout);
        long idleMs = millis("-http.idleConnTimeout", idleConnTimeout);
        long bodyMs = millis("-http.bodyReadTimeout", bodyReadTimeout);
        long bodyTotalMs = millis("-http.maxBodyDuration", maxBodyDuration);
        if (maxConnsPerAddress < 1) {
            throw new IllegalArgumentException(
                    "-http.maxConnsPerAddress=" + maxConnsPerAddress + ": must be 1 or more");
        }
        long header = FlagValues.bytes("-http.maxHeaderBytes", maxHeaderBytes);
        if (header < 1024 || header > 1 << 20) {
            throw new IllegalArgumentException(
                    "-http.maxHeaderBytes=" + maxHeaderBytes + ": must be between 1KiB and 1MiB");
        }
        return new HttpServerLimits(headerMs, idleMs, bodyMs, bodyTotalMs, maxConnsPerAddress, (int) header);
    }

    private static long millis(String flag, String value) {
        long ms;
        try {
            ms = FlagValues.duration(flag, value).toMillis();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + ", e.g. 10s or 1m", e);
        }
        if (ms < 0) {
            throw new IllegalArgumentException(flag + "=" + value + ": must be 0 (off) or more");
        }
        return ms;
    }
}
