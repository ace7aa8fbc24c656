package dev.edgepush.proto;

import static dev.edgepush.proto.WriteRequestEncoderTest.SPECIAL_TIMESTAMPS;
import static dev.edgepush.proto.WriteRequestEncoderTest.SPECIAL_VALUES;
import static dev.edgepush.proto.WriteRequestEncoderTest.randomString;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.edgepush.proto.rw1.RemoteWrite;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The array forms of addSeries (labels once, N samples) and {@link LabelBytes}. */
class MultiSampleSeriesEncoderTest {

    /** What protobuf-java produces for one TimeSeries with these labels and samples. */
    static RemoteWrite.TimeSeries generated(String[] labels, int pairs, double[] values, long[] ts, int n) {
        RemoteWrite.TimeSeries.Builder b = RemoteWrite.TimeSeries.newBuilder();
        for (int i = 0; i < pairs; i++) {
            b.addLabels(RemoteWrite.Label.newBuilder().setName(labels[2 * i]).setValue(labels[2 * i + 1]));
        }
        for (int i = 0; i < n; i++) {
            b.addSamples(RemoteWrite.Sample.newBuilder().setValue(values[i]).setTimestamp(ts[i]));
        }
        return b.build();
    }

    /** The same strings as UTF-8 slices, each inside a larger array at an odd offset. */
    static LabelBytes asBytes(String[] labels, int pairs) {
        LabelBytes lb = new LabelBytes();
        for (int i = 0; i < pairs; i++) {
            byte[] name = ("<<<" + labels[2 * i] + ">>").getBytes(StandardCharsets.UTF_8);
            byte[] value = ("#" + labels[2 * i + 1] + "##").getBytes(StandardCharsets.UTF_8);
            lb.add(name, 3, name.length - 5, value, 1, value.length - 3);
        }
        return lb;
    }

    @Test
    void labelsOnceAndEverySampleMatchGeneratedSerializationInBothForms() {
        Random r = new Random(4);
        WriteRequestEncoder byStrings = new WriteRequestEncoder(16);
        WriteRequestEncoder byBytes = new WriteRequestEncoder(16);
        WriteRequestEncoder byEncodedLabels = new WriteRequestEncoder(16);
        for (int round = 0; round < 200; round++) {
            byStrings.reset();
            byBytes.reset();
            byEncodedLabels.reset();
            RemoteWrite.WriteRequest.Builder expected = RemoteWrite.WriteRequest.newBuilder();
            int series = r.nextInt(12);
            for (int s = 0; s < series; s++) {
                int pairs = r.nextInt(6);
                String[] labels = new String[2 * pairs + 1]; // trailing slack is ignored
                labels[2 * pairs] = "ignored";
                for (int i = 0; i < 2 * pairs; i++) {
                    labels[i] = randomString(r);
                }
                int n = r.nextInt(r.nextInt(10) == 0 ? 200 : 6);
                double[] values = new double[n + r.nextInt(3)];
                long[] ts = new long[n + r.nextInt(3)];
                for (int i = 0; i < n; i++) {
                    values[i] = r.nextBoolean()
                            ? SPECIAL_VALUES[r.nextInt(SPECIAL_VALUES.length)]
                            : Double.longBitsToDouble(r.nextLong());
                    ts[i] = r.nextBoolean() ? SPECIAL_TIMESTAMPS[r.nextInt(SPECIAL_TIMESTAMPS.length)] : r.nextLong();
                }
                byStrings.addSeries(labels, pairs, values, ts, n);
                byBytes.addSeries(asBytes(labels, pairs), values, ts, n);
                byte[] encoded = WriteRequestEncoder.encodeLabels(asBytes(labels, pairs));
                byte[] slack = new byte[encoded.length + 5]; // taken from an offset, slack after
                System.arraycopy(encoded, 0, slack, 3, encoded.length);
                byEncodedLabels.addSeries(slack, 3, encoded.length, values, ts, n);
                expected.addTimeseries(generated(labels, pairs, values, ts, n));
            }
            byte[] want = expected.build().toByteArray();
            assertArrayEquals(want, byStrings.toByteArray(), "strings, round " + round);
            assertArrayEquals(want, byBytes.toByteArray(), "bytes, round " + round);
            assertArrayEquals(want, byEncodedLabels.toByteArray(), "encoded labels, round " + round);
            assertEquals(series, byStrings.seriesCount());
            assertEquals(series, byBytes.seriesCount());
        }
    }

