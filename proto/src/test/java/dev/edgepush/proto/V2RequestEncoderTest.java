package dev.edgepush.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.edgepush.proto.rw1.RemoteWrite;
import dev.edgepush.proto.rw2.RemoteWriteV2;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The 2.0 encoding of joined 1.0 requests, checked with the protobuf-generated 2.0 classes. */
class V2RequestEncoderTest {
    private static final double STALE = Double.longBitsToDouble(0x7ff0000000000002L);

    private static RemoteWrite.TimeSeries series(double v, long ts, String... labels) {
        RemoteWrite.TimeSeries.Builder b = RemoteWrite.TimeSeries.newBuilder();
        for (int i = 0; i < labels.length; i += 2) {
            b.addLabels(RemoteWrite.Label.newBuilder().setName(labels[i]).setValue(labels[i + 1]));
        }
        return b.addSamples(RemoteWrite.Sample.newBuilder().setValue(v).setTimestamp(ts))
                .build();
    }

    /** Three scrapes joined as the buffer joins them: each a WriteRequest of its own. */
    private static byte[] threeScrapes() throws Exception {
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (int scrape = 0; scrape < 3; scrape++) {
            long ts = 1_700_000_000_000L + scrape * 15_000L;
            RemoteWrite.WriteRequest.Builder w = RemoteWrite.WriteRequest.newBuilder();
            w.addTimeseries(
                    series(scrape, ts, "__name__", "temp_celsius", "instance", "s:9100", "job", "sensor", "zone", "a"));
            w.addTimeseries(series(
                    scrape * 2.5, ts, "__name__", "temp_celsius", "instance", "s:9100", "job", "sensor", "zone", "b"));
            w.addTimeseries(
                    series(scrape == 2 ? STALE : 0.0, ts, "__name__", "up", "instance", "s:9100", "job", "sensor"));
            w.addTimeseries(series(-0.0, ts, "__name__", "odd", "empty", "", "job", "sensor"));
            w.build().writeTo(joined);
        }
        return joined.toByteArray();
    }

    private static byte[] encode(V2RequestEncoder e, byte[] v1) {
        e.encode(v1, 0, v1.length);
        return java.util.Arrays.copyOf(e.array(), e.size());
    }

    /** The 1.0 request's samples as "labels -> [value bits@ts...]", in order, per series. */
    private static Map<String, List<String>> v1Content(byte[] v1) throws Exception {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (RemoteWrite.TimeSeries ts : RemoteWrite.WriteRequest.parseFrom(v1).getTimeseriesList()) {
            StringBuilder key = new StringBuilder();
            ts.getLabelsList()
                    .forEach(l -> key.append(l.getName())
                            .append('=')
                            .append(l.getValue())
                            .append(','));
            for (RemoteWrite.Sample s : ts.getSamplesList()) {
                out.computeIfAbsent(key.toString(), k -> new ArrayList<>())
                        .add(Long.toHexString(Double.doubleToRawLongBits(s.getValue())) + "@" + s.getTimestamp());
            }
        }
        return out;
    }

