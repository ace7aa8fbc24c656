package dev.edgepush.agent.scrape;

import dev.edgepush.agent.parse.ExpositionFormat;
import dev.edgepush.agent.parse.ExpositionParseException;
import dev.edgepush.agent.parse.ExpositionParser;
import java.util.Map;
import java.util.SortedMap;

/** Test-side access to the package-private {@link SeriesEncoder}, for benchmarks. */
public final class SeriesEncoderAccess {
  private final SeriesEncoder e;

  public SeriesEncoderAccess(ScrapeTarget t, SortedMap<String, String> external, Map<String, String> extra) {
    e = new SeriesEncoder(t, external, extra);
  }

  public void begin() {
    e.begin();
  }

  public void add(String name, String[] labels, int pairs, double value, long ts) {
    e.add(name, labels, pairs, value, ts);
  }

  /**
   * One whole scrape of body as ScrapeLoop does it, without the synthetic series: begin, parse
   * into the encoder (a sample without a timestamp gets ts), staleness markers. Returns the number
   * of samples parsed.
   */
  public int scrape(ExpositionParser parser, byte[] body, ExpositionFormat format, long ts)
      throws ExpositionParseException {
    e.begin();
    int n = parser.parse(body, 0, body.length, format,
        (name, labels, pairs, value, tsMs) -> e.add(name, labels, pairs, value, tsMs == Long.MIN_VALUE ? ts : tsMs));
    e.addStalenessMarkers(ts);
    return n;
  }

  public int size() {
    return e.encoder().size();
  }

  public byte[] array() {
    return e.encoder().array();
  }
}
