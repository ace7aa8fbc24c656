package dev.edgepush.ingest.decode;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import dev.edgepush.forward.send.ZstdSupport;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ObjLongConsumer;
import java.util.zip.GZIPInputStream;
import org.xerial.snappy.Snappy;

/**
 * Undoes a request's {@code Content-Encoding} without ever holding more than {@code
 * maxDecompressedBytes}: for Snappy the length the block declares is checked before anything is
 * decompressed (a 1 KiB "decompression bomb" declaring 4 GiB is refused at once), and so is a
 * declared length the block's bytes could not hold (nothing is allocated for a lie); gzip is
 * inflated in 1 MiB steps and stopped as soon as it passes the limit. zstd gets both: a frame whose
 * header declares more than the limit is refused before anything is decoded, and every body is
 * decoded as a stream in 1 MiB steps, stopped as soon as it passes the limit (a frame may leave
 * its size out, and a body may hold more than one frame); the decoder's window is capped at {@code
 * 2^}{@link ZstdSupport#WINDOW_LOG_MAX} bytes, so a frame asking for a larger one is refused
 * instead of making it allocate up to 2 GiB outside the heap.
 */
public final class BodyDecompressor {
    /** What a route takes when the request names no encoding. */
    public enum Default {
        /** Remote write: the body is always Snappy, the header may be left out. */
        SNAPPY,
        /** Text import: an absent encoding means plain bytes. */
        IDENTITY
    }

    /** The request encodings central-ingest takes for remote write, as its answers list them. */
    public static final String ACCEPTED_WITH_ZSTD = "zstd, snappy";

    /** As {@link #ACCEPTED_WITH_ZSTD} where zstd-jni's native library does not load. */
    public static final String ACCEPTED_WITHOUT_ZSTD = "snappy";

    private final long maxDecompressedBytes;
    private final boolean zstd;
    private final ObjLongConsumer<String> decoded;

    /** Takes zstd where zstd-jni's native library loads; counts nothing. */
    public BodyDecompressor(long maxDecompressedBytes) {
        this(maxDecompressedBytes, ZstdSupport.available("central-ingest"), (encoding, bytes) -> {});
    }

    /**
     * @param zstd whether zstd bodies are taken (else 415, as for any unknown encoding)
     * @param decoded told of every body decompressed within the limit: its encoding ({@code snappy},
     *     {@code zstd}, {@code gzip}, {@code identity}) and its bytes as received
     */
    public BodyDecompressor(long maxDecompressedBytes, boolean zstd, ObjLongConsumer<String> decoded) {
        this.maxDecompressedBytes = maxDecompressedBytes;
        this.zstd = zstd;
        this.decoded = decoded;
    }

    /** The value of {@code X-Edgepush-Accept-Encoding} in answers: {@link #ACCEPTED_WITH_ZSTD} or without. */
    public String acceptedEncodings() {
        return zstd ? ACCEPTED_WITH_ZSTD : ACCEPTED_WITHOUT_ZSTD;
    }

    /**
     * Decodes {@code body} as {@code contentEncoding} (null = absent) into a new array of exactly
     * the decompressed length. Throws 415 for an unknown encoding, 413 when too large, 400 when the
     * bytes are not what the encoding says.
     */
    public byte[] decompress(byte[] body, String contentEncoding, Default whenAbsent) throws PayloadException {
        String enc = contentEncoding == null ? "" : contentEncoding.strip().toLowerCase(Locale.ROOT);
        if (enc.isEmpty()) {
            enc = whenAbsent == Default.SNAPPY ? "snappy" : "identity";
        }
        byte[] out;
        switch (enc) {
            case "snappy":
                out = snappy(body);
                break;
            case "identity":
                checkSize(body.length, "body");
                out = body;
                break;
            case "gzip":
            case "x-gzip":
                enc = "gzip";
                out = gzip(body);
                break;
            case "zstd":
                if (!zstd) { // zstd-jni did not load here
                    throw unsupported(contentEncoding);
                }
                out = zstd(body);
                break;
            default:
                throw unsupported(contentEncoding);
        }
        decoded.accept(enc, body.length);
        return out;
    }

    private PayloadException unsupported(String contentEncoding) {
        return new PayloadException(
                415,
                "unsupported Content-Encoding '" + contentEncoding + "': send " + (zstd ? "snappy or zstd" : "snappy")
                        + " (remote write), or identity or gzip (text import)");
    }

    /**
     * The most a Snappy block can expand: a copy element of 3 bytes (tag and 2-byte offset) makes
     * at most 64 bytes, every other element less per byte. A block declaring more than its bytes
     * could hold is lying, and is refused before anything is allocated for it.
     */
    static long maxSnappyOutput(int compressedBytes) {
        return (long) compressedBytes * 64 / 3 + 64;
    }

