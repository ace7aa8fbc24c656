package dev.edgepush.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import dev.edgepush.proto.rw1.RemoteWrite;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WriteRequestDecoderTest {

    /** Unknown fields of every wire type, including a nested group and known numbers with wrong types. */
    static UnknownFieldSet unknowns(Random r) {
        UnknownFieldSet inner = UnknownFieldSet.newBuilder()
                .addField(
                        1,
                        UnknownFieldSet.Field.newBuilder()
                                .addVarint(r.nextLong())
                                .build())
                .addField(
                        2,
                        UnknownFieldSet.Field.newBuilder()
                                .addGroup(UnknownFieldSet.newBuilder()
                                        .addField(
                                                3,
                                                UnknownFieldSet.Field.newBuilder()
                                                        .addFixed32(7)
                                                        .build())
                                        .build())
                                .build())
                .build();
        return UnknownFieldSet.newBuilder()
                .addField(1, UnknownFieldSet.Field.newBuilder().addVarint(1).build()) // field 1, wrong type
                .addField(
                        2,
                        UnknownFieldSet.Field.newBuilder()
                                .addFixed64(r.nextLong())
                                .build()) // wrong type
                .addField(
                        99,
                        UnknownFieldSet.Field.newBuilder()
                                .addLengthDelimited(ByteString.copyFromUtf8("\u0012\u0000"))
                                .build())
                .addField(
                        100,
                        UnknownFieldSet.Field.newBuilder()
                                .addFixed32(r.nextInt())
                                .build())
                .addField(
                        536_870_911,
                        UnknownFieldSet.Field.newBuilder().addGroup(inner).build())
                .build();
    }

    static RemoteWrite.WriteRequest randomRequest(Random r) {
        RemoteWrite.WriteRequest.Builder req = RemoteWrite.WriteRequest.newBuilder();
        int series = r.nextInt(8);
        for (int s = 0; s < series; s++) {
            RemoteWrite.TimeSeries.Builder ts = RemoteWrite.TimeSeries.newBuilder()
                    .addLabels(
                            RemoteWrite.Label.newBuilder().setName("__name__").setValue("m" + s));
            int samples = r.nextInt(5);
            for (int i = 0; i < samples; i++) {
                RemoteWrite.Sample.Builder sample =
                        RemoteWrite.Sample.newBuilder().setValue(r.nextDouble()).setTimestamp(r.nextLong());
                if (r.nextBoolean()) {
                    sample.setUnknownFields(unknowns(r));
                }
                ts.addSamples(sample);
            }
            if (r.nextBoolean()) {
                ts.addExemplars(RemoteWrite.Exemplar.newBuilder()
                        .setValue(1)
                        .setTimestamp(2)
                        .addLabels(RemoteWrite.Label.newBuilder()
                                .setName("trace_id")
                                .setValue("abc")));
                ts.addHistograms(RemoteWrite.Histogram.newBuilder()
                        .setCountInt(3)
                        .setSum(4.5)
                        .addPositiveSpans(RemoteWrite.BucketSpan.newBuilder()
                                .setOffset(-1)
                                .setLength(2))
                        .addPositiveDeltas(-3)
                        .addPositiveCounts(1.0));
            }
            if (r.nextBoolean()) {
                ts.setUnknownFields(unknowns(r));
            }
            req.addTimeseries(ts);
        }
        if (r.nextBoolean()) {
            req.addMetadata(RemoteWrite.MetricMetadata.newBuilder()
                    .setType(RemoteWrite.MetricMetadata.MetricType.GAUGE)
                    .setMetricFamilyName("m")
                    .setHelp("h"));
        }
        if (r.nextBoolean()) {
            req.setUnknownFields(unknowns(r));
        }
        return req.build();
    }

    static int generatedCount(RemoteWrite.WriteRequest req) {
        return req.getTimeseriesList().stream()
                .mapToInt(RemoteWrite.TimeSeries::getSamplesCount)
                .sum();
    }

    @Test
    void countsLikeTheGeneratedParser() throws Exception {
        Random r = new Random(1);
        for (int round = 0; round < 500; round++) {
            RemoteWrite.WriteRequest req = randomRequest(r);
            byte[] bytes = req.toByteArray();
            // parse back so the count reflects how protobuf-java reads these bytes
            int want = generatedCount(RemoteWrite.WriteRequest.parseFrom(bytes));
            assertEquals(want, WriteRequestDecoder.countSamples(bytes, 0, bytes.length), "round " + round);
            byte[] padded = new byte[bytes.length + 10];
            System.arraycopy(bytes, 0, padded, 3, bytes.length);
            padded[2] = (byte) 0xff; // garbage around the range must not matter
            padded[bytes.length + 3] = (byte) 0xff;
            assertEquals(want, WriteRequestDecoder.countSamples(padded, 3, bytes.length));
        }
    }

    @Test
    void countsEncoderOutput() {
        WriteRequestEncoder enc = new WriteRequestEncoder();
        assertEquals(0, WriteRequestDecoder.countSamples(enc.array(), 0, enc.size()));
        for (int i = 0; i < 300; i++) {
            enc.addSeries(new String[] {"__name__", "m", "i", Integer.toString(i)}, 2, i, i);
        }
        assertEquals(300, WriteRequestDecoder.countSamples(enc.array(), 0, enc.size()));
    }

    @Test
    void everyPrefixEitherParsesLikeProtobufOrIsRejected() {
        Random r = new Random(2);
        for (int round = 0; round < 50; round++) {
            byte[] bytes = randomRequest(r).toByteArray();
            for (int len = 0; len <= bytes.length; len++) {
                RemoteWrite.WriteRequest parsed;
                try {
                    parsed = RemoteWrite.WriteRequest.parser().parseFrom(bytes, 0, len);
                } catch (InvalidProtocolBufferException e) {
                    int l = len;
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> WriteRequestDecoder.countSamples(bytes, 0, l),
                            "prefix " + len);
                    continue;
                }
                assertEquals(generatedCount(parsed), WriteRequestDecoder.countSamples(bytes, 0, len));
            }
        }
    }

    @Test
    void rejectsMalformedInput() {
        byte[][] bad = {
            {0x0a}, // tag without length
            {0x0a, 0x05, 0x12, 0x00}, // series longer than the buffer
            {0x0a, 0x02, 0x12, 0x05}, // sample longer than its series
            {0x00, 0x00}, // field number 0
            {0x0f}, // wire type 7
            {0x0c}, // end group without start
            {0x0b, 0x08, 0x01}, // unterminated group
            {0x0b, 0x14}, // group 1 closed by end of group 2
            {0x09, 0x00, 0x00}, // truncated fixed64
            {0x15, 0x00}, // truncated fixed32
            {0x08, (byte) 0x80}, // truncated varint
            {0x08, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0x01}, // 11-byte varint
        };
        for (byte[] b : bad) {
            assertThrows(IllegalArgumentException.class, () -> WriteRequestDecoder.countSamples(b, 0, b.length));
        }
        byte[] deep = new byte[2 * 101];
        for (int i = 0; i < 101; i++) {
            deep[i] = 0x0b; // start group 1
            deep[2 * 101 - 1 - i] = 0x0c; // end group 1
        }
        assertThrows(IllegalArgumentException.class, () -> WriteRequestDecoder.countSamples(deep, 0, deep.length));
        assertThrows(IndexOutOfBoundsException.class, () -> WriteRequestDecoder.countSamples(new byte[2], 1, 2));
    }
}
