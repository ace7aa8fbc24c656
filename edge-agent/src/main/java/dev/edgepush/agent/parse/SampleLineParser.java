package dev.edgepush.agent.parse;

import java.util.Arrays;

/**
 * Parses one sample line (already split off, without its line terminator) and hands the sample
 * to the sink. Holds the reusable label array, the unescape scratch buffer and the string caches.
 * Not thread-safe.
 */
final class SampleLineParser {
  private static final int MAX_TOKEN_EXCERPT = 40;

  private final StringCache names = new StringCache(4096, 256);
  private final StringCache labelValues = new StringCache(8192, 64);
  private byte[] scratch = new byte[128];
  private String[] labels = new String[32];

  // Per-line state.
  private byte[] b;
  private int lineStart;
  private int end;
  private int lineNo;
  private int pos;
  private String metricName;

  /**
   * Parses the sample in b[first, end); lineStart is where the line starts (for messages).
   *
   * @param openMetrics timestamps in seconds and exemplars allowed
   */
  void parse(byte[] b, int lineStart, int first, int end, int lineNo, boolean openMetrics,
      SampleSink sink) throws ExpositionParseException {
    this.b = b;
    this.lineStart = lineStart;
    this.end = end;
    this.lineNo = lineNo;
    this.pos = first;
    this.metricName = null;
    try {
      parseSample(openMetrics, sink);
    } finally {
      this.b = null;
    }
  }

  private void parseSample(boolean openMetrics, SampleSink sink) throws ExpositionParseException {
    if (b[pos] == '"') {
      metricName = readQuoted(names, "quoted metric name");
      if (metricName.isEmpty()) {
        throw error("empty metric name");
      }
      if (pos < end && b[pos] != '{' && !Bytes.isWs(b[pos])) {
        throw error("expected '{' or a space after the quoted metric name");
      }
    } else if (b[pos] != '{') {
      readBareMetricName();
    }
    pos = Bytes.skipWs(b, pos, end);
    int pairs = 0;
    if (pos < end && b[pos] == '{') {
      pos++;
      pairs = readLabels();
    }
    if (metricName == null) {
      throw error("missing metric name");
    }
    pos = Bytes.skipWs(b, pos, end);
    if (pos == end) {
      throw error("missing value");
    }
    int valueStart = pos;
    pos = Bytes.tokenEnd(b, pos, end);
    double value;
    try {
      value = NumberParser.parseValue(b, valueStart, pos);
    } catch (NumberFormatException e) {
      throw error("invalid value '" + token(valueStart, pos) + "'");
    }
    long timestampMs = Long.MIN_VALUE;
    pos = Bytes.skipWs(b, pos, end);
    if (pos < end && !(openMetrics && b[pos] == '#')) {
      int tsStart = pos;
      pos = Bytes.tokenEnd(b, pos, end);
      timestampMs = parseTimestamp(tsStart, pos, openMetrics, "invalid timestamp");
      pos = Bytes.skipWs(b, pos, end);
    }
    if (pos < end) {
      if (!openMetrics || b[pos] != '#') {
        throw error("unexpected text '" + token(pos, end) + "' after the "
            + (timestampMs == Long.MIN_VALUE ? "value" : "timestamp"));
      }
      skipExemplar();
    }
    sink.sample(metricName, labels, pairs, value, timestampMs);
  }

  private void readBareMetricName() throws ExpositionParseException {
    int start = pos;
    int nameEnd = Bytes.nameEnd(b, pos, end, Bytes.METRIC_START, Bytes.METRIC_PART);
    if (nameEnd == start || (nameEnd < end && b[nameEnd] != '{' && !Bytes.isWs(b[nameEnd]))) {
      int tokEnd = start;
      while (tokEnd < end && b[tokEnd] != '{' && !Bytes.isWs(b[tokEnd])) {
        tokEnd++;
      }
      throw error("invalid metric name '" + token(start, tokEnd) + "'");
    }
    metricName = names.get(b, start, nameEnd - start);
    pos = nameEnd;
  }

  /** Labels after '{' up to and including '}'; returns the number of pairs stored. */
  private int readLabels() throws ExpositionParseException {
    int pairs = 0;
    while (true) {
      pos = Bytes.skipWs(b, pos, end);
      if (pos == end) {
        throw error("missing closing '}'");
      }
      if (b[pos] == '}') {
        pos++;
        return pairs;
      }
      int nameStart = pos;
      String labelName;
      if (b[pos] == '"') {
        String quoted = readQuoted(names, "quoted label name");
        pos = Bytes.skipWs(b, pos, end);
        if (pos < end && (b[pos] == ',' || b[pos] == '}')) {
          // Prometheus 3 style: a lone quoted string in the braces is the metric name.
          if (metricName != null) {
            throw error("metric name given twice ('" + metricName + "' and '" + quoted + "')");
          }
          if (quoted.isEmpty()) {
            throw error("empty metric name");
          }
          metricName = quoted;
          if (b[pos] == ',') {
            pos++;
          }
          continue;
        }
        if (quoted.isEmpty()) {
          throw error("empty label name");
        }
        labelName = quoted;
      } else {
        int nameEnd = Bytes.nameEnd(b, pos, end, Bytes.LABEL_START, Bytes.LABEL_PART);
        pos = Bytes.skipWs(b, nameEnd, end);
        if (nameEnd == nameStart || pos == end || b[pos] != '=') {
          throw badLabelName(nameStart, nameEnd);
        }
        labelName = names.get(b, nameStart, nameEnd - nameStart);
      }
      pos = Bytes.skipWs(b, pos, end);
      if (pos == end || b[pos] != '=') {
        throw error("missing '=' after label name '" + labelName + "'");
      }
      pos = Bytes.skipWs(b, pos + 1, end);
      if (pos == end || b[pos] != '"') {
        throw error("missing opening '\"' for the value of label '" + labelName + "'");
      }
      String labelValue = readQuoted(labelValues, "label value");
      for (int k = 0; k < 2 * pairs; k += 2) {
        if (labels[k].equals(labelName)) {
          throw error("duplicate label name '" + labelName + "'");
        }
      }
      if (2 * pairs + 2 > labels.length) {
        labels = Arrays.copyOf(labels, labels.length * 2);
      }
      labels[2 * pairs] = labelName;
      labels[2 * pairs + 1] = labelValue;
      pairs++;
      pos = Bytes.skipWs(b, pos, end);
      if (pos == end) {
        throw error("missing closing '}'");
      }
      if (b[pos] == ',') {
        pos++;
      } else if (b[pos] != '}') {
        throw error("missing ',' or closing '}' after the value of label '" + labelName + "'");
      }
    }
  }

