package dev.edgepush.ingest;

import dev.edgepush.proto.rw1.RemoteWrite;
import dev.edgepush.proto.rw2.RemoteWriteV2;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.xerial.snappy.Snappy;

/** Request bodies for tests: remote write 1.0 and 2.0, Snappy-compressed. */
public final class Bodies {
    private Bodies() {}

    /** One series per call of {@code labels} (name, value, ...) with one sample. */
    public static RemoteWrite.TimeSeries series(double value, long ts, String... labels) {
        RemoteWrite.TimeSeries.Builder b = RemoteWrite.TimeSeries.newBuilder();
        for (int i = 0; i < labels.length; i += 2) {
            b.addLabels(RemoteWrite.Label.newBuilder().setName(labels[i]).setValue(labels[i + 1]));
        }
        return b.addSamples(RemoteWrite.Sample.newBuilder().setValue(value).setTimestamp(ts))
                .build();
    }

    public static byte[] v1(RemoteWrite.TimeSeries... series) {
        RemoteWrite.WriteRequest.Builder b = RemoteWrite.WriteRequest.newBuilder();
        for (RemoteWrite.TimeSeries s : series) {
            b.addTimeseries(s);
        }
        return snappy(b.build().toByteArray());
    }

    /** A 2.0 request: one series {@code __name__=name, a=b} with two samples and one histogram. */
    public static byte[] v2(String name, long ts) {
        RemoteWriteV2.Request req = RemoteWriteV2.Request.newBuilder()
                .addSymbols("")
                .addSymbols("__name__")
                .addSymbols(name)
                .addSymbols("a")
                .addSymbols("b")
                .addTimeseries(RemoteWriteV2.TimeSeries.newBuilder()
                        .addLabelsRefs(1)
                        .addLabelsRefs(2)
                        .addLabelsRefs(3)
                        .addLabelsRefs(4)
                        .addSamples(
                                RemoteWriteV2.Sample.newBuilder().setValue(1).setTimestamp(ts))
                        .addSamples(
                                RemoteWriteV2.Sample.newBuilder().setValue(2).setTimestamp(ts + 1000))
                        .addHistograms(RemoteWriteV2.Histogram.newBuilder()
                                .setCountInt(3)
                                .setSum(4)
                                .setTimestamp(ts))
                        .addExemplars(RemoteWriteV2.Exemplar.newBuilder()
                                .addLabelsRefs(3)
                                .addLabelsRefs(4)
                                .setValue(1)
                                .setTimestamp(ts)))
                .build();
        return snappy(req.toByteArray());
    }

    public static byte[] snappy(byte[] raw) {
        try {
            return Snappy.compress(raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
