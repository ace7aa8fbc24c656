package dev.edgepush.testbed.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The samples of one Prometheus text (0.0.4) exposition, as an agent's own {@code /metrics}
 * serves it, with the few look-ups the benchmark needs: the sum of a metric over all its label
 * sets, optionally restricted to one label value. Comments, timestamps and exemplars are ignored;
 * a line that cannot be read is skipped (an agent's page is not what is under test here).
 */
public final class PromText {
    /** One sample line: metric name, labels in order of appearance, value. */
    public record Sample(String name, Map<String, String> labels, double value) {}

    private final List<Sample> samples;

    private PromText(List<Sample> samples) {
        this.samples = samples;
    }

    /** Parses an exposition. */
    public static PromText parse(String text) {
        List<Sample> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            Sample s = parseLine(line.strip());
            if (s != null) {
                out.add(s);
            }
        }
        return new PromText(out);
    }

    /** Every sample, in order. */
    public List<Sample> samples() {
        return samples;
    }

    /** Whether at least one sample of {@code name} is present. */
    public boolean has(String name) {
        return samples.stream().anyMatch(s -> s.name.equals(name));
    }

    /**
     * Sum of every sample of {@code name}.
     *
     * @throws IllegalStateException when the metric is absent, naming it: a renamed metric must
     *     fail the benchmark loudly instead of reading as zero
     */
    public double sum(String name) {
        return sum(name, null, null);
    }

    /**
     * Sum of the samples of {@code name} whose label {@code label} equals {@code value} (every
     * sample of {@code name} when {@code label} is null).
     *
     * @throws IllegalStateException when no sample matches
     */
    public double sum(String name, String label, String value) {
        double sum = 0;
        boolean found = false;
        for (Sample s : samples) {
            if (s.name.equals(name) && (label == null || value.equals(s.labels.get(label)))) {
                sum += s.value;
                found = true;
            }
        }
        if (!found) {
            throw new IllegalStateException("metric " + name
                    + (label == null ? "" : "{" + label + "=\"" + value + "\"}") + " not found on /metrics");
        }
        return sum;
    }

    static Sample parseLine(String line) {
        if (line.isEmpty() || line.charAt(0) == '#') {
            return null;
        }
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ' && line.charAt(i) != '\t') {
            i++;
        }
        String name = line.substring(0, i);
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i = parseLabels(line, i + 1, labels);
            if (i < 0) {
                return null;
            }
        }
        String rest = line.substring(i).strip();
        int space = rest.indexOf(' ');
        String valueText = space < 0 ? rest : rest.substring(0, space);
        try {
            return new Sample(name, labels, parseValue(valueText));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Reads {@code a="x", b="y"}} from {@code i}; returns the index after '}' or -1. */
    private static int parseLabels(String line, int i, Map<String, String> labels) {
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == '}') {
                return i + 1;
            }
            if (c == ',' || c == ' ') {
                i++;
                continue;
            }
            int eq = line.indexOf('=', i);
            if (eq < 0 || eq + 1 >= line.length() || line.charAt(eq + 1) != '"') {
                return -1;
            }
            String key = line.substring(i, eq).strip();
            StringBuilder v = new StringBuilder();
            int j = eq + 2;
            while (j < line.length() && line.charAt(j) != '"') {
                char d = line.charAt(j);
                if (d == '\\' && j + 1 < line.length()) {
                    char e = line.charAt(++j);
                    v.append(e == 'n' ? '\n' : e);
                } else {
                    v.append(d);
                }
                j++;
            }
            if (j >= line.length()) {
                return -1;
            }
            labels.put(key, v.toString());
            i = j + 1;
        }
        return -1;
    }

    private static double parseValue(String text) {
        return switch (text) {
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(text);
        };
    }
}
