package dev.edgepush.agent.host;

import java.util.Map;
import java.util.TreeMap;

/**
 * A small reader of the text format for the host tests: series key ({@code name{a="1",b="2"}},
 * labels sorted, empty-valued labels dropped as Prometheus drops them) to value.
 */
final class Exposition {
    private Exposition() {}

    static Map<String, Double> parse(String text) {
        Map<String, Double> out = new TreeMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space;
            String name;
            TreeMap<String, String> labels = new TreeMap<>();
            if (brace >= 0 && brace < line.indexOf(' ')) {
                name = line.substring(0, brace);
                int i = brace + 1;
                while (line.charAt(i) != '}') {
                    int eq = line.indexOf('=', i);
                    String ln = line.substring(i, eq).trim();
                    StringBuilder v = new StringBuilder();
                    int j = eq + 2;
                    for (; line.charAt(j) != '"'; j++) {
                        char c = line.charAt(j);
                        if (c == '\\') {
                            char n = line.charAt(++j);
                            v.append(n == 'n' ? '\n' : n);
                        } else {
                            v.append(c);
                        }
                    }
                    if (v.length() > 0) {
                        labels.put(ln, v.toString());
                    }
                    i = j + 1;
                    if (line.charAt(i) == ',') {
                        i++;
                    }
                }
                space = i + 1;
            } else {
                space = line.indexOf(' ');
                name = line.substring(0, space);
            }
            String[] rest = line.substring(space).trim().split("\\s+");
            out.put(
                    key(name, labels),
                    Double.parseDouble(rest[0].replace("+Inf", "Infinity").replace("-Inf", "-Infinity")));
        }
        return out;
    }

    static String key(String name, Map<String, String> labels) {
        StringBuilder sb = new StringBuilder(name).append('{');
        labels.forEach((k, v) -> sb.append(k).append("=\"").append(v).append("\","));
        return sb.append('}').toString();
    }

    static String name(String key) {
        return key.substring(0, key.indexOf('{'));
    }

    /** The label names of a key, sorted, comma-separated. */
    static String labelNames(String key) {
        StringBuilder sb = new StringBuilder();
        String body = key.substring(key.indexOf('{') + 1, key.length() - 1);
        for (String part : body.split("\",")) {
            if (!part.isEmpty()) {
                sb.append(part, 0, part.indexOf('=')).append(',');
            }
        }
        return sb.toString();
    }
}
