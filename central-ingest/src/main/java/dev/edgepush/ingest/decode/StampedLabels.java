package dev.edgepush.ingest.decode;

import dev.edgepush.proto.LabelBytes;
import dev.edgepush.proto.WriteRequestEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The labels of {@link BatchBuilder}'s current series, validated and stamped: label names match
 * {@code [a-zA-Z_][a-zA-Z0-9_]*}, {@code __name__} is present and not empty, labels with an empty
 * value and any {@code robot} label are dropped and the token's {@code robot} label is added. They
 * are held as strings ({@link #stamp(int, String[], int)}) or as UTF-8 slices ({@link #stamp(int,
 * LabelBytes)}), whichever form the series began in; both give the same bytes, hash and errors.
 * Not thread-safe: one per {@link BatchBuilder}.
 */
final class StampedLabels {
    private static final byte[] METRIC_NAME = "__name__".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ROBOT = "robot".getBytes(StandardCharsets.US_ASCII);
    private final String robot;
    private final byte[] robotUtf8;
    private String[] stamped = new String[32];
    private int stampedPairs;
    /** The labels when the series began as {@link LabelBytes} (then {@code stamped} is unused). */
    private final LabelBytes stampedBytes = new LabelBytes();

    private boolean bytesForm;

    StampedLabels(String robot) {
        this.robot = robot;
        this.robotUtf8 = robot.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Validates and stamps {@code pairs[0, 2n)} as name, value, ... (any order) for series number
     * {@code index}, unsorted; returns the size of their TimeSeries.labels fields.
     */
    long stamp(int index, String[] pairs, int n) throws PayloadException {
        if (stamped.length < 2 * n + 2) {
            stamped = new String[2 * n + 2];
        }
        int k = 0;
        boolean hasName = false;
        for (int i = 0; i < 2 * n; i += 2) {
            String name = pairs[i];
            String value = pairs[i + 1];
            if (!LabelRules.isLabelName(name)) {
                throw PayloadException.badRequest("series " + index + ": label name '" + name
                        + "' is not a valid label name" + " (allowed: [a-zA-Z_][a-zA-Z0-9_]*)");
            }
            if ("__name__".equals(name)) {
                hasName = !value.isEmpty();
            }
            if (value.isEmpty() || "robot".equals(name)) {
                continue; // empty means absent; robot is ours to set
            }
            stamped[k++] = name;
            stamped[k++] = value;
        }
        if (!hasName) {
            throw PayloadException.badRequest(
                    "series " + index + ": no metric name (label __name__ is missing or empty)");
        }
        stamped[k++] = "robot";
        stamped[k++] = robot;
        stampedPairs = k / 2;
        long labelBytes = 0;
        for (int p = 0; p < stampedPairs; p++) {
            labelBytes += LabelRules.labelFieldSize(
                    LabelRules.utf8Length(stamped[2 * p]), LabelRules.utf8Length(stamped[2 * p + 1]));
        }
        bytesForm = false;
        return labelBytes;
    }

    /**
     * As {@link #stamp(int, String[], int)} with labels held as valid UTF-8 (the caller checks
     * it); they are referenced, not copied, until the next series is stamped.
     */
    long stamp(int index, LabelBytes labels) throws PayloadException {
        LabelBytes s = stampedBytes;
        s.clear();
        boolean hasName = false;
        for (int i = 0; i < 2 * labels.pairs(); i += 2) {
            if (!LabelRules.isLabelName(labels.array(i), labels.offset(i), labels.length(i))) {
                throw PayloadException.badRequest("series " + index + ": label name '" + labels.string(i)
                        + "' is not a valid label name (allowed: [a-zA-Z_][a-zA-Z0-9_]*)");
            }
            boolean empty = labels.length(i + 1) == 0;
            if (labels.equalsBytes(i, METRIC_NAME)) {
                hasName = !empty;
            }
            if (empty || labels.equalsBytes(i, ROBOT)) {
                continue; // empty means absent; robot is ours to set
            }
            s.add(labels, i / 2);
        }
        if (!hasName) {
            throw PayloadException.badRequest(
                    "series " + index + ": no metric name (label __name__ is missing or empty)");
        }
        s.add(ROBOT, 0, ROBOT.length, robotUtf8, 0, robotUtf8.length);
        long labelBytes = 0;
        for (int p = 0; p < s.pairs(); p++) {
            labelBytes += LabelRules.labelFieldSize(s.length(2 * p), s.length(2 * p + 1));
        }
        bytesForm = true;
        return labelBytes;
    }

    /** Sorts the stamped labels by name; refuses a label name that appears twice. */
    void sortAndCheck(int index) throws PayloadException {
        if (bytesForm) {
            stampedBytes.sortByName();
            for (int p = 1; p < stampedBytes.pairs(); p++) {
                if (stampedBytes.equalsString(2 * p, 2 * p - 2)) {
                    throw PayloadException.badRequest(
                            "series " + index + ": label name '" + stampedBytes.string(2 * p) + "' appears twice");
                }
            }
        } else {
            LabelRules.sortPairs(stamped, stampedPairs);
            for (int p = 1; p < stampedPairs; p++) {
                if (stamped[2 * p].equals(stamped[2 * p - 2])) {
                    throw PayloadException.badRequest(
                            "series " + index + ": label name '" + stamped[2 * p] + "' appears twice");
                }
            }
        }
    }

    /** The {@link ShardHash} of the sorted labels. */
    long hash() {
        return bytesForm ? ShardHash.hash(stampedBytes) : ShardHash.hash(stamped, stampedPairs);
    }

    /** Whether the labels are held as UTF-8 slices ({@link #stamp(int, LabelBytes)}). */
    boolean bytesForm() {
        return bytesForm;
    }

    /** The labels as UTF-8 slices; meaningful when {@link #bytesForm()}. */
    LabelBytes bytes() {
        return stampedBytes;
    }

    int pairs() {
        return bytesForm ? stampedBytes.pairs() : stampedPairs;
    }

    String name(int p) {
        return bytesForm ? stampedBytes.string(2 * p) : stamped[2 * p];
    }

    String value(int p) {
        return bytesForm ? stampedBytes.string(2 * p + 1) : stamped[2 * p + 1];
    }

    /** Writes one TimeSeries of these labels and {@code count} float samples to {@code encoder}. */
    void addSeries(WriteRequestEncoder encoder, double[] values, long[] timestamps, int count) {
        if (bytesForm) {
            encoder.addSeries(stampedBytes, values, timestamps, count);
        } else {
            encoder.addSeries(stamped, stampedPairs, values, timestamps, count);
        }
    }

    /** The labels as {@code {a="b", ...}}, cut after about 200 characters. */
    String describe() {
        StringBuilder sb = new StringBuilder("{");
        int pairs = pairs();
        for (int p = 0; p < pairs && sb.length() < 200; p++) {
            sb.append(p == 0 ? "" : ",")
                    .append(name(p))
                    .append("=\"")
                    .append(value(p))
                    .append('"');
        }
        if (sb.length() >= 200) {
            sb.setLength(200);
            sb.append("...");
        }
        return sb.append('}').toString();
    }
}
