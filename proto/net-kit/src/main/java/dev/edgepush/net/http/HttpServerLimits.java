package dev.edgepush.net.http;

import io.netty.handler.codec.http.HttpDecoderConfig;

/**
 * The limits an HTTP server of edgepush (edge-agent's listener, central-ingest) puts on every
 * client, whatever it sends. Each is a flag ({@code -http.*}); a timeout of 0 turns it off.
 *
 * @param headerReadTimeoutMs {@code -http.headerReadTimeout}: a request's head must arrive
 *     within this long of its first byte (of the connection's opening for the first request)
 * @param idleConnTimeoutMs {@code -http.idleConnTimeout}: a keep-alive connection with no
 *     request in progress is closed after this long without a byte
 * @param bodyReadTimeoutMs {@code -http.bodyReadTimeout}: the longest pause inside a body
 * @param maxBodyDurationMs {@code -http.maxBodyDuration}: a body must end within this long of
 *     its head, however steadily it trickles
 * @param maxConnsPerAddress {@code -http.maxConnsPerAddress}: open connections from one client
 *     IP address; the next is closed at once
 * @param maxHeaderBytes {@code -http.maxHeaderBytes}: all header lines of a request together
 */
public record HttpServerLimits(
        long headerReadTimeoutMs,
        long idleConnTimeoutMs,
        long bodyReadTimeoutMs,
        long maxBodyDurationMs,
        int maxConnsPerAddress,
        int maxHeaderBytes) {

    /**
     * A request line (method, URL, version) this long is refused with 400. A PromQL query in a GET
     * URL can be long; Grafana switches to POST well before this.
     */
    public static final int MAX_REQUEST_LINE_BYTES = 16 * 1024;

    /** The defaults of the flags, suited to a fleet (see the READMEs). */
    public static final HttpServerLimits DEFAULTS =
            new HttpServerLimits(10_000, 60_000, 30_000, 300_000, 100, 16 * 1024);

    public HttpServerLimits {
        if (headerReadTimeoutMs < 0 || idleConnTimeoutMs < 0 || bodyReadTimeoutMs < 0 || maxBodyDurationMs < 0) {
            throw new IllegalArgumentException("timeouts must be 0 (off) or more");
        }
        if (maxConnsPerAddress < 1 || maxHeaderBytes < 1024) {
            throw new IllegalArgumentException(
                    "maxConnsPerAddress must be at least 1 and maxHeaderBytes at least 1024");
        }
    }

    /** The HTTP decoder's settings: these sizes, and chunks passed on as they come (never buffered whole). */
    public HttpDecoderConfig decoderConfig() {
        return new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_REQUEST_LINE_BYTES)
                .setMaxHeaderSize(maxHeaderBytes)
                .setMaxChunkSize(64 * 1024);
    }
}
