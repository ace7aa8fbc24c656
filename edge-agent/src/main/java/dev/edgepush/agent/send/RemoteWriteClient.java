package dev.edgepush.agent.send;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import okhttp3.ConnectionPool;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * Sends one Prometheus remote-write request per {@link #pushCompressed} call and reports what
 * happened.
 *
 * <p>Guarantees:
 *
 * <ul>
 *   <li>The body is sent as given, which must be Snappy <em>block</em> format (as the
 *       remote-write spec requires, never the framed/stream format; the sender joins stored
 *       blocks with {@link SnappyConcat}), with {@code Content-Encoding: snappy}, {@code Content-Type:
 *       application/x-protobuf}, {@code X-Prometheus-Remote-Write-Version: 0.1.0} and the given
 *       {@code User-Agent}; plus {@code Authorization: Bearer} if a token is set.
 *   <li>{@link #pushCompressed} never throws for network or HTTP trouble: every result is classified by
 *       {@link OutcomeClassifier}. It never retries by itself (no OkHttp connection retries, no
 *       redirects followed): the caller's delivery loop decides.
 *   <li>Each call ends within {@code timeout} (OkHttp call timeout) and always closes the
 *       response.
 *   <li>Small footprint: synchronous calls only (no dispatcher threads), at most one idle pooled
 *       connection.
 * </ul>
 *
 * Calls are synchronous and meant for a single sending thread.
 */
public final class RemoteWriteClient implements AutoCloseable {

  /** Remote-write protocol version sent in {@code X-Prometheus-Remote-Write-Version}. */
  public static final String REMOTE_WRITE_VERSION = "0.1.0";

  private static final MediaType PROTOBUF = MediaType.get("application/x-protobuf");
  private static final int MAX_REJECT_BODY_BYTES = 1024;

  private final HttpUrl url;
  private final String userAgent;
  private final Supplier<Map<String, String>> extraHeaders;
  private final OkHttpClient http;
  private volatile long lastRequestBytes;

  /**
   * @param url remote-write endpoint
   * @param bearerToken token for {@code Authorization: Bearer}, or {@code null} for none
   * @param timeout limit for a whole call: connect, send, wait and read
   * @param userAgent value of {@code User-Agent}
   * @param extraHeaders called once per push for additional headers (e.g. backlog), or {@code
   *     null}
   */
  public RemoteWriteClient(
      String url,
      String bearerToken,
      Duration timeout,
      String userAgent,
      Supplier<Map<String, String>> extraHeaders) {
    this(url, timeout, userAgent, extraHeaders,
        bearerToken == null ? b -> {} : b -> b.addInterceptor(new BearerTokenInterceptor(bearerToken)));
  }

  /** How one remote authenticates: at most one of a bearer token and basic auth. */
  public static java.util.function.Consumer<OkHttpClient.Builder> auth(
      String bearerToken, String basicAuthUsername, String basicAuthPassword) {
    if (bearerToken != null) {
      return b -> b.addInterceptor(new BearerTokenInterceptor(bearerToken));
    }
    if (basicAuthUsername != null) {
      return b -> b.addInterceptor(new BasicAuthInterceptor(basicAuthUsername, basicAuthPassword));
    }
    return b -> {};
  }

  /**
   * @param configure adds what differs per remote (auth interceptors, TLS) to the client builder
   */
  public RemoteWriteClient(
      String url,
      Duration timeout,
      String userAgent,
      Supplier<Map<String, String>> extraHeaders,
      java.util.function.Consumer<OkHttpClient.Builder> configure) {
    this.url = HttpUrl.get(Objects.requireNonNull(url, "url"));
    this.userAgent = Objects.requireNonNull(userAgent, "userAgent");
    this.extraHeaders = extraHeaders;
    Objects.requireNonNull(timeout, "timeout");
    OkHttpClient.Builder builder =
        new OkHttpClient.Builder()
            .connectionPool(new ConnectionPool(1, 5, TimeUnit.MINUTES))
            .retryOnConnectionFailure(false)
            .followRedirects(false)
            .followSslRedirects(false)
            .callTimeout(timeout)
            .connectTimeout(timeout)
            .readTimeout(timeout)
            .writeTimeout(timeout);
    if (!this.url.isHttps()) {
      // Plain HTTP: with no TLS connection spec OkHttp never builds its TLS machinery (the
      // platform trust store and ~300 security classes: about 3 MiB of heap and class metadata
      // on a robot that does not use them).
      builder.connectionSpecs(java.util.List.of(okhttp3.ConnectionSpec.CLEARTEXT));
    }
    configure.accept(builder);
    this.http = builder.build();
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
   * Snappy raw block, sent as it is.
   */
  public PushOutcome pushCompressed(byte[] snappyBlock, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, snappyBlock.length);
    lastRequestBytes = length;

    Request.Builder request = new Request.Builder().url(url);
    Map<String, String> extra = extraHeaders == null ? null : extraHeaders.get();
    if (extra != null) {
      extra.forEach(request::header);
    }
    // Protocol headers last, so an extra header can never override them.
    request
        .post(RequestBody.create(snappyBlock, PROTOBUF, offset, length))
        .header("Content-Encoding", "snappy")
        .header("User-Agent", userAgent)
        .header("X-Prometheus-Remote-Write-Version", REMOTE_WRITE_VERSION);

    try (Response response = http.newCall(request.build()).execute()) {
      int code = response.code();
      String body =
          response.isSuccessful() ? null : response.peekBody(MAX_REJECT_BODY_BYTES).string();
      return OutcomeClassifier.classify(code, response.header("Retry-After"), body, Instant.now());
    } catch (IOException e) {
      return OutcomeClassifier.networkError(e);
    }
  }

  /** Compressed size in bytes of the last request body (0 before the first push). */
  public long lastRequestBytes() {
    return lastRequestBytes;
  }

  /** Drops pooled connections and stops the dispatcher's executor. */
  @Override
  public void close() {
    http.connectionPool().evictAll();
    http.dispatcher().executorService().shutdown();
  }
}
