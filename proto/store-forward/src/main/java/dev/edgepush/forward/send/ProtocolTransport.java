package dev.edgepush.forward.send;

import dev.edgepush.proto.V2RequestEncoder;
import java.io.IOException;
import java.util.function.BooleanSupplier;
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
 * #RECHECK_MS} later.
 *
 * <p>Compression ({@code -remoteWrite.compression}, {@link RemoteWriteCompression}): each request
 * goes as Snappy, or as one zstd frame ({@link ZstdSupport}, deterministic: a batch sent again is
 * byte-identical) with {@code Content-Encoding: zstd}. {@code auto} starts with Snappy and sends
 * zstd once an answer to a push that was stored ({@code 2xx}) listed {@code zstd} in {@link
 * RemoteWriteClient#ACCEPT_ENCODING_HEADER} (central-ingest sends it; Prometheus, VictoriaMetrics
 * and vmagent do not, so they only ever get Snappy). A zstd request refused with 415, or refused
 * with another 4xx (not 408, 429) that the same request then passes as Snappy, is sent again at once
 * as Snappy (only that answer counts) and the URL goes back to Snappy; the header is heeded again
 * {@link #RECHECK_MS} later. This comes before the protocol decision above: a 2.0 request refused as
 * zstd and as Snappy is a 2.0 refusal. zstd-jni's native library is loaded when zstd is first
 * to be used (at start for {@code zstd}); where it cannot load, every request is Snappy, with one
 * log line. The encoding changes only between batches or by such a refusal, never for a retry
 * after a network error or 5xx, so each retried request is the same bytes as before. Only the
 * sender's thread calls {@link #push}.
 */
public final class ProtocolTransport implements Sender.Transport {
    private static final Logger log = LoggerFactory.getLogger(ProtocolTransport.class);

    /**
     * After a fallback, how long 1.0 (or Snappy) is used before 2.0 (or zstd) is tried again: an
     * upgraded receiver is found within the hour, and a receiver that does not take it costs one batch
     * sent twice per hour.
     */
    public static final long RECHECK_MS = 3_600_000;

    private final RemoteWriteClient client;
    private final RemoteWriteProtocol mode;
    private final RemoteWriteCompression compression;
    private final LongSupplier clockMs;
    private final BooleanSupplier zstdLoads;
    private final String remoteName;
    private final V2RequestEncoder encoder = new V2RequestEncoder();
    private byte[] plain = new byte[64 * 1024];
    private byte[] packed = new byte[64 * 1024];
    /** The zstd frame of the request being sent; allocated at the first zstd request. */
    private byte[] zpacked = new byte[0];

    private volatile boolean sendingV2;
    private volatile boolean sendingZstd;
    private long fellBackAtMs;
    /** When a zstd request was last refused; Long.MIN_VALUE: never. */
    private long zstdRefusedAtMs = Long.MIN_VALUE;

    private long lastBytes;

    /** Snappy only, as before {@code -remoteWrite.compression}. */
    public ProtocolTransport(
            RemoteWriteClient client, RemoteWriteProtocol mode, LongSupplier clockMs, String remoteName) {
        this(client, mode, RemoteWriteCompression.SNAPPY, clockMs, remoteName);
    }

    /**
     * @param compression {@code -remoteWrite.compression}; {@code zstd} loads zstd-jni's native
     *     library now, {@code auto} once a remote lists zstd (on failure: Snappy, one log line)
     * @param remoteName the remote as logs name it
     */
    public ProtocolTransport(
            RemoteWriteClient client,
            RemoteWriteProtocol mode,
            RemoteWriteCompression compression,
            LongSupplier clockMs,
            String remoteName) {
        this(client, mode, compression, clockMs, remoteName, () -> ZstdSupport.available("remote " + remoteName));
    }

    /** @param zstdLoads loads zstd-jni's native library, says whether it did ({@link ZstdSupport#available}) */
    ProtocolTransport(
            RemoteWriteClient client,
            RemoteWriteProtocol mode,
            RemoteWriteCompression compression,
            LongSupplier clockMs,
            String remoteName,
            BooleanSupplier zstdLoads) {
        this.zstdLoads = zstdLoads;
        this.client = client;
        this.mode = mode;
        this.compression = compression;
        this.clockMs = clockMs;
        this.remoteName = remoteName;
        this.sendingV2 = mode != RemoteWriteProtocol.V1;
        this.sendingZstd = compression == RemoteWriteCompression.ZSTD && zstdLoads.getAsBoolean();
    }

    /** The protocol this remote is sent now: {@code "1.0"} or {@code "2.0"} (auto: what it tries next). */
    public String protocol() {
        return sendingV2 ? "2.0" : "1.0";
    }

    /** The {@code Content-Encoding} this remote is sent now: {@code "snappy"} or {@code "zstd"}. */
    public String compression() {
        return sendingZstd ? "zstd" : "snappy";
    }

    @Override
    public PushOutcome push(byte[] body, int offset, int length) {
        long now = clockMs.getAsLong();
        lastBytes = 0;
        if (mode == RemoteWriteProtocol.V1
                || (mode == RemoteWriteProtocol.AUTO && !sendingV2 && now - fellBackAtMs < RECHECK_MS)) {
            return sendV1(body, offset, length, now);
        }
        try {
            encodeV2Plain(body, offset, length);
        } catch (IOException | IllegalArgumentException e) {
            // The buffer's checksum covered these bytes; a batch 2.0 cannot express still goes as 1.0.
            log.warn(
                    "remote {}: cannot encode a batch as remote write 2.0 ({}); sending it as 1.0",
                    remoteName,
                    e.getMessage());
            return sendV1(body, offset, length, now);
        }
        PushOutcome v2 = sendV2(now);
        if (mode == RemoteWriteProtocol.V2) {
            return v2;
        }
        String fallback = fallbackReason(v2, client.lastSamplesWritten());
        if (fallback == null) {
            if (!sendingV2 && v2 instanceof PushOutcome.Delivered) {
                log.info("remote {} takes remote write 2.0 now; sending 2.0", remoteName);
                sendingV2 = true;
            }
            return v2;
        }
        PushOutcome v1 = sendV1(body, offset, length, now);
        boolean definite =
                !(v2 instanceof PushOutcome.Rejected r) || r.code() == 415 || v1 instanceof PushOutcome.Delivered;
        if (definite) {
            if (sendingV2) {
                log.warn(
                        "remote {} does not take remote write 2.0 ({}): the batch was sent again as 1.0, and 1.0 is"
                                + " used for this URL; 2.0 is tried again in {} min",
                        remoteName,
                        fallback,
                        RECHECK_MS / 60_000);
            }
            sendingV2 = false;
            fellBackAtMs = now;
        }
        return v1;
    }

    /** Why the answer {@code o} to a 2.0 request calls for 1.0, or null when it does not. */
    static String fallbackReason(PushOutcome o, String samplesWrittenHeader) {
        if (o instanceof PushOutcome.Delivered d) {
            return samplesWrittenHeader == null
                    ? "HTTP " + d.code() + " without " + RemoteWriteClient.SAMPLES_WRITTEN_HEADER
                    : null;
        }
        if (o instanceof PushOutcome.Rejected r) {
            return "HTTP " + r.code() + (r.body().isEmpty() ? "" : ": " + r.body());
        }
        return null;
    }

    /** Sends the 1.0 block {@code body[offset, offset + length)}: as it is, or as zstd. */
    private PushOutcome sendV1(byte[] body, int offset, int length, long now) {
        if (sendingZstd) {
            int plainLength;
            try {
                plainLength = unsnappy(body, offset, length);
            } catch (IOException | IllegalArgumentException e) {
                // Not a valid Snappy block (the buffer's checksum makes this next to impossible): send it
                // as it is, and let the receiver judge it as it would have without zstd.
                return send(body, offset, length, false, "snappy", now);
            }
            PushOutcome z = sendZstd(plain, 0, plainLength, false, now);
            if (!(z instanceof PushOutcome.Rejected r) || compression == RemoteWriteCompression.ZSTD) {
                return z;
            }
            PushOutcome s = send(body, offset, length, false, "snappy", now);
            zstdRefused(r, s, now);
            return s;
        }
        return send(body, offset, length, false, "snappy", now);
    }

    /** Sends the 2.0 request {@link #encoder} holds: as zstd or Snappy. */
    private PushOutcome sendV2(long now) {
        if (sendingZstd) {
            PushOutcome z = sendZstd(encoder.array(), 0, encoder.size(), true, now);
            if (!(z instanceof PushOutcome.Rejected r) || compression == RemoteWriteCompression.ZSTD) {
                return z;
            }
            int n = snappyV2();
            PushOutcome s = send(packed, 0, n, true, "snappy", now);
            zstdRefused(r, s, now);
            return s;
        }
        // snappyV2() first: it may replace packed with a larger array.
        int n = snappyV2();
        return send(packed, 0, n, true, "snappy", now);
    }

    /** Compresses {@code plainBytes[offset, offset + length)} as zstd and sends it. */
    private PushOutcome sendZstd(byte[] plainBytes, int offset, int length, boolean v2, long now) {
        int max = ZstdSupport.maxCompressedLength(length);
        if (zpacked.length < max) {
            zpacked = new byte[Math.max(max, zpacked.length + zpacked.length / 2)];
        }
        int n = ZstdSupport.compress(plainBytes, offset, length, zpacked);
        return send(zpacked, 0, n, v2, "zstd", now);
    }

    /**
     * Sends one request as it is and adds its bytes to the push's; a stored Snappy request whose
     * answer lists zstd switches an {@code auto} URL to zstd for the next batch.
     */
    private PushOutcome send(byte[] compressed, int offset, int length, boolean v2, String encoding, long now) {
        PushOutcome o = client.pushCompressed(compressed, offset, length, v2, encoding);
        lastBytes += client.lastRequestBytes();
        if (!sendingZstd
                && compression == RemoteWriteCompression.AUTO
                && o instanceof PushOutcome.Delivered
                && takesZstd(client.lastAcceptEncoding())
                && (zstdRefusedAtMs == Long.MIN_VALUE || now - zstdRefusedAtMs >= RECHECK_MS)
                && zstdLoads.getAsBoolean()) {
            log.info("remote {} takes zstd; sending zstd", remoteName);
            sendingZstd = true;
        }
        return o;
    }

    /**
     * A zstd request was refused with {@code z}, the same request as Snappy then answered {@code s}:
     * back to Snappy for this URL on 415, or when Snappy passed where zstd did not.
     */
    private void zstdRefused(PushOutcome.Rejected z, PushOutcome s, long now) {
        if (z.code() == 415 || s instanceof PushOutcome.Delivered) {
            log.warn(
                    "remote {} refused a zstd request (HTTP {}{}): the batch was sent again as Snappy, and Snappy is"
                            + " used for this URL; zstd is offered again in {} min",
                    remoteName,
                    z.code(),
                    z.body().isEmpty() ? "" : ": " + z.body(),
                    RECHECK_MS / 60_000);
            sendingZstd = false;
            zstdRefusedAtMs = now;
        }
    }

    /** Whether an {@link RemoteWriteClient#ACCEPT_ENCODING_HEADER} value lists zstd. */
    static boolean takesZstd(String header) {
        if (header == null) {
            return false;
        }
        for (String part : header.split(",")) {
            int semi = part.indexOf(';');
            String coding = (semi < 0 ? part : part.substring(0, semi)).strip();
            if (coding.equalsIgnoreCase("zstd")) {
                return true;
            }
        }
        return false;
    }

    /** Decompresses the Snappy block {@code body[offset, offset + length)} into {@link #plain}; returns its length. */
    private int unsnappy(byte[] body, int offset, int length) throws IOException {
        int plainLength = Snappy.uncompressedLength(body, offset, length);
        if (plain.length < plainLength) {
            plain = new byte[Math.max(plainLength, plain.length + plain.length / 2)];
        }
        return Snappy.rawUncompress(body, offset, length, plain, 0);
    }

    /** Encodes the 1.0 block {@code body[offset, offset + length)} as a 2.0 request into {@link #encoder}. */
    private void encodeV2Plain(byte[] body, int offset, int length) throws IOException {
        int got = unsnappy(body, offset, length);
        encoder.encode(plain, 0, got);
    }

    /** Compresses the 2.0 request {@link #encoder} holds as Snappy into {@link #packed}; returns its length. */
    private int snappyV2() {
        int max = Snappy.maxCompressedLength(encoder.size());
        if (packed.length < max) {
            packed = new byte[Math.max(max, packed.length + packed.length / 2)];
        }
        try {
            return Snappy.rawCompress(encoder.array(), 0, encoder.size(), packed, 0);
        } catch (IOException e) {
            throw new IllegalStateException("Snappy could not compress " + encoder.size() + " bytes", e);
        }
    }

    /** Encodes the 1.0 block {@code body[offset, offset + length)} as 2.0 into {@link #packed}; returns its length. */
    int encodeV2(byte[] body, int offset, int length) throws IOException {
        encodeV2Plain(body, offset, length);
        return snappyV2();
    }

    /** The 2.0 request {@link #encodeV2} compressed last (its return value says how many bytes). */
    byte[] packed() {
        return packed;
    }

    /** The uncompressed 2.0 request {@link #encodeV2} encoded last: {@code [0, v2Size())}. */
    byte[] v2Plain() {
        return encoder.array();
    }

    /** The length of {@link #v2Plain}. */
    int v2Size() {
        return encoder.size();
    }

    /** Compressed bytes of the last push: every request it took (2.0 then 1.0, zstd then Snappy). */
    @Override
    public long lastRequestBytes() {
        return lastBytes;
    }
}
