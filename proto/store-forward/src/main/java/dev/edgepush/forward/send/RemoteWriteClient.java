package dev.edgepush.forward.send;

import dev.edgepush.net.http.client.ClientConnection;
import dev.edgepush.net.tls.ClientTls;
import dev.edgepush.net.tls.TlsFailure;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Sends one Prometheus remote-write request per {@link #pushCompressed} call and reports what
 * happened. An HTTP/1.1 client on Netty, on an event loop of the caller's group (edge-agent
 * shares its scrape loop; nothing here starts a thread).
 *
 * <p>Guarantees:
 *
 * <ul>
 *   <li>The body is sent as given, which must be Snappy <em>block</em> format (as the
 *       remote-write spec requires, never the framed/stream format; the sender joins stored
 *       blocks with {@link SnappyConcat}), with {@code Content-Encoding: snappy} (or one zstd
 *       frame with {@code zstd}, see {@link ProtocolTransport}), {@code Content-Type:
 *       application/x-protobuf}, {@code X-Prometheus-Remote-Write-Version: 0.1.0} and the given
 *       {@code User-Agent}; plus {@code Authorization} (Bearer or Basic, see {@link #auth}) if set.
 *       Extra headers come first, so none of these can be overridden by one.
 *   <li>{@link #pushCompressed} never throws for network or HTTP trouble: every result is classified by
 *       {@link OutcomeClassifier} (status, {@code Retry-After}, the first 1 KiB of the body). It
 *       never retries by itself and follows no redirects: the caller's delivery loop decides. The
 *       one exception is a kept-alive connection the server had closed: see below.
 *   <li>Each call ends within {@code timeout}, counted over the whole call: connecting, TLS,
 *       sending, waiting and reading (a server that dribbles its answer does not extend it). After
 *       a timeout the connection is closed. Name resolution runs on the calling thread before
 *       (the JDK's resolver and its cache), so a resolver that hangs is bounded by the system's
 *       resolver timeout, not by {@code timeout}, as with the former OkHttp client.
 *   <li>Every Netty buffer is released, whatever happens; what the caller gets is a plain {@link
 *       PushOutcome}.
 * </ul>
 *
 * <p>Connections (one {@link ClientConnection}). At most one, kept alive between pushes (HTTP/1.1) unless the response said
 * {@code Connection: close}; any error, timeout or unread response closes it. A push on a kept
 * connection that closes or resets before any byte of the response arrived (the server closed it
 * while idle, as the request went out) is sent once more on a fresh connection, within the same
 * deadline. Such a request may in rare cases have been processed (a server that crashed after
 * reading it): it is resent all the same, because the caller would resend the very same bytes
 * after a network error anyway, and remote write is idempotent (identical samples with their
 * timestamps; VictoriaMetrics and Prometheus keep one copy). The second attempt only saves the
 * backoff.
 *
 * <p>The body goes out in pieces of {@link #WRITE_CHUNK_BYTES}, the next copied into a direct
 * buffer only once the previous one was handed to the socket. So a batch of megabytes never sits
 * in direct memory at once (a heap buffer handed to the socket whole is copied into a direct
 * buffer as large as the request: with the robot's unpooled allocator by the JDK, which keeps it
 * cached in the event-loop thread for good), and once a call has returned no byte of the
 * caller's array is read any more (the copy and the caller's giving up are ordered by a lock):
 * the array can be reused at once, even after a timeout.
 *
 * <p>Connects directly to the URL's host, through no proxy: vmagent's {@code
 * -remoteWrite.proxyURL} is not supported, and the JVM's proxy properties ({@code
 * -Dhttps.proxyHost} ...), which OkHttp honoured through the default {@code ProxySelector}, are
 * ignored. Calls are synchronous and meant for a single sending thread, which must not be an
 * event loop thread.
 */
public final class RemoteWriteClient implements AutoCloseable {

    /** Remote-write protocol version sent in {@code X-Prometheus-Remote-Write-Version}. */
    public static final String REMOTE_WRITE_VERSION = "0.1.0";

    /** Request body bytes handed to the socket at a time. */
    static final int WRITE_CHUNK_BYTES = 64 * 1024;

    /** The version header of a remote-write 2.0 request. */
    public static final String REMOTE_WRITE_VERSION_2 = "2.0.0";

    /** A 2.0 receiver's count of the samples it wrote, in its answer. */
    public static final String SAMPLES_WRITTEN_HEADER = "X-Prometheus-Remote-Write-Samples-Written";

    /**
     * central-ingest's list of the request {@code Content-Encoding}s it takes ({@code zstd, snappy}),
     * in its answer to every push it stored: what {@link ProtocolTransport} offers zstd on.
     */
    public static final String ACCEPT_ENCODING_HEADER = "X-Edgepush-Accept-Encoding";

    private static final String PROTOBUF = "application/x-protobuf";
    private static final String PROTOBUF_V2 = "application/x-protobuf;proto=io.prometheus.write.v2.Request";
    private static final int MAX_REJECT_BODY_BYTES = OutcomeClassifier.MAX_BODY_CHARS;

    private final EventLoop loop;
    private final ClientConnection connection;
    private final boolean https;
    /** The host to connect to and to check the certificate against (IPv6 without brackets). */
    private final String host;

    private final int port;
    private final String hostHeader;
    private final String pathAndQuery;
    private final long timeoutNanos;
    private final String userAgent;
    private final Supplier<Map<String, String>> extraHeaders;
    private final String authorization;
    private final ClientTls tls;
    /** Built by the calling thread on the first https push. */
    private volatile SslContext sslContext;

    private volatile long lastRequestBytes;
    /** {@link #SAMPLES_WRITTEN_HEADER} of the last answer, or null when it had none. */
    private volatile String lastSamplesWritten;
    /** {@link #ACCEPT_ENCODING_HEADER} of the last answer, or null when it had none. */
    private volatile String lastAcceptEncoding;

    /**
     * A client without basic auth and with the JDK's default TLS settings.
     *
     * @param group the event loops to run connections on (one is picked for this client)
     * @param url remote-write endpoint
     * @param bearerToken token for {@code Authorization: Bearer}, or {@code null} for none
     * @param timeout limit for a whole call: connect, send, wait and read
     * @param userAgent value of {@code User-Agent}
     * @param extraHeaders called once per push for additional headers (e.g. backlog), or {@code
     *     null}
     */
    public RemoteWriteClient(
            EventLoopGroup group,
            String url,
            String bearerToken,
            Duration timeout,
            String userAgent,
            Supplier<Map<String, String>> extraHeaders) {
        this(group, url, timeout, userAgent, extraHeaders, auth(bearerToken, null, null), ClientTls.DEFAULT);
    }

    /**
     * @param authorization the {@code Authorization} header of every request ({@link #auth}), or
     *     null for none
     * @param tls how to check the remote's certificate (used for https URLs only)
     */
    public RemoteWriteClient(
            EventLoopGroup group,
            String url,
            Duration timeout,
            String userAgent,
            Supplier<Map<String, String>> extraHeaders,
            String authorization,
            ClientTls tls) {
        this.loop = Objects.requireNonNull(group, "group").next();
        this.userAgent = Objects.requireNonNull(userAgent, "userAgent");
        this.timeoutNanos = Objects.requireNonNull(timeout, "timeout").toNanos();
        this.extraHeaders = extraHeaders;
        this.authorization = authorization;
        this.tls = Objects.requireNonNull(tls, "tls");
        URI uri = URI.create(Objects.requireNonNull(url, "url"));
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("not an http or https URL: " + redact(url));
        }
        this.https = scheme.equals("https");
        // URI leaves the host null for names it does not accept as DNS names (an underscore, as in
        // docker-compose service names): take host and port from the authority then.
        String authority = uri.getRawAuthority();
        if (authority == null || authority.isEmpty()) {
            throw new IllegalArgumentException("no host in " + redact(url));
        }
        authority = authority.substring(authority.lastIndexOf('@') + 1);
        int portSep = authority.lastIndexOf(':');
        if (portSep < authority.lastIndexOf(']')) {
            portSep = -1; // a colon inside an IPv6 literal
        }
        String hostPart = portSep < 0 ? authority : authority.substring(0, portSep);
        int explicitPort = -1;
        if (portSep >= 0 && portSep + 1 < authority.length()) {
            try {
                explicitPort = Integer.parseInt(authority.substring(portSep + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad port in " + redact(url), e);
            }
            if (explicitPort < 1 || explicitPort > 65535) {
                throw new IllegalArgumentException("bad port in " + redact(url));
            }
        }
        if (hostPart.isEmpty()) {
            throw new IllegalArgumentException("no host in " + redact(url));
        }
        this.port = explicitPort > 0 ? explicitPort : (https ? 443 : 80);
        this.host = hostPart.startsWith("[") && hostPart.endsWith("]")
                ? hostPart.substring(1, hostPart.length() - 1)
                : hostPart;
        this.hostHeader = explicitPort > 0 ? hostPart + ":" + explicitPort : hostPart;
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        this.pathAndQuery = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
        this.connection =
                new ClientConnection(loop, host, port, hostHeader, this.tls, true, false, this::describe, null);
    }

    /**
     * The {@code Authorization} header of one remote: at most one of a bearer token and basic auth
     * (sent with every request, as vmagent does: no 401 round trip). Null for none.
     *
     * @throws IllegalArgumentException for a blank token
     */
    public static String auth(String bearerToken, String basicAuthUsername, String basicAuthPassword) {
        if (bearerToken != null) {
            if (bearerToken.isBlank()) {
                throw new IllegalArgumentException("bearer token is blank");
            }
            return "Bearer " + bearerToken;
        }
        if (basicAuthUsername != null) {
            String password = basicAuthPassword == null ? "" : basicAuthPassword;
            return "Basic "
                    + Base64.getEncoder()
                            .encodeToString((basicAuthUsername + ":" + password).getBytes(StandardCharsets.UTF_8));
        }
        return null;
    }

    /** Reads a bearer token from a file, stripping surrounding whitespace (e.g. a newline). */
    public static String readTokenFile(Path path) throws IOException {
        return readSecretFile(path, "bearer token");
    }

    /** Reads a secret (token, password) from a file, stripping surrounding whitespace. */
    public static String readSecretFile(Path path, String what) throws IOException {
        String secret = Files.readString(path, StandardCharsets.UTF_8).strip();
        if (secret.isEmpty()) {
            throw new IOException(what + " file is empty: " + path);
        }
        return secret;
    }

    /**
     * POSTs {@code snappyBlock[offset, offset+length)}: a serialized WriteRequest compressed as one
     * Snappy raw block, sent as it is. The array is not read any more once this returns.
     */
    public PushOutcome pushCompressed(byte[] snappyBlock, int offset, int length) {
        return pushCompressed(snappyBlock, offset, length, false);
    }

    /**
     * As {@link #pushCompressed(byte[], int, int)}, but with {@code v2} the body is a remote-write
     * 2.0 {@code io.prometheus.write.v2.Request} and goes with the 2.0 {@code Content-Type} and
     * {@code X-Prometheus-Remote-Write-Version: 2.0.0}. {@link #lastSamplesWritten} then tells what
     * the receiver said it wrote.
     */
    public PushOutcome pushCompressed(byte[] snappyBlock, int offset, int length, boolean v2) {
        return pushCompressed(snappyBlock, offset, length, v2, "snappy");
    }

    /**
     * As {@link #pushCompressed(byte[], int, int, boolean)}, with the body compressed as {@code
     * contentEncoding} says ({@code snappy}: one Snappy block; {@code zstd}: one zstd frame, only
     * towards a receiver that said it takes it). {@link #lastAcceptEncoding} then tells what the
     * receiver said it takes.
     */
    public PushOutcome pushCompressed(byte[] body, int offset, int length, boolean v2, String contentEncoding) {
        Objects.checkFromIndexSize(offset, length, body.length);
        Objects.requireNonNull(contentEncoding, "contentEncoding");
        long deadline = System.nanoTime() + timeoutNanos;
        lastRequestBytes = length;
        lastSamplesWritten = null;
        lastAcceptEncoding = null;

        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, pathAndQuery);
        HttpHeaders h = request.headers();
        Map<String, String> extra = extraHeaders == null ? null : extraHeaders.get();
        if (extra != null) {
            extra.forEach(h::set);
        }
        // Protocol headers last, so an extra header can never override them.
        h.remove(HttpHeaderNames.TRANSFER_ENCODING)
                .set(HttpHeaderNames.HOST, hostHeader)
                .set(HttpHeaderNames.CONTENT_TYPE, v2 ? PROTOBUF_V2 : PROTOBUF)
                .set(HttpHeaderNames.CONTENT_LENGTH, length)
                .set(HttpHeaderNames.CONTENT_ENCODING, contentEncoding)
                .set(HttpHeaderNames.USER_AGENT, userAgent)
                .set("X-Prometheus-Remote-Write-Version", v2 ? REMOTE_WRITE_VERSION_2 : REMOTE_WRITE_VERSION);
        if (authorization != null) {
            h.set(HttpHeaderNames.AUTHORIZATION, authorization);
        }

        SslContext ssl;
        InetSocketAddress address = null;
        try {
            if (https && sslContext == null) {
                sslContext = tls.sslContext();
            }
            ssl = https ? sslContext : null;
            if (!connection.idle()) {
                // Resolved here, on the caller's thread: a slow resolver must not stall the event loop.
                address = new InetSocketAddress(InetAddress.getByName(host), port);
            }
        } catch (IOException e) {
            return OutcomeClassifier.networkError(e);
        }
        PushExchange ex = new PushExchange(
                this, connection, deadline, ssl, address, body, offset, length, request, loop.newPromise());
        try {
            loop.execute(() -> {
                if (connection.closed()) {
                    ex.fail("the remote-write client is closed");
                } else if (connection.busy()) {
                    ex.fail("a push is already in flight");
                } else {
                    connection.start(ex);
                }
            });
        } catch (RejectedExecutionException e) {
            return OutcomeClassifier.networkError(new IOException("the client's event loop has shut down", e));
        }
        // Not cut short by an interrupt (it stays set): a push is not abandoned halfway, as a
        // blocking socket write or read is not either (see Sender#stop).
        long left = deadline - System.nanoTime();
        if (left > 0 && ex.promise.awaitUninterruptibly(left, TimeUnit.NANOSECONDS)) {
            return ex.promise.getNow();
        }
        String giveUp = "no response within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms";
        synchronized (ex) {
            ex.abandoned = true; // from here on the loop copies nothing more out of body
        }
        try {
            loop.execute(() -> ex.fail(giveUp)); // closes the connection, which may be mid-request
        } catch (RejectedExecutionException e) {
            // the loop has shut down and closed its channels
        }
        PushOutcome outcome = ex.promise.getNow(); // the response may have completed meanwhile
        return outcome != null ? outcome : OutcomeClassifier.networkError(new IOException(giveUp));
    }

    /** Compressed size in bytes of the last request body (0 before the first push). */
    public long lastRequestBytes() {
        return lastRequestBytes;
    }

    /**
     * The {@code X-Prometheus-Remote-Write-Samples-Written} header of the last push's answer, or
     * null when it had none (or there was no answer).
     */
    public String lastSamplesWritten() {
        return lastSamplesWritten;
    }

    /**
     * The {@link #ACCEPT_ENCODING_HEADER} of the last push's answer, or null when it had none (or
     * there was no answer).
     */
    public String lastAcceptEncoding() {
        return lastAcceptEncoding;
    }

    /** The headers of the last push's answer: see {@link #lastSamplesWritten}, {@link #lastAcceptEncoding}. */
    void answered(String samplesWritten, String acceptEncoding) {
        lastSamplesWritten = samplesWritten;
        lastAcceptEncoding = acceptEncoding;
    }

    /**
     * Closes the kept connection now, or once the push in flight has ended; later pushes fail.
     * Safe from any thread and after the event loop has shut down (which closes it anyway).
     */
    @Override
    public void close() {
        connection.close();
    }

    String describe(Throwable t) {
        if (TlsFailure.isTls(t)) {
            return "TLS handshake failed: "
                    + TlsFailure.ofClient(t, tls.hasClientCertificate(), tls.clientCertificateProblem(Instant.now()))
                            .text();
        }
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m;
    }

    static String redact(String url) {
        return url.replaceAll("//[^/@]*@", "//<credentials>@");
    }
}
