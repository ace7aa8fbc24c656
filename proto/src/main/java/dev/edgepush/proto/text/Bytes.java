package dev.edgepush.proto.text;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Byte-level helpers shared by the tokenizers. Stateless. */
final class Bytes {
    static final int METRIC_START = 1;
    static final int METRIC_PART = 2;
    static final int LABEL_START = 4;
    static final int LABEL_PART = 8;
    /** How much of a bad token an error message quotes, in characters. */
    static final int MAX_TOKEN_EXCERPT = 40;

    private static final byte[] CLASS = new byte[256];
    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long K = 0x9E3779B97F4A7C15L;

    static {
        for (int c = 0; c < 256; c++) {
            boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
            boolean digit = c >= '0' && c <= '9';
            int cls = 0;
            if (letter) {
                cls = METRIC_START | METRIC_PART | LABEL_START | LABEL_PART;
            } else if (digit) {
                cls = METRIC_PART | LABEL_PART;
            } else if (c == ':') {
                cls = METRIC_START | METRIC_PART;
            }
            CLASS[c] = (byte) cls;
        }
    }

    private Bytes() {}

    static boolean is(byte b, int cls) {
        return (CLASS[b & 0xFF] & cls) != 0;
    }

    static boolean isWs(byte b) {
        return b == ' ' || b == '\t';
    }

    /** First index in [i, end) that is not a space or tab, or end. */
    static int skipWs(byte[] b, int i, int end) {
        while (i < end && (b[i] == ' ' || b[i] == '\t')) {
            i++;
        }
        return i;
    }

    /** First index in [i, end) that is a space or tab, or end. */
    static int tokenEnd(byte[] b, int i, int end) {
        while (i < end && b[i] != ' ' && b[i] != '\t') {
            i++;
        }
        return i;
    }

    /**
     * End of a bare name starting at i: the first char must be in startCls, the rest in partCls.
     * Returns i when the first char does not qualify.
     */
    static int nameEnd(byte[] b, int i, int end, int startCls, int partCls) {
        if (i >= end || !is(b[i], startCls)) {
            return i;
        }
        i++;
        while (i < end && is(b[i], partCls)) {
            i++;
        }
        return i;
    }

    /**
     * Given b[i] == '"', the index just past the closing quote (honouring backslash escapes), or -1
     * when the string is not terminated before end.
     */
    static int quotedEnd(byte[] b, int i, int end) {
        i++;
        while (i < end) {
            byte c = b[i];
            if (c == '"') {
                return i + 1;
            }
            i += c == '\\' ? 2 : 1;
        }
        return -1;
    }

    /**
     * A hash of b[off, off+len) for hash tables keyed by byte ranges: eight bytes per step, then
     * MurmurHash3's finalizer, so every bit of the input reaches the low bits.
     */
    static int hash(byte[] b, int off, int len) {
        long h = len * K;
        int i = off;
        int end = off + len;
        for (; i <= end - 8; i += 8) {
            h = Long.rotateLeft((h ^ (long) LONG_LE.get(b, i)) * K, 31);
        }
        if (i < end) {
            long w = 0;
            for (int shift = 0; i < end; i++, shift += 8) {
                w |= (b[i] & 0xFFL) << shift;
            }
            h = Long.rotateLeft((h ^ w) * K, 31);
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return (int) h;
    }

    /** Whether b[s, e) is exactly the given ASCII text. */
    static boolean regionIs(byte[] b, int s, int e, String ascii) {
        if (e - s != ascii.length()) {
            return false;
        }
        for (int k = 0; k < ascii.length(); k++) {
            if (b[s + k] != ascii.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The end of the series key of the sample at first (its line ends at end), without decoding or
     * checking it: after the metric name (bare or quoted), or after the label block that follows it
     * (maybe after spaces) or starts the line; the block ends at the first '}' outside a quoted string. -1 when there
     * is no such end: no name, an unterminated quoted string or block, or a name followed by
     * neither a space, a '{' nor the line end (the full parse then reports the error).
     */
    static int seriesKeyEnd(byte[] b, int first, int end) {
        byte c = b[first];
        int nameEnd;
        if (c == '"') {
            nameEnd = quotedEnd(b, first, end);
            if (nameEnd < 0) {
                return -1;
            }
        } else if (c == '{') {
            nameEnd = first;
        } else {
            nameEnd = nameEnd(b, first, end, METRIC_START, METRIC_PART);
            if (nameEnd == first) {
                return -1;
            }
        }
        int i = skipWs(b, nameEnd, end);
        if (i == end || b[i] != '{') {
            return nameEnd == end || isWs(b[nameEnd]) ? nameEnd : -1;
        }
        for (i++; i < end; ) {
            c = b[i];
            if (c == '}') {
                return i + 1;
            }
            if (c == '"') {
                i = quotedEnd(b, i, end);
                if (i < 0) {
                    return -1;
                }
            } else {
                i++;
            }
        }
        return -1;
    }

    /** b[s, e) decoded as UTF-8 (malformed input becomes U+FFFD), cut to maxChars with "...". */
    static String text(byte[] b, int s, int e, int maxChars) {
        // Decode at most 4 bytes per kept char: enough for maxChars, bounded for huge lines.
        int len = Math.min(e - s, maxChars * 4 + 4);
        String t = new String(b, s, len, StandardCharsets.UTF_8);
        if (t.length() <= maxChars && len == e - s) {
            return t;
        }
        int cut = Math.min(t.length(), maxChars - 3);
        if (cut > 0 && Character.isHighSurrogate(t.charAt(cut - 1))) {
            cut--;
        }
        return t.substring(0, cut) + "...";
    }
}
