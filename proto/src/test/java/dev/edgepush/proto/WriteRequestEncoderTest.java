package dev.edgepush.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.CodedOutputStream;
import dev.edgepush.proto.rw1.RemoteWrite;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WriteRequestEncoderTest {

    static final double STALE_NAN = Double.longBitsToDouble(0x7ff0000000000002L);

    static final double[] SPECIAL_VALUES = {
        0.0,
        -0.0,
        1.0,
        -1.5,
        Double.NaN,
        STALE_NAN,
        Double.longBitsToDouble(0xfff8000000000001L),
        Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY,
        Double.MIN_VALUE,
        Double.MAX_VALUE,
    };

    static final long[] SPECIAL_TIMESTAMPS = {
        0, 1, -1, 127, 128, 1000, 1_700_000_000_000L, Long.MIN_VALUE, Long.MAX_VALUE,
    };

    static final String[] SPECIAL_STRINGS = {
        "",
        "a",
        "__name__",
        "é",
        "ü€",
        "日本語",
        "\uD83D\uDE00 emoji",
        "x".repeat(127),
        "y".repeat(128),
        "z".repeat(20_000),
        "\u007f\u0080\u07ff\u0800\uffff",
    };

    /** What protobuf-java produces for the same input. */
    static RemoteWrite.TimeSeries generated(String[] labels, int pairs, double value, long ts) {
        RemoteWrite.TimeSeries.Builder b = RemoteWrite.TimeSeries.newBuilder();
        for (int i = 0; i < pairs; i++) {
            b.addLabels(RemoteWrite.Label.newBuilder().setName(labels[2 * i]).setValue(labels[2 * i + 1]));
        }
        b.addSamples(RemoteWrite.Sample.newBuilder().setValue(value).setTimestamp(ts));
        return b.build();
    }

    static String randomString(Random r) {
        if (r.nextInt(4) == 0) {
            return SPECIAL_STRINGS[r.nextInt(SPECIAL_STRINGS.length)];
        }
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(r.nextInt(8) == 0 ? 300 : 12);
        for (int i = 0; i < n; i++) {
            switch (r.nextInt(5)) {
                case 0, 1 -> sb.append((char) ('a' + r.nextInt(26)));
                case 2 -> sb.append((char) (0x80 + r.nextInt(0x800 - 0x80)));
                case 3 -> sb.append((char) (0x800 + r.nextInt(0xd800 - 0x800)));
                default -> sb.appendCodePoint(0x10000 + r.nextInt(0x100000));
            }
        }
        return sb.toString();
    }

    @Test
    void randomSeriesMatchGeneratedSerialization() {
        Random r = new Random(42);
        WriteRequestEncoder enc = new WriteRequestEncoder(16);
        for (int round = 0; round < 200; round++) {
            enc.reset();
            RemoteWrite.WriteRequest.Builder expected = RemoteWrite.WriteRequest.newBuilder();
            int series = r.nextInt(20);
            for (int s = 0; s < series; s++) {
                int pairs = r.nextInt(6);
                String[] labels = new String[2 * pairs + r.nextInt(3)]; // trailing slack is ignored
                Arrays.fill(labels, "ignored");
                for (int i = 0; i < 2 * pairs; i++) {
                    labels[i] = randomString(r);
                }
                double value = r.nextBoolean()
                        ? SPECIAL_VALUES[r.nextInt(SPECIAL_VALUES.length)]
                        : Double.longBitsToDouble(r.nextLong());
                long ts = r.nextBoolean() ? SPECIAL_TIMESTAMPS[r.nextInt(SPECIAL_TIMESTAMPS.length)] : r.nextLong();
                enc.addSeries(labels, pairs, value, ts);
                expected.addTimeseries(generated(labels, pairs, value, ts));
            }
            byte[] want = expected.build().toByteArray();
            assertArrayEquals(want, enc.toByteArray(), "round " + round);
            assertEquals(want.length, enc.size());
            assertEquals(series, enc.seriesCount());
            assertArrayEquals(want, Arrays.copyOf(enc.array(), enc.size()));
        }
    }

    @Test
    void preEncodedLabelsWriteTheSameBytes() {
        Random r = new Random(11);
        WriteRequestEncoder byStrings = new WriteRequestEncoder(16);
        WriteRequestEncoder byBytes = new WriteRequestEncoder(16);
        for (int round = 0; round < 500; round++) {
            int pairs = r.nextInt(8);
            String[] labels = new String[2 * pairs];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = r.nextInt(10) == 0 ? "x".repeat(200 + r.nextInt(200)) : randomString(r);
            }
            double value = r.nextBoolean() ? SPECIAL_VALUES[r.nextInt(SPECIAL_VALUES.length)] : r.nextDouble();
            long ts = r.nextBoolean() ? SPECIAL_TIMESTAMPS[r.nextInt(SPECIAL_TIMESTAMPS.length)] : r.nextLong();
            byStrings.addSeries(labels, pairs, value, ts);
            byBytes.addSeries(WriteRequestEncoder.encodeLabels(labels, pairs), value, ts);
        }
        assertArrayEquals(byStrings.toByteArray(), byBytes.toByteArray());
        assertEquals(byStrings.seriesCount(), byBytes.seriesCount());
    }

    @Test
    void everySpecialValueAndTimestampMatches() throws Exception {
        String[] labels = {"__name__", "up", "job", ""};
        for (double v : SPECIAL_VALUES) {
            for (long ts : SPECIAL_TIMESTAMPS) {
                WriteRequestEncoder enc = new WriteRequestEncoder();
                enc.addSeries(labels, 2, v, ts);
                byte[] want = RemoteWrite.WriteRequest.newBuilder()
                        .addTimeseries(generated(labels, 2, v, ts))
                        .build()
                        .toByteArray();
                assertArrayEquals(want, enc.toByteArray(), v + " @ " + ts);
                RemoteWrite.Sample back = RemoteWrite.WriteRequest.parseFrom(enc.toByteArray())
                        .getTimeseries(0)
                        .getSamples(0);
                assertEquals(Double.doubleToRawLongBits(v), Double.doubleToRawLongBits(back.getValue()));
                assertEquals(ts, back.getTimestamp());
            }
        }
    }

    @Test
    void staleNanKeepsItsExactBits() throws Exception {
        WriteRequestEncoder enc = new WriteRequestEncoder();
        enc.addSeries(new String[] {"a", "b"}, 1, STALE_NAN, 5);
        byte[] bytes = enc.toByteArray();
        double back = RemoteWrite.WriteRequest.parseFrom(bytes)
                .getTimeseries(0)
                .getSamples(0)
                .getValue();
        assertEquals(0x7ff0000000000002L, Double.doubleToRawLongBits(back));
    }

    @Test
    void emptySeriesAndDefaultSample() {
        WriteRequestEncoder enc = new WriteRequestEncoder();
        enc.addSeries(new String[0], 0, 0.0, 0);
        enc.addSeries(new String[] {"", ""}, 1, 0.0, 0);
        // 0a 02 (series, 2 bytes) 12 00 (empty sample); 0a 04 (series) 0a 00 (empty label) 12 00
        assertArrayEquals(new byte[] {0x0a, 0x02, 0x12, 0x00, 0x0a, 0x04, 0x0a, 0x00, 0x12, 0x00}, enc.toByteArray());
        byte[] want = RemoteWrite.WriteRequest.newBuilder()
                .addTimeseries(generated(new String[0], 0, 0.0, 0))
                .addTimeseries(generated(new String[] {"", ""}, 1, 0.0, 0))
                .build()
                .toByteArray();
        assertArrayEquals(want, enc.toByteArray());
    }

    @Test
    void unpairedSurrogatesBecomeQuestionMarksLikeProtobufJava() {
        String[] labels = {"a\uD800b", "\uDC00", "x\uD83D", "\uD83D\uDE00\uDE00"};
        WriteRequestEncoder enc = new WriteRequestEncoder();
        enc.addSeries(labels, 2, 1, 1);
        byte[] want = RemoteWrite.WriteRequest.newBuilder()
                .addTimeseries(generated(labels, 2, 1, 1))
                .build()
                .toByteArray();
        assertArrayEquals(want, enc.toByteArray());
    }

    @Test
    void resetKeepsBufferAndStartsOver() {
        WriteRequestEncoder enc = new WriteRequestEncoder(16);
        for (int i = 0; i < 1000; i++) {
            enc.addSeries(new String[] {"__name__", "m" + i}, 1, i, i);
        }
        assertEquals(1000, enc.seriesCount());
        byte[] grown = enc.array();
        enc.reset();
        assertEquals(0, enc.size());
        assertEquals(0, enc.seriesCount());
        assertEquals(0, enc.toByteArray().length);
        enc.addSeries(new String[] {"__name__", "m0"}, 1, 0, 0);
        assertSame(grown, enc.array(), "no reallocation after reset");
        assertArrayEquals(
                RemoteWrite.WriteRequest.newBuilder()
                        .addTimeseries(generated(new String[] {"__name__", "m0"}, 1, 0, 0))
                        .build()
                        .toByteArray(),
                enc.toByteArray());
    }

    @Test
    void rejectsBadArguments() {
        WriteRequestEncoder enc = new WriteRequestEncoder();
        assertThrows(IllegalArgumentException.class, () -> enc.addSeries(new String[3], 2, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> enc.addSeries(new String[2], -1, 0, 0));
        assertThrows(NullPointerException.class, () -> enc.addSeries(new String[] {"a", null}, 1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new WriteRequestEncoder(-1));
        assertEquals(0, enc.size(), "failed calls write nothing");
        assertEquals(0, enc.seriesCount());
    }

    @Test
    void sizeHelpersAgreeWithCodedOutputStream() {
        Random r = new Random(7);
        for (int i = 0; i < 10_000; i++) {
            long v = r.nextLong() >> r.nextInt(64);
            assertEquals(CodedOutputStream.computeUInt64SizeNoTag(v), Rw1Wire.varint64Size(v), "" + v);
            int w = (int) v;
            assertEquals(CodedOutputStream.computeUInt32SizeNoTag(w), Rw1Wire.varint32Size(w), "" + w);
        }
        for (String s : SPECIAL_STRINGS) {
            assertEquals(
                    CodedOutputStream.computeStringSizeNoTag(s),
                    Rw1Wire.varint32Size(Utf8Encoding.length(s)) + Utf8Encoding.length(s));
        }
    }
}