    private byte[] snappy(byte[] body) throws PayloadException {
        int declared;
        try {
            declared = Snappy.uncompressedLength(body, 0, body.length);
        } catch (IOException | RuntimeException e) {
            throw PayloadException.badRequest(
                    "body is not Snappy block format (remote write needs Snappy block, not framed): " + e.getMessage());
        }
        if (declared < 0) {
            throw PayloadException.badRequest("body is not Snappy block format: negative declared length " + declared);
        }
        checkSize(declared, "Snappy body declares");
        if (declared > maxSnappyOutput(body.length)) {
            throw PayloadException.badRequest(
                    "body is not valid Snappy block format: it declares " + declared + " bytes, more than its "
                            + body.length + " bytes can hold (at most " + maxSnappyOutput(body.length) + ")");
        }
        byte[] out = new byte[declared];
        try {
            int n = Snappy.rawUncompress(body, 0, body.length, out, 0);
            if (n != declared) {
                throw PayloadException.badRequest("Snappy body declares " + declared + " bytes but holds " + n);
            }
        } catch (IOException | RuntimeException e) {
            throw PayloadException.badRequest("body is not valid Snappy block format: " + e.getMessage());
        }
        return out;
    }

    /** Inflation step: what is held is at most this much over what the limit allows. */
    static final int GZIP_CHUNK_BYTES = 1 << 20;

    /**
     * Inflates into chunks of {@link #GZIP_CHUNK_BYTES}, counting as it goes, and stops with 413
     * as soon as the count passes the limit (a gzip bomb costs at most the limit, never its claimed
     * size, which gzip does not even state reliably). The chunks are joined into one exact array at
     * the end: no doubling buffer (which would hold up to twice the body, then copy it again).
     */
    private byte[] gzip(byte[] body) throws PayloadException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body), 8192)) {
            return inflate(in, "gzip");
        } catch (IOException e) {
            throw PayloadException.badRequest("body is not valid gzip: " + e.getMessage());
        }
    }

    /** What {@link Zstd#getFrameContentSize} answers for bytes that do not start a zstd frame. */
    private static final long ZSTD_CONTENTSIZE_ERROR = -2;

    /**
     * The declared size first (413 before any decoding when over the limit; a frame without one is
     * bounded while decoding), then the stream in steps as for gzip, with the window capped.
     */
    private byte[] zstd(byte[] body) throws PayloadException {
        long declared;
        try {
            declared = Zstd.getFrameContentSize(body, 0, body.length);
        } catch (RuntimeException e) {
            declared = ZSTD_CONTENTSIZE_ERROR;
        }
        if (declared == ZSTD_CONTENTSIZE_ERROR) {
            throw PayloadException.badRequest("body is not a zstd frame");
        }
        if (declared > 0) {
            checkSize(declared, "zstd body declares");
        }
        try (ZstdInputStreamNoFinalizer in = new ZstdInputStreamNoFinalizer(new ByteArrayInputStream(body))) {
            in.setLongMax(ZstdSupport.WINDOW_LOG_MAX);
            return inflate(in, "zstd");
        } catch (IOException e) {
            throw PayloadException.badRequest("body is not valid zstd: " + e.getMessage());
        }
    }

    /**
     * Reads {@code in} to its end in chunks of {@link #GZIP_CHUNK_BYTES}, throwing 413 as soon as
     * the count passes the limit, and joins the chunks into one exact array.
     */
    private byte[] inflate(InputStream in, String what) throws IOException, PayloadException {
        List<byte[]> chunks = new ArrayList<>();
        long total = 0;
        while (true) {
            byte[] chunk = new byte[(int) Math.min(GZIP_CHUNK_BYTES, maxDecompressedBytes - total + 1)];
            int filled = in.readNBytes(chunk, 0, chunk.length);
            total += filled;
            checkSize(total, what + " body inflates to more than");
            if (filled == 0) {
                break;
            }
            chunks.add(filled == chunk.length ? chunk : Arrays.copyOf(chunk, filled));
            if (filled < chunk.length) {
                break;
            }
        }
        byte[] out = new byte[(int) total];
        int at = 0;
        for (byte[] c : chunks) {
            System.arraycopy(c, 0, out, at, c.length);
            at += c.length;
        }
        return out;
    }

    private void checkSize(long bytes, String what) throws PayloadException {
        if (bytes > maxDecompressedBytes) {
            throw new PayloadException(
                    413,
                    what + " " + bytes + " bytes, over -maxDecompressedBytes=" + maxDecompressedBytes
                            + "; send smaller batches (edge-agent: -remoteWrite.maxBlockSize)");
        }
    }
}
