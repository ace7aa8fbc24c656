package dev.edgepush.agent.parse;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Test sink: renders each sample as {@code name{a="v",...} value [@ts]}. */
final class Recorder implements SampleSink {
  final List<String> lines = new ArrayList<>();
  final List<Double> values = new ArrayList<>();
  final List<Long> timestamps = new ArrayList<>();
  final List<String> names = new ArrayList<>();
  final List<String[]> labelCopies = new ArrayList<>();

  @Override
  public void sample(String metricName, String[] labels, int labelPairs, double value,
      long timestampMs) {
    StringBuilder sb = new StringBuilder(metricName).append('{');
    String[] copy = new String[2 * labelPairs];
    for (int i = 0; i < labelPairs; i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(labels[2 * i]).append("=\"").append(labels[2 * i + 1]).append('"');
      copy[2 * i] = labels[2 * i];
      copy[2 * i + 1] = labels[2 * i + 1];
    }
    sb.append("} ").append(value);
    if (timestampMs != Long.MIN_VALUE) {
      sb.append(" @").append(timestampMs);
    }
    lines.add(sb.toString());
    values.add(value);
    timestamps.add(timestampMs);
    names.add(metricName);
    labelCopies.add(copy);
  }

  static List<String> text(String body) throws ExpositionParseException {
    return parse(body, ExpositionFormat.PROMETHEUS_TEXT).lines;
  }

  static List<String> om(String body) throws ExpositionParseException {
    return parse(body, ExpositionFormat.OPENMETRICS).lines;
  }

  static Recorder parse(String body, ExpositionFormat format) throws ExpositionParseException {
    Recorder r = new Recorder();
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    int n = new ExpositionParser().parse(bytes, 0, bytes.length, format, r);
    if (n != r.lines.size()) {
      throw new AssertionError("returned " + n + " but sink got " + r.lines.size());
    }
    return r;
  }
}
