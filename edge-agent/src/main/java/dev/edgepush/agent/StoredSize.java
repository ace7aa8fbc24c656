package dev.edgepush.agent;

import dev.edgepush.forward.buffer.DiskBuffer;
import dev.edgepush.proto.rw1.RemoteWrite;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Local push's check that a series fits one disk-buffer record ({@link
 * DiskBuffer#MAX_STORED_FIELD_BYTES}): a larger one would be dropped as too_large after the
 * request was answered 204, so it is answered 400 instead, naming the series.
 */
final class StoredSize {
    private StoredSize() {}

    /** Carries a 400 out of the text parser's sink. */
    static final class TooLarge extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient LocalPush.Answer answer;

        TooLarge(LocalPush.Answer answer) {
            super(null, null, false, false);
            this.answer = answer;
        }
    }

    /** A TimeSeries field of {@code bodyBytes}: its tag, length and body. */
    static long field(long bodyBytes) {
        return 1 + varintSize(bodyBytes) + bodyBytes;
    }

    /** The encoded size of {@code labels} as Label fields of a TimeSeries. */
    static long labels(Map<String, String> labels) {
        long n = 0;
        for (Map.Entry<String, String> e : labels.entrySet()) {
            long name = e.getKey().getBytes(StandardCharsets.UTF_8).length;
            long value = e.getValue().getBytes(StandardCharsets.UTF_8).length;
            n += field(field(name) + field(value));
        }
        return n;
    }

    static LocalPush.Answer tooLarge(int index, RemoteWrite.TimeSeries ts, long bytes) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < ts.getLabelsCount() && sb.length() < 200; i++) {
            sb.append(i == 0 ? "" : ",")
                    .append(ts.getLabels(i).getName())
                    .append("=\"")
                    .append(ts.getLabels(i).getValue())
                    .append('"');
        }
        return answer(index, sb, ts.getLabelsCount(), bytes);
    }

    /** {@code flat}: name, value, ... of a text series. */
    static LocalPush.Answer tooLarge(int index, List<String> flat, long bytes) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < flat.size() && sb.length() < 200; i += 2) {
            sb.append(i == 0 ? "" : ",")
                    .append(flat.get(i))
                    .append("=\"")
                    .append(flat.get(i + 1))
                    .append('"');
        }
        return answer(index, sb, flat.size() / 2, bytes);
    }

    private static LocalPush.Answer answer(int index, StringBuilder labels, int count, long bytes) {
        if (labels.length() >= 200) {
            labels.setLength(200);
            labels.append("...");
        }
        return new LocalPush.Answer(
                400,
                "series " + index + " " + labels.append('}') + " is too large for one buffer record: "
                        + bytes + " bytes (" + count + " labels), limit " + DiskBuffer.MAX_STORED_FIELD_BYTES
                        + "; send fewer labels or samples per series; nothing of this request was buffered");
    }

    private static int varintSize(long v) {
        int n = 1;
        while (v >= 0x80) {
            v >>>= 7;
            n++;
        }
        return n;
    }
}
