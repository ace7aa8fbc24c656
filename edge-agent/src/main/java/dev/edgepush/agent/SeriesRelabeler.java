package dev.edgepush.agent;

import com.google.protobuf.CodedInputStream;
import dev.edgepush.compat.LabelSet;
import dev.edgepush.compat.Relabeler;
import dev.edgepush.proto.WriteRequestEncoder;
import dev.edgepush.proto.rw1.RemoteWrite;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Map.Entry;

/**
 * Re-encodes a serialized WriteRequest with each series' labels changed: relabeled ({@code
 * -remoteWrite.relabelConfig}, {@code -remoteWrite.urlRelabelConfig}), or with extra labels set
 * ({@code -remoteWrite.label} for local pushes), then sorted by name. A series that relabeling
 * drops, or that ends without {@code __name__}, is left out with its samples.
 *
 * <p>The label work is done once per distinct label list and kept (up to {@link #MAX_CACHED}
 * series, then the cache starts over), so a target scraped every interval costs a decode, a map
 * look-up and a copy per sample, not a relabel. Exemplars, native histograms and metadata are
 * not carried over (edge-agent's buffer format holds float samples). Not thread-safe.
 */
final class SeriesRelabeler {
    /**
     * Bounds the cache (~300 B a series) to a sixteenth of the heap ceiling: ~14,000 series at the
     * robots' -Xmx64m (100,000 was 30 MB, half that heap, for one large push). Past it the cache
     * starts over: more relabeling work, never more memory.
     */
    static final int MAX_CACHED =
            (int) Math.max(1_000, Math.min(100_000, Runtime.getRuntime().maxMemory() / 16 / 300));

    private static final byte[] DROPPED = new byte[0];

    private final Relabeler relabeler;
    private final Map<String, String> extraLabels;
    private final Map<List<RemoteWrite.Label>, byte[]> cache = new HashMap<>();
    private final WriteRequestEncoder out = new WriteRequestEncoder();
    private final LabelSet scratch = new LabelSet();
    private int samples;

    SeriesRelabeler(Relabeler relabeler, Map<String, String> extraLabels) {
        this.relabeler = relabeler;
        this.extraLabels = extraLabels;
    }

    /** True when this would change nothing: the bytes can be buffered as they are. */
    boolean isIdentity() {
        return relabeler.isEmpty() && extraLabels.isEmpty();
    }

    /** Parses {@code writeRequest[0, length)}; throws for bytes that are not a WriteRequest. */
    static RemoteWrite.WriteRequest parse(byte[] writeRequest, int length) throws IOException {
        return RemoteWrite.WriteRequest.parseFrom(CodedInputStream.newInstance(writeRequest, 0, length));
    }

    /** Re-encodes; read the result from {@link #encoder()} and {@link #samples()}. */
    void apply(byte[] writeRequest, int length) throws IOException {
        apply(parse(writeRequest, length));
    }

    void apply(RemoteWrite.WriteRequest request) {
        out.reset();
        samples = 0;
        for (RemoteWrite.TimeSeries ts : request.getTimeseriesList()) {
            byte[] labels = cache.get(ts.getLabelsList());
            if (labels == null) {
                labels = relabel(ts.getLabelsList());
                if (cache.size() >= MAX_CACHED) {
                    cache.clear();
                }
                cache.put(ts.getLabelsList(), labels);
            }
            if (labels == DROPPED) {
                continue;
            }
            for (RemoteWrite.Sample s : ts.getSamplesList()) {
                out.addSeries(labels, s.getValue(), s.getTimestamp());
                samples++;
            }
        }
    }

    private byte[] relabel(List<RemoteWrite.Label> labels) {
        LabelSet ls = scratch;
        ls.clear();
        for (RemoteWrite.Label l : labels) {
            if (!l.getValue().isEmpty() && ls.indexOf(l.getName()) < 0) {
                ls.add(l.getName(), l.getValue());
            }
        }
        for (Entry<String, String> e : extraLabels.entrySet()) {
            ls.set(e.getKey(), e.getValue());
        }
        if (!relabeler.apply(ls)
                || ls.get("__name__") == null
                || ls.get("__name__").isEmpty()) {
            return DROPPED;
        }
        List<String[]> sorted = new ArrayList<>(ls.size());
        for (int i = 0; i < ls.size(); i++) {
            if (!ls.value(i).isEmpty()) {
                sorted.add(new String[] {ls.name(i), ls.value(i)});
            }
        }
        sorted.sort((a, b) -> a[0].compareTo(b[0]));
        String[] flat = new String[sorted.size() * 2];
        for (int i = 0; i < sorted.size(); i++) {
            flat[2 * i] = sorted.get(i)[0];
            flat[2 * i + 1] = sorted.get(i)[1];
        }
        return WriteRequestEncoder.encodeLabels(flat, sorted.size());
    }

    WriteRequestEncoder encoder() {
        return out;
    }

    int samples() {
        return samples;
    }
}
