package dev.edgepush.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.forward.buffer.SampleAppender;
import dev.edgepush.proto.WriteRequestEncoder;
import dev.edgepush.proto.rw1.RemoteWrite;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

/**
 * Local pushes are buffered in pieces (no whole request encoded or decoded at once) and still
 * all or nothing: a bad series anywhere, or one past a label limit, refuses the whole request
 * before anything is appended.
 */
class LocalPushPiecesTest {
    /** Every append, decoded. */
    static final class Captured implements SampleAppender {
        final List<RemoteWrite.WriteRequest> requests = new ArrayList<>();
        final List<Integer> sizes = new ArrayList<>();

        @Override
        public long append(byte[] writeRequest, int length, int sampleCount, long timestampMs) {
            try {
                RemoteWrite.WriteRequest r =
                        RemoteWrite.WriteRequest.parseFrom(java.util.Arrays.copyOf(writeRequest, length));
                assertEquals(sampleCount, r.getTimeseriesCount(), "the sample count matches the request");
                requests.add(r);
                sizes.add(length);
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
            return 0;
        }

        Set<String> names() {
            Set<String> out = new HashSet<>();
            for (RemoteWrite.WriteRequest r : requests) {
                for (RemoteWrite.TimeSeries ts : r.getTimeseriesList()) {
                    out.add(ts.getLabels(0).getValue());
                }
            }
            return out;
        }
    }

    private static LocalPush push(Captured out) {
        return new LocalPush(out, new AgentMetrics(() -> 0L), () -> 1000L, 32 << 20, Map.of("robot", "r1"))
                .labelLimits(40, 256, 4096);
    }

    @Test
    void aLargeTextPushIsAppendedInBoundedPieces() {
        int n = 50_000;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append("m").append(i).append(" 1\n");
        }
        Captured out = new Captured();
        LocalPush.Answer a =
                push(out).handle(LocalPush.IMPORT_PATH, sb.toString().getBytes(StandardCharsets.UTF_8), null);
        assertEquals(204, a.code(), a.message());
        assertTrue(out.requests.size() >= 5, "in pieces: " + out.requests.size());
        out.sizes.forEach(s -> assertTrue(s <= LocalPush.PIECE_BYTES + 4096, "a piece is bounded: " + s));
        assertEquals(n, out.names().size(), "every series");
    }

    @Test
    void aBadLineAtTheEndOfATextPushRefusesAllOfIt() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 30_000; i++) {
            sb.append("m").append(i).append(" 1\n");
        }
        sb.append("wide{");
        for (int i = 0; i < 100_000; i++) {
            sb.append(i == 0 ? "" : ",").append("l").append(i).append("=\"v\"");
        }
        sb.append("} 1\n");
        Captured out = new Captured();
        LocalPush.Answer a =
                push(out).handle(LocalPush.IMPORT_PATH, sb.toString().getBytes(StandardCharsets.UTF_8), null);
        assertEquals(400, a.code());
        assertTrue(
                a.message().contains("series wide") && a.message().contains("-maxLabelsPerTimeseries=40"), a.message());
        assertEquals(List.of(), out.requests, "nothing buffered");
    }

    private static byte[] remoteWrite(int n, int labelsOfLast) throws Exception {
        WriteRequestEncoder enc = new WriteRequestEncoder();
        for (int i = 0; i < n; i++) {
            enc.addSeries(new String[] {"__name__", "rw" + i, "job", "pusher"}, 2, i, 1000L + i);
        }
        if (labelsOfLast > 0) {
            String[] labels = new String[2 * labelsOfLast];
            labels[0] = "__name__";
            labels[1] = "last";
            for (int i = 1; i < labelsOfLast; i++) {
                labels[2 * i] = "l" + String.format("%05d", i);
                labels[2 * i + 1] = "v";
            }
            enc.addSeries(labels, labelsOfLast, 1, 1000L);
        }
        return Snappy.compress(enc.toByteArray());
    }

    @Test
    void aLargeRemoteWritePushIsAppendedInBoundedPieces() throws Exception {
        int n = 60_000;
        Captured out = new Captured();
        LocalPush.Answer a = push(out).handle(LocalPush.WRITE_PATH, remoteWrite(n, 0), null);
        assertEquals(204, a.code(), a.message());
        assertTrue(out.requests.size() >= 2, "in pieces: " + out.requests.size());
        out.sizes.forEach(s -> assertTrue(s <= 2 * LocalPush.PIECE_BYTES, "a piece is bounded: " + s));
        assertEquals(n, out.names().size(), "every series");
    }

    @Test
    void aRemoteWriteSeriesPastTheLabelLimitRefusesAllOfIt() throws Exception {
        Captured out = new Captured();
        LocalPush.Answer a = push(out).handle(LocalPush.WRITE_PATH, remoteWrite(60_000, 1_000), null);
        assertEquals(400, a.code());
        assertTrue(
                a.message().contains("series 60000 (last) has 1000 labels")
                        && a.message().contains("-maxLabelsPerTimeseries=40"),
                a.message());
        assertEquals(List.of(), out.requests, "nothing buffered");
    }
}
