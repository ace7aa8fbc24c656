package dev.edgepush.ingest.decode;

/**
 * The label rules {@link BatchBuilder} applies (names match {@code [a-zA-Z_][a-zA-Z0-9_]*}), the
 * wire sizes it checks a series against the WAL's limit with, and its label sort.
 */
final class LabelRules {
    private LabelRules() {}

    /** {@link #isLabelName(String)} of UTF-8 bytes: any non-ASCII byte makes it invalid, as any non-ASCII char does. */
    static boolean isLabelName(byte[] a, int off, int len) {
        if (len == 0) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            byte c = a[off + i];
            boolean ok =
                    c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9');
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    static boolean isLabelName(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok =
                    c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9');
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** A Label field in a TimeSeries: tag, length, and name and value each with tag and length. */
    static long labelFieldSize(int nameBytes, int valueBytes) {
        long body = 1 + varintSize(nameBytes) + (long) nameBytes + 1 + varintSize(valueBytes) + valueBytes;
        return 1 + varintSize(body) + body;
    }

    static int varintSize(long v) {
        int n = 1;
        while (v >= 0x80) {
            v >>>= 7;
            n++;
        }
        return n;
    }

    static int utf8Length(String s) {
        int n = s.length();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x800) {
                n += Character.isSurrogate(c) ? 1 : 2; // a pair is 4 bytes for 2 chars
            } else if (c >= 0x80) {
                n += 1;
            }
        }
        return n;
    }

    /** Insertion sort of name/value pairs by name: series have few labels. */
    static void sortPairs(String[] a, int pairs) {
        for (int i = 1; i < pairs; i++) {
            String name = a[2 * i];
            String value = a[2 * i + 1];
            int j = i - 1;
            while (j >= 0 && a[2 * j].compareTo(name) > 0) {
                a[2 * j + 2] = a[2 * j];
                a[2 * j + 3] = a[2 * j + 1];
                j--;
            }
            a[2 * j + 2] = name;
            a[2 * j + 3] = value;
        }
    }
}
