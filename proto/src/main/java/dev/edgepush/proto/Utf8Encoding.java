package dev.edgepush.proto;

/**
 * Strings as UTF-8 the way {@code String.getBytes(UTF_8)} and protobuf-java encode them, straight
 * into a byte array: a surrogate pair takes four bytes, an unpaired surrogate becomes {@code '?'}.
 * Stateless.
 */
final class Utf8Encoding {
    private Utf8Encoding() {}

    /**
     * UTF-8 length as {@code s.getBytes(UTF_8).length}: pairs take 4 bytes, unpaired surrogates 1.
     */
    static int length(String s) {
        int n = s.length();
        long len = n;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                continue;
            }
            if (c < 0x800) {
                len += 1;
            } else if (!Character.isSurrogate(c)) {
                len += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                len += 2; // two chars, four bytes
                i++;
            } // else unpaired surrogate: '?', one byte
        }
        if (len > WriteRequestEncoder.MAX_ARRAY) {
            throw new IllegalArgumentException("string too long: " + len + " UTF-8 bytes");
        }
        return (int) len;
    }

    /** Writes {@code s} as UTF-8 at {@code b[p]} ({@link #length} bytes); returns the position after it. */
    static int write(String s, byte[] b, int p) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                b[p++] = (byte) c;
            } else if (c < 0x800) {
                b[p++] = (byte) (0xc0 | (c >>> 6));
                b[p++] = (byte) (0x80 | (c & 0x3f));
            } else if (!Character.isSurrogate(c)) {
                b[p++] = (byte) (0xe0 | (c >>> 12));
                b[p++] = (byte) (0x80 | ((c >>> 6) & 0x3f));
                b[p++] = (byte) (0x80 | (c & 0x3f));
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                b[p++] = (byte) (0xf0 | (cp >>> 18));
                b[p++] = (byte) (0x80 | ((cp >>> 12) & 0x3f));
                b[p++] = (byte) (0x80 | ((cp >>> 6) & 0x3f));
                b[p++] = (byte) (0x80 | (cp & 0x3f));
            } else {
                b[p++] = '?';
            }
        }
        return p;
    }
}
