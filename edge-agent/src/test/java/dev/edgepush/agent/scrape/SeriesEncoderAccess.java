package dev.edgepush.agent.scrape;

import dev.edgepush.proto.text.ExpositionFormat;
import dev.edgepush.proto.text.ExpositionParseException;
import dev.edgepush.proto.text.ExpositionParser;
import dev.edgepush.proto.text.SeriesKeySink;
import java.util.Map;
import java.util.SortedMap;

/** Test-side access to the package-private {@link SeriesEncoder}, for benchmarks. */
public final class SeriesEncoderAccess {
    private final SeriesEncoder e;
    private long defaultTs = Long.MIN_VALUE;
    private final SeriesKeySink<SeriesCache.Entry> sink = new SeriesKeySink<>() {
        @Override
        public SeriesCache.Entry find(byte[] b, int off, int len, int hash) {
            return e.find(b, off, len, hash);
        }

        @Override
        public void sample(SeriesCache.Entry entry, double value, long ts) {
            e.add(entry, value, ts == Long.MIN_VALUE ? defaultTs : ts);
        }

        @Override
        public void sample(
                byte[] b,
                int keyOff,
                int keyLen,
                int keyHash,
                String name,
                String[] labels,
                int pairs,
                double value,
                long ts) {
            e.add(b, keyOff, keyLen, keyHash, name, labels, pairs, value, ts == Long.MIN_VALUE ? defaultTs : ts);
        }
    };

    public SeriesEncoderAccess(ScrapeTarget t, SortedMap<String, String> external, Map<String, String> extra) {
        e = new SeriesEncoder(t, external, extra);
    }

    public void begin() {
        e.begin();
        defaultTs = Long.MIN_VALUE;
    }

    public void add(String name, String[] labels, int pairs, double value, long ts) {
        e.add(name, labels, pairs, value, ts);
    }

    /**
     * The encoder as the parser's sink, as ScrapeLoop uses it (series cached by their raw key);
     * timestamps are passed unchanged. Call {@link #begin} before each scrape.
     */
    public SeriesKeySink<?> sink() {
        return sink;
    }

    /**
     * One whole scrape of body as ScrapeLoop does it, without the synthetic series: begin, parse
     * into the encoder (a sample without a timestamp gets ts), staleness markers. Returns the number
     * of samples parsed.
     */
    public int scrape(ExpositionParser parser, byte[] body, ExpositionFormat format, long ts)
            throws ExpositionParseException {
        e.begin();
        defaultTs = ts;
        int n = parser.parse(body, 0, body.length, format, sink);
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
