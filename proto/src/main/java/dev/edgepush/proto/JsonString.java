package dev.edgepush.proto;

import java.util.Locale;

/** JSON string literals for the small JSON answers the daemons write by hand. */
public final class JsonString {
    private JsonString() {}

    /** {@code s} as a JSON string literal: quotes and backslashes escaped, control characters as {@code \}{@code uXXXX}. */
    public static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
