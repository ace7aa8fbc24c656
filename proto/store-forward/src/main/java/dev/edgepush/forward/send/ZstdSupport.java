package dev.edgepush.forward.send;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.util.Native;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * zstd ({@code Content-Encoding: zstd}) through zstd-jni: whether its native library loads on this
 * machine, and the one way edge-agent compresses with it.
 *
 * <p>zstd-jni unpacks a native library for the running OS and CPU from its jar. Where that fails
 * (an architecture it has no build for, a {@code noexec} temp directory) {@link #available} says
 * false, once with one log line, and the caller keeps to Snappy: nothing else touches zstd-jni's
 * classes before asking.
 *
 * <p>{@link #compress} is deterministic: the same bytes in give the same bytes out (fixed level
 * {@link #LEVEL}, single-threaded, no dictionary, content size in the frame header, no checksum),
 * so a batch sent again is byte-identical.
 */
public final class ZstdSupport {
    private static final Logger log = LoggerFactory.getLogger(ZstdSupport.class);

    /**
     * The compression level edge-agent uses: zstd's default, measured in WireBytesPerSampleTest
     * against 1 and 9. Its window is at most 2 MiB (less for a smaller batch), well within what
     * central-ingest's decoder allows ({@code 2^WINDOW_LOG_MAX}).
     */
    public static final int LEVEL = 3;

    /**
     * The largest window (log2 bytes) central-ingest's decoder allocates for a frame: 8 MiB. A frame
     * that asks for more is refused rather than decoded (zstd's own default limit is 128 MiB).
     */
    public static final int WINDOW_LOG_MAX = 23;

    private static volatile Boolean available;

    private ZstdSupport() {}

    /**
     * Whether zstd-jni's native library is loaded (loading it on the first call). On failure logs
     * one warning naming {@code who} and why, and says false from then on; never throws.
     */
    public static boolean available(String who) {
        Boolean a = available;
        if (a == null) {
            synchronized (ZstdSupport.class) {
                a = available;
                if (a == null) {
                    a = probe(Native::load, who);
                    available = a;
                }
            }
        }
        return a;
    }

    /** Runs {@code load}; true when it returned, false (with one log line) when it threw. */
    static boolean probe(Runnable load, String who) {
        try {
            load.run();
            return true;
        } catch (LinkageError | RuntimeException e) {
            log.warn(
                    "{}: zstd is not available on this machine (zstd-jni's native library did not load: {});"
                            + " Snappy only",
                    who,
                    e.toString());
            return false;
        }
    }

    /** Most bytes {@link #compress} writes for {@code length} bytes in. */
    public static int maxCompressedLength(int length) {
        long bound = Zstd.compressBound(length);
        if (bound > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(length + " bytes are too many for one zstd request");
        }
        return (int) bound;
    }

    /**
     * Compresses {@code src[offset, offset + length)} into one zstd frame at {@code dst[0...]} (which
     * must hold {@link #maxCompressedLength}); returns the frame's length. Only after {@link
     * #available} said true.
     */
    public static int compress(byte[] src, int offset, int length, byte[] dst) {
        long n = Zstd.compressByteArray(dst, 0, dst.length, src, offset, length, LEVEL);
        if (Zstd.isError(n)) {
            throw new IllegalStateException("zstd: " + Zstd.getErrorName(n));
        }
        return (int) n;
    }
}
