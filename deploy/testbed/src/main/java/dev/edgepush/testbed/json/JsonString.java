package dev.edgepush.testbed.json;

import java.util.Locale;

/** JSON string literals for the reports and dashboards the testbed writes. */
public final class JsonString {
    private JsonString() {}

    /** {@code s} as a JSON string literal ({@code \n} and {@code \t} short, other control characters as {@code \}{@code uXXXX}). */
    public static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
