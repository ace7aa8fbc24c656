package dev.edgepush.ingest.decode;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import org.xerial.snappy.Snappy;

/**
 * Undoes a request's {@code Content-Encoding} without ever holding more than {@code
 * maxDecompressedBytes}: for Snappy the length the block declares is checked before anything is
 * decompressed (a 1 KiB "decompression bomb" declaring 4 GiB is refused at once); gzip is
 * inflated in steps and stopped as soon as it passes the limit.
 */
public final class BodyDecompressor {
  /** What a route takes when the request names no encoding. */
  public enum Default {
    /** Remote write: the body is always Snappy, the header may be left out. */
    SNAPPY,
    /** Text import: an absent encoding means plain bytes. */
    IDENTITY
  }

  private final long maxDecompressedBytes;

  public BodyDecompressor(long maxDecompressedBytes) {
    this.maxDecompressedBytes = maxDecompressedBytes;
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
    switch (enc) {
      case "snappy":
        return snappy(body);
      case "identity":
        checkSize(body.length, "body");
        return body;
      case "gzip":
      case "x-gzip":
        return gzip(body);
      default:
        throw new PayloadException(415, "unsupported Content-Encoding '" + contentEncoding
            + "': send snappy (remote write), or identity or gzip (text import)");
    }
  }

  private byte[] snappy(byte[] body) throws PayloadException {
    int declared;
    try {
      declared = Snappy.uncompressedLength(body, 0, body.length);
    } catch (IOException | RuntimeException e) {
      throw PayloadException.badRequest("body is not Snappy block format (remote write needs Snappy block, not framed): "
          + e.getMessage());
    }
    if (declared < 0) {
      throw PayloadException.badRequest("body is not Snappy block format: negative declared length " + declared);
    }
    checkSize(declared, "Snappy body declares");
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

  private byte[] gzip(byte[] body) throws PayloadException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body), 8192)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(body.length * 4, 1 << 20));
      byte[] buf = new byte[8192];
      long total = 0;
      int n;
      while ((n = in.read(buf)) > 0) {
        total += n;
        checkSize(total, "gzip body inflates to more than");
        out.write(buf, 0, n);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw PayloadException.badRequest("body is not valid gzip: " + e.getMessage());
    }
  }

  private void checkSize(long bytes, String what) throws PayloadException {
    if (bytes > maxDecompressedBytes) {
      throw new PayloadException(413, what + " " + bytes + " bytes, over -maxDecompressedBytes="
          + maxDecompressedBytes + "; send smaller batches (edge-agent: -remoteWrite.maxBlockSize)");
    }
  }
}