    private static Map<String, List<String>> v2Content(RemoteWriteV2.Request r) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (RemoteWriteV2.TimeSeries ts : r.getTimeseriesList()) {
            StringBuilder key = new StringBuilder();
            for (int i = 0; i < ts.getLabelsRefsCount(); i += 2) {
                key.append(r.getSymbols(ts.getLabelsRefs(i)))
                        .append('=')
                        .append(r.getSymbols(ts.getLabelsRefs(i + 1)))
                        .append(',');
            }
            List<String> samples = out.computeIfAbsent(key.toString(), k -> new ArrayList<>());
            assertEquals(List.of(), samples, "one TimeSeries per series: " + key);
            for (RemoteWriteV2.Sample s : ts.getSamplesList()) {
                samples.add(Long.toHexString(Double.doubleToRawLongBits(s.getValue())) + "@" + s.getTimestamp());
            }
        }
        return out;
    }

    @Test
    void decodesToTheSameSeriesAndSamplesGroupedPerSeries() throws Exception {
        byte[] v1 = threeScrapes();
        V2RequestEncoder e = new V2RequestEncoder();
        assertEquals(12, e.encode(v1, 0, v1.length), "samples encoded");
        RemoteWriteV2.Request r = RemoteWriteV2.Request.parseFrom(java.util.Arrays.copyOf(e.array(), e.size()));
        assertEquals("", r.getSymbols(0), "symbols[0]");
        assertEquals(4, r.getTimeseriesCount(), "one TimeSeries per series across the three scrapes");
        assertEquals(v1Content(v1), v2Content(r));
        assertEquals(3, r.getTimeseries(0).getSamplesCount());
    }

    @Test
    void reEncodingGivesIdenticalBytes() throws Exception {
        byte[] v1 = threeScrapes();
        V2RequestEncoder e = new V2RequestEncoder();
        byte[] first = encode(e, v1);
        byte[] other = encode(e, WireFormatTest.V1_BYTES); // the encoder's tables are reused between
        byte[] again = encode(e, v1);
        assertArrayEquals(first, again);
        assertArrayEquals(first, encode(new V2RequestEncoder(), v1), "a fresh encoder");
        assertEquals(1, RemoteWriteV2.Request.parseFrom(other).getTimeseriesCount());
    }

    @Test
    void symbolsAreDeduplicated() throws Exception {
        RemoteWriteV2.Request r = RemoteWriteV2.Request.parseFrom(encode(new V2RequestEncoder(), threeScrapes()));
        Set<String> seen = new HashSet<>();
        for (String s : r.getSymbolsList()) {
            assertEquals(true, seen.add(s), "symbol listed twice: '" + s + "' in " + r.getSymbolsList());
        }
        assertEquals(
                Set.of(
                        "",
                        "__name__",
                        "temp_celsius",
                        "instance",
                        "s:9100",
                        "job",
                        "sensor",
                        "zone",
                        "a",
                        "b",
                        "up",
                        "odd",
                        "empty"),
                seen);
    }

    /**
     * The shortcut that tries the previous series' symbol at the same string position: strings of the
     * same length but other bytes there, strings that were symbols at another position, and series
     * with fewer and more labels than their predecessor all still get their own, single symbol.
     */
    @Test
    void symbolsRepeatedAtOtherPositionsOrWithEqualLengthsStayDistinctAndSingle() throws Exception {
        RemoteWrite.WriteRequest w = RemoteWrite.WriteRequest.newBuilder()
                .addTimeseries(series(1, 1000, "__name__", "m", "a", "xy", "b", "zz"))
                .addTimeseries(series(2, 1000, "__name__", "m", "a", "yx", "b", "zz"))
                .addTimeseries(series(3, 1000, "__name__", "n", "xy", "a", "zz", "b", "c", "m"))
                .addTimeseries(series(4, 1000, "__name__", "m"))
                .addTimeseries(series(5, 1000, "__name__", "m", "a", "xy", "b", "zz"))
                .build();
        byte[] v1 = w.toByteArray();
        RemoteWriteV2.Request r = RemoteWriteV2.Request.parseFrom(encode(new V2RequestEncoder(), v1));
        assertEquals(List.of("", "__name__", "m", "a", "xy", "b", "zz", "yx", "n", "c"), r.getSymbolsList());
        assertEquals(4, r.getTimeseriesCount(), "the first and last series are one");
        assertEquals(v1Content(v1), v2Content(r));
    }

    @Test
    void samplesOfASeriesComeOutInTimestampOrder() throws Exception {
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (long ts : new long[] {3000, 1000, 2000}) {
            RemoteWrite.WriteRequest.newBuilder()
                    .addTimeseries(series(ts, ts, "__name__", "m"))
                    .build()
                    .writeTo(joined);
        }
        RemoteWriteV2.Request r = RemoteWriteV2.Request.parseFrom(encode(new V2RequestEncoder(), joined.toByteArray()));
        List<Long> ts = new ArrayList<>();
        r.getTimeseries(0).getSamplesList().forEach(s -> ts.add(s.getTimestamp()));
        assertEquals(List.of(1000L, 2000L, 3000L), ts);
    }

    @Test
    void histogramsAndExemplarsAreCarried() throws Exception {
        RemoteWrite.TimeSeries ts = RemoteWrite.TimeSeries.newBuilder()
                .addLabels(RemoteWrite.Label.newBuilder().setName("__name__").setValue("h"))
                .addExemplars(RemoteWrite.Exemplar.newBuilder()
                        .addLabels(RemoteWrite.Label.newBuilder()
                                .setName("trace_id")
                                .setValue("abc"))
                        .setValue(0.5)
                        .setTimestamp(42))
                .addHistograms(RemoteWrite.Histogram.newBuilder()
                        .setCountInt(7)
                        .setSum(3.5)
                        .setSchema(3)
                        .setTimestamp(42))
                .build();
        byte[] v1 =
                RemoteWrite.WriteRequest.newBuilder().addTimeseries(ts).build().toByteArray();
        V2RequestEncoder e = new V2RequestEncoder();
        assertEquals(1, e.encode(v1, 0, v1.length), "one histogram counted");
        RemoteWriteV2.Request r = RemoteWriteV2.Request.parseFrom(java.util.Arrays.copyOf(e.array(), e.size()));
        RemoteWriteV2.TimeSeries out = r.getTimeseries(0);
        assertEquals(7, out.getHistograms(0).getCountInt());
        assertEquals(3.5, out.getHistograms(0).getSum());
        assertEquals(3, out.getHistograms(0).getSchema());
        assertEquals(42, out.getHistograms(0).getTimestamp());
        RemoteWriteV2.Exemplar ex = out.getExemplars(0);
        assertEquals("trace_id", r.getSymbols(ex.getLabelsRefs(0)));
        assertEquals("abc", r.getSymbols(ex.getLabelsRefs(1)));
        assertEquals(0.5, ex.getValue());
        assertEquals(42, ex.getTimestamp());
    }

    @Test
    void malformedInputIsRefusedWithAReason() {
        byte[] cut = java.util.Arrays.copyOf(WireFormatTest.V1_BYTES, WireFormatTest.V1_BYTES.length - 3);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> new V2RequestEncoder().encode(cut, 0, cut.length));
        assertEquals(true, e.getMessage().startsWith("malformed remote-write 1.0 WriteRequest"), e.getMessage());
    }
}