    @Test
    void oneSampleArrayFormWritesWhatTheSingleSampleFormWrites() {
        String[] labels = {"__name__", "up", "job", "node", "empty", ""};
        WriteRequestEncoder single = new WriteRequestEncoder();
        WriteRequestEncoder multi = new WriteRequestEncoder();
        for (double v : SPECIAL_VALUES) {
            for (long t : SPECIAL_TIMESTAMPS) {
                single.addSeries(labels, 3, v, t);
                multi.addSeries(labels, 3, new double[] {v}, new long[] {t}, 1);
            }
        }
        assertArrayEquals(single.toByteArray(), multi.toByteArray());
    }

    @Test
    void rejectsASampleCountBeyondTheArraysAndWritesNothing() {
        WriteRequestEncoder enc = new WriteRequestEncoder();
        String[] labels = {"__name__", "m"};
        assertThrows(IllegalArgumentException.class, () -> enc.addSeries(labels, 1, new double[2], new long[1], 2));
        assertThrows(IllegalArgumentException.class, () -> enc.addSeries(labels, 1, new double[1], new long[1], -1));
        assertThrows(
                IllegalArgumentException.class, () -> enc.addSeries(asBytes(labels, 1), new double[1], new long[3], 2));
        assertEquals(0, enc.size());
        assertEquals(0, enc.seriesCount());
    }

    @Test
    void labelBytesSortByNameStablyAsStringsSortAsciiNames() {
        Random r = new Random(9);
        for (int round = 0; round < 300; round++) {
            int pairs = r.nextInt(12);
            List<String[]> want = new ArrayList<>();
            String[] labels = new String[2 * pairs];
            for (int i = 0; i < pairs; i++) {
                String name = r.nextInt(4) == 0 ? "a" : Character.toString('A' + r.nextInt(58)) + r.nextInt(3);
                labels[2 * i] = name;
                labels[2 * i + 1] = "v" + i;
                want.add(new String[] {name, labels[2 * i + 1]});
            }
            want.sort(Comparator.comparing(p -> p[0])); // List.sort is stable
            LabelBytes lb = asBytes(labels, pairs);
            lb.sortByName();
            assertEquals(pairs, lb.pairs());
            for (int i = 0; i < pairs; i++) {
                assertEquals(want.get(i)[0], lb.string(2 * i), "round " + round + " pair " + i);
                assertEquals(want.get(i)[1], lb.string(2 * i + 1), "round " + round + " pair " + i);
            }
        }
    }

    @Test
    void labelBytesComparesSlicesAndRefusesOnesOutsideTheArray() {
        LabelBytes lb = new LabelBytes();
        byte[] body = "xrobotrobot".getBytes(StandardCharsets.UTF_8);
        lb.add(body, 1, 5, body, 6, 5);
        assertEquals(true, lb.equalsBytes(0, "robot".getBytes(StandardCharsets.UTF_8)));
        assertEquals(false, lb.equalsBytes(0, "robots".getBytes(StandardCharsets.UTF_8)));
        assertEquals(true, lb.equalsString(0, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> lb.add(body, 8, 5, body, 0, 1));
        for (int i = 0; i < 100; i++) {
            lb.add(body, 0, 1, body, 1, 1); // grows past its initial 16 pairs
        }
        assertEquals(101, lb.pairs());
        lb.clear();
        assertEquals(0, lb.pairs());
    }
}
