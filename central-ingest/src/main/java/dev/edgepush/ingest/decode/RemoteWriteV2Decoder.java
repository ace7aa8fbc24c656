package dev.edgepush.ingest.decode;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.edgepush.proto.rw1.RemoteWrite;
import dev.edgepush.proto.rw2.RemoteWriteV2;
import java.util.ArrayList;
import java.util.List;

/**
 * Remote write 2.0: an {@code io.prometheus.write.v2.Request} into a {@link BatchBuilder}.
 * Symbol references are resolved; native histograms are re-read as 1.0 histograms (the fields
 * share numbers and types; 2.0's {@code custom_values} stays as an unknown field); exemplar
 * labels are resolved. Metadata and created timestamps are not forwarded (the WAL holds 1.0).
 */
public final class RemoteWriteV2Decoder {
    private RemoteWriteV2Decoder() {}

    public static void decode(byte[] body, BatchBuilder out) throws PayloadException {
        RemoteWriteV2.Request req;
        try {
            req = RemoteWriteV2.Request.parseFrom(body);
        } catch (InvalidProtocolBufferException e) {
            throw PayloadException.badRequest("body is not a remote-write 2.0 Request (protobuf): " + e.getMessage());
        }
        List<String> symbols = req.getSymbolsList();
        String[] pairs = new String[32];
        for (int i = 0; i < req.getTimeseriesCount(); i++) {
            RemoteWriteV2.TimeSeries ts = req.getTimeseries(i);
            int refs = ts.getLabelsRefsCount();
            if (refs % 2 != 0) {
                throw PayloadException.badRequest("series " + i + ": labels_refs has an odd length " + refs);
            }
            if (pairs.length < refs) {
                pairs = new String[refs];
            }
            for (int r = 0; r < refs; r++) {
                pairs[r] = symbol(symbols, ts.getLabelsRefs(r), i);
            }
            out.beginSeries(i, pairs, refs / 2);
            for (RemoteWriteV2.Sample s : ts.getSamplesList()) {
                out.sample(s.getValue(), s.getTimestamp());
            }
            List<RemoteWrite.Histogram> hs = new ArrayList<>(ts.getHistogramsCount());
            for (RemoteWriteV2.Histogram h : ts.getHistogramsList()) {
                try {
                    hs.add(RemoteWrite.Histogram.parseFrom(h.toByteString()));
                } catch (InvalidProtocolBufferException e) {
                    throw PayloadException.badRequest(
                            "series " + i + ": histogram cannot be converted: " + e.getMessage());
                }
            }
            List<RemoteWrite.Exemplar> ex = new ArrayList<>(ts.getExemplarsCount());
            for (RemoteWriteV2.Exemplar e : ts.getExemplarsList()) {
                RemoteWrite.Exemplar.Builder b =
                        RemoteWrite.Exemplar.newBuilder().setValue(e.getValue()).setTimestamp(e.getTimestamp());
                if (e.getLabelsRefsCount() % 2 != 0) {
                    throw PayloadException.badRequest("series " + i + ": exemplar labels_refs has an odd length");
                }
                for (int r = 0; r < e.getLabelsRefsCount(); r += 2) {
                    b.addLabels(RemoteWrite.Label.newBuilder()
                            .setName(symbol(symbols, e.getLabelsRefs(r), i))
                            .setValue(symbol(symbols, e.getLabelsRefs(r + 1), i)));
                }
                ex.add(b.build());
            }
            out.histogramsAndExemplars(hs, ex, i);
        }
    }

    private static String symbol(List<String> symbols, int ref, int series) throws PayloadException {
        if (ref < 0 || ref >= symbols.size()) {
            throw PayloadException.badRequest("series " + series + ": symbol reference " + Integer.toUnsignedString(ref)
                    + " is out of range (" + symbols.size() + " symbols)");
        }
        return symbols.get(ref);
    }
}
