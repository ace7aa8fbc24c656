package dev.edgepush.agent.scrape;

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

  public int size() {
    return e.encoder().size();
  }

  public byte[] array() {
    return e.encoder().array();
  }
}