  /**
   * The error for a bare label name at nameStart that is empty or not followed by '='. If an '='
   * follows before any ',', '}' or '"', the text up to it was meant as a name: report it as an
   * invalid label name; otherwise the '=' is missing.
   */
  private ExpositionParseException badLabelName(int nameStart, int nameEnd) {
    int i = nameStart;
    while (i < end && b[i] != '=' && b[i] != ',' && b[i] != '}' && b[i] != '"') {
      i++;
    }
    if (nameEnd > nameStart && (i == end || b[i] != '=')) {
      return error("missing '=' after label name '" + token(nameStart, nameEnd) + "'");
    }
    int tokEnd = i;
    while (tokEnd > nameStart && Bytes.isWs(b[tokEnd - 1])) {
      tokEnd--;
    }
    return error("invalid label name '" + token(nameStart, tokEnd) + "'");
  }

  /**
   * Reads the quoted string at pos (b[pos] == '"'), unescaping \\, \" and \n; any other
   * backslash sequence is kept as is, like Prometheus does. Leaves pos after the closing quote.
   */
  private String readQuoted(StringCache cache, String what) throws ExpositionParseException {
    int start = pos + 1;
    int i = start;
    while (i < end && b[i] != '"' && b[i] != '\\') {
      i++;
    }
    if (i == end) {
      throw error("unterminated " + what);
    }
    if (b[i] == '"') {
      pos = i + 1;
      return cache.get(b, start, i - start);
    }
    int n = i - start;
    ensureScratch(n + (end - i));
    System.arraycopy(b, start, scratch, 0, n);
    while (i < end) {
      byte c = b[i];
      if (c == '"') {
        pos = i + 1;
        return cache.get(scratch, 0, n);
      }
      if (c == '\\') {
        if (i + 1 == end) {
          break;
        }
        byte next = b[i + 1];
        if (next == '\\' || next == '"') {
          scratch[n++] = next;
          i += 2;
          continue;
        }
        if (next == 'n') {
          scratch[n++] = '\n';
          i += 2;
          continue;
        }
      }
      scratch[n++] = c;
      i++;
    }
    throw error("unterminated " + what);
  }

  /** Skips an OpenMetrics exemplar at pos (b[pos] == '#'): # {labels} value [timestamp]. */
  private void skipExemplar() throws ExpositionParseException {
    pos++;
    if (pos == end || !Bytes.isWs(b[pos])) {
      throw error("invalid exemplar: expected ' # {' after the sample");
    }
    pos = Bytes.skipWs(b, pos, end);
    if (pos == end || b[pos] != '{') {
      throw error("invalid exemplar: expected '{' after '#'");
    }
    pos++;
    while (pos < end && b[pos] != '}') {
      if (b[pos] == '"') {
        pos = Bytes.quotedEnd(b, pos, end);
        if (pos < 0) {
          pos = end;
          throw error("invalid exemplar: unterminated label value");
        }
      } else {
        pos++;
      }
    }
    if (pos == end) {
      throw error("invalid exemplar: missing closing '}'");
    }
    pos = Bytes.skipWs(b, pos + 1, end);
    if (pos == end) {
      throw error("invalid exemplar: missing value");
    }
    int valueStart = pos;
    pos = Bytes.tokenEnd(b, pos, end);
    try {
      NumberParser.parseValue(b, valueStart, pos);
    } catch (NumberFormatException e) {
      throw error("invalid exemplar value '" + token(valueStart, pos) + "'");
    }
    pos = Bytes.skipWs(b, pos, end);
    if (pos < end) {
      int tsStart = pos;
      pos = Bytes.tokenEnd(b, pos, end);
      parseTimestamp(tsStart, pos, true, "invalid exemplar timestamp");
      pos = Bytes.skipWs(b, pos, end);
      if (pos < end) {
        throw error("unexpected text '" + token(pos, end) + "' after the exemplar");
      }
    }
  }

  private long parseTimestamp(int s, int e, boolean seconds, String problem)
      throws ExpositionParseException {
    try {
      return seconds
          ? NumberParser.parseSecondsToMillis(b, s, e)
          : NumberParser.parseMillis(b, s, e);
    } catch (NumberFormatException ex) {
      throw error(problem + " '" + token(s, e) + "'");
    }
  }

  private void ensureScratch(int n) {
    if (scratch.length < n) {
      scratch = new byte[Math.max(n, scratch.length * 2)];
    }
  }

  private String token(int s, int e) {
    return Bytes.text(b, s, e, MAX_TOKEN_EXCERPT);
  }

  private ExpositionParseException error(String problem) {
    return ExpositionParseException.at(lineNo, problem, b, lineStart, end);
  }
}
