package dev.edgepush.forward.send;

import dev.edgepush.proto.V2RequestEncoder;
import java.io.IOException;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xerial.snappy.Snappy;

/**
 * The {@link Sender.Transport} of one remote that speaks the protocol {@code -remoteWrite.protocol}
 * chose: the one place that decides between remote write 1.0 and 2.0.
 *
 * <p>The sender always hands over its batch as buffered: joined 1.0 WriteRequests in one Snappy
 * block. {@code 1.0} sends that block as it is (the bytes are those of a sender without this
 * class). {@code 2.0} decompresses it, re-encodes it with {@link V2RequestEncoder} (deterministic:
 * a retried batch is byte-identical) and compresses that. The batch's memory bound holds: the
 * scratch arrays grow to the largest batch (about {@code maxBatchBytes} decompressed, and its 2.0
 * form, which is smaller) and are kept.
 *
 * <p>{@code auto} sends 2.0 and falls back to 1.0 for the URL when an answer to a 2.0 request shows
 * a receiver that does not take it, and then sends <em>the same batch</em> again as 1.0 at once;
 * only the 1.0 answer is the batch's outcome, so nothing is lost and nothing is counted twice:
 * <ul>
 *   <li>415 Unsupported Media Type;
 *   <li>a 2xx without {@code X-Prometheus-Remote-Write-Samples-Written}: a 1.0 receiver that
 *       decoded an empty request (2.0 fields are unknown to 1.0) and stored nothing;
 *   <li>any other answer that would drop the batch (a 4xx but 408 and 429) when the batch then
 *       goes through as 1.0: a receiver that refuses the unknown body outright. If 1.0 is
 *       refused too, the batch is refused for what it holds and the protocol stays as it was.
 * </ul>
 * A 2.0 answer that wrote fewer samples than sent is no fallback (the receiver refused some on
 * their merits); a retryable answer (5xx, 429, 408, network error) is retried as the sender
 * retries, with 2.0 again. After a fallback, 2.0 is tried again with the first batch sent {@link
 * #RECHECK_MS} later. Only the sender's thread calls {@link #push}.
 */
public final class ProtocolTransport implements Sender.Transport {
  private static final Logger log = LoggerFactory.getLogger(ProtocolTransport.class);

  /**
   * After a fallback, how long 1.0 is used before 2.0 is tried again: an upgraded receiver is found
   * within the hour, and a 1.0 receiver costs one batch sent twice per hour.
   */
  public static final long RECHECK_MS = 3_600_000;

  private final RemoteWriteClient client;
  private final RemoteWriteProtocol mode;
  private final LongSupplier clockMs;
  private final String remoteName;
  private final V2RequestEncoder encoder = new V2RequestEncoder();
  private byte[] plain = new byte[64 * 1024];
  private byte[] packed = new byte[64 * 1024];
  private volatile boolean sendingV2;
  private long fellBackAtMs;
  private long lastBytes;

  /** @param remoteName the remote as logs name it */
  public ProtocolTransport(RemoteWriteClient client, RemoteWriteProtocol mode, LongSupplier clockMs,
      String remoteName) {
    this.client = client;
    this.mode = mode;
    this.clockMs = clockMs;
    this.remoteName = remoteName;
    this.sendingV2 = mode != RemoteWriteProtocol.V1;
  }

  /** The protocol this remote is sent now: {@code "1.0"} or {@code "2.0"} (auto: what it tries next). */
  public String protocol() {
    return sendingV2 ? "2.0" : "1.0";
  }

  @Override
  public PushOutcome push(byte[] body, int offset, int length) {
    long now = clockMs.getAsLong();
    if (mode == RemoteWriteProtocol.V1
        || (mode == RemoteWriteProtocol.AUTO && !sendingV2 && now - fellBackAtMs < RECHECK_MS)) {
      return pushV1(body, offset, length, 0);
    }
    int n;
    try {
      n = encodeV2(body, offset, length);
    } catch (IOException | IllegalArgumentException e) {
      // The buffer's checksum covered these bytes; a batch 2.0 cannot express still goes as 1.0.
      log.warn("remote {}: cannot encode a batch as remote write 2.0 ({}); sending it as 1.0", remoteName,
          e.getMessage());
      return pushV1(body, offset, length, 0);
    }
    PushOutcome v2 = client.pushCompressed(packed, 0, n, true);
    long bytes = client.lastRequestBytes();
    if (mode == RemoteWriteProtocol.V2) {
      lastBytes = bytes;
      return v2;
    }
    String fallback = fallbackReason(v2, client.lastSamplesWritten());
    if (fallback == null) {
      if (!sendingV2 && v2 instanceof PushOutcome.Delivered) {
        log.info("remote {} takes remote write 2.0 now; sending 2.0", remoteName);
        sendingV2 = true;
      }
      lastBytes = bytes;
      return v2;
    }
    PushOutcome v1 = pushV1(body, offset, length, bytes);
    boolean definite = !(v2 instanceof PushOutcome.Rejected r) || r.code() == 415 || v1 instanceof PushOutcome.Delivered;
    if (definite) {
      if (sendingV2) {
        log.warn("remote {} does not take remote write 2.0 ({}): the batch was sent again as 1.0, and 1.0 is"
            + " used for this URL; 2.0 is tried again in {} min", remoteName, fallback, RECHECK_MS / 60_000);
      }
      sendingV2 = false;
      fellBackAtMs = now;
    }
    return v1;
  }

  /** Why the answer {@code o} to a 2.0 request calls for 1.0, or null when it does not. */
  static String fallbackReason(PushOutcome o, String samplesWrittenHeader) {
    if (o instanceof PushOutcome.Delivered d) {
      return samplesWrittenHeader == null ? "HTTP " + d.code() + " without " + RemoteWriteClient.SAMPLES_WRITTEN_HEADER
          : null;
    }
    if (o instanceof PushOutcome.Rejected r) {
      return "HTTP " + r.code() + (r.body().isEmpty() ? "" : ": " + r.body());
    }
    return null;
  }

  private PushOutcome pushV1(byte[] body, int offset, int length, long bytesBefore) {
    PushOutcome o = client.pushCompressed(body, offset, length);
    lastBytes = bytesBefore + client.lastRequestBytes();
    return o;
  }

  /** Encodes the 1.0 block {@code body[offset, offset + length)} as 2.0 into {@link #packed}; returns its length. */
  int encodeV2(byte[] body, int offset, int length) throws IOException {
    int plainLength = Snappy.uncompressedLength(body, offset, length);
    if (plain.length < plainLength) {
      plain = new byte[Math.max(plainLength, plain.length + plain.length / 2)];
    }
    int got = Snappy.rawUncompress(body, offset, length, plain, 0);
    encoder.encode(plain, 0, got);
    int max = Snappy.maxCompressedLength(encoder.size());
    if (packed.length < max) {
      packed = new byte[Math.max(max, packed.length + packed.length / 2)];
    }
    return Snappy.rawCompress(encoder.array(), 0, encoder.size(), packed, 0);
  }

  /** The 2.0 request {@link #encodeV2} compressed last (its return value says how many bytes). */
  byte[] packed() {
    return packed;
  }

  /** Compressed bytes of the last push, both requests when a batch went as 2.0 and then as 1.0. */
  @Override
  public long lastRequestBytes() {
    return lastBytes;
  }
}
