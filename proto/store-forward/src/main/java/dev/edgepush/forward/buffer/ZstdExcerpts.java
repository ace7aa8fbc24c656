package dev.edgepush.forward.buffer;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.util.Native;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * zstd for format 3 excerpts ({@link RecordFormat}): level {@link #LEVEL}, the content size in the
 * frame header, no checksum (the excerpt's CRC32C covers the frame), no dictionary (every excerpt
 * decodes on its own). One compression and one decompression context per thread, kept (a context
 * made per call would allocate and initialise its tables every scrape).
 *
 * <p>zstd-jni's native library loads on first use; where it cannot (an architecture without a
 * build, a {@code noexec} temp directory) {@link #available} says false after one log line, the
 * writer keeps to format 2 (Snappy) and a format 3 excerpt is read as damage (it can only have been
 * written on another machine).
 */
final class ZstdExcerpts {
    private static final Logger log = LoggerFactory.getLogger(DiskBuffer.class);

    /**
     * Level 1: on the testbed's sensor data 5.35 bytes per sample against 5.83 at level 3 (after
     * {@link DecimalValues#split}: a level above 1 finds longer matches that this data lacks), and
     * the fastest (DiskBytesPerSampleTest).
     */
    static final int LEVEL = 1;

    private static volatile Boolean available;

    private static final ThreadLocal<ZstdCompressCtx> COMPRESS = ThreadLocal.withInitial(
            () -> new ZstdCompressCtx().setLevel(LEVEL).setContentSize(true).setChecksum(false));
    private static final ThreadLocal<ZstdDecompressCtx> DECOMPRESS = ThreadLocal.withInitial(ZstdDecompressCtx::new);

    private ZstdExcerpts() {}

    /** Whether zstd-jni's native library is loaded (loading it on the first call; never throws). */
    static boolean available() {
        Boolean a = available;
        if (a == null) {
            synchronized (ZstdExcerpts.class) {
                a = available;
                if (a == null) {
                    try {
                        Native.load();
                        a = true;
                    } catch (LinkageError | RuntimeException e) {
                        log.warn(
                                "buffer: zstd is not available on this machine (zstd-jni's native library did not"
                                        + " load: {}); writing format 2 (Snappy) excerpts",
                                e.toString());
                        a = false;
                    }
                    available = a;
                }
            }
        }
        return a;
    }

    /** Most bytes {@link #compress} writes for {@code length} bytes in. */
    static int maxCompressedLength(int length) {
        return (int) Math.min(Integer.MAX_VALUE - 8, Zstd.compressBound(length));
    }

    /** One frame of {@code src[0, length)} at {@code dst[0...]}; returns its length. */
    static int compress(byte[] src, int length, byte[] dst) {
        return COMPRESS.get().compressByteArray(dst, 0, dst.length, src, 0, length);
    }

    /**
     * The content size the frame {@code src[0, length)} declares, or -1 when it declares none or
     * is no frame.
     */
    static long contentSize(byte[] src, int length) {
        try {
            long n = Zstd.getFrameContentSize(src, 0, length);
            return n < 0 ? -1 : n;
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /**
     * Decompresses the frame {@code src[0, length)} into {@code dst[0, expected)}; returns the bytes
     * written, or -1 when the frame is damaged or does not give exactly {@code expected} bytes.
     */
    static int decompress(byte[] src, int length, byte[] dst, int expected) {
        try {
            int n = DECOMPRESS.get().decompressByteArray(dst, 0, expected, src, 0, length);
            return n == expected ? n : -1;
        } catch (RuntimeException e) { // ZstdException: a frame that does not decode
            return -1;
        }
    }
}
