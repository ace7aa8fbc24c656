package dev.edgepush.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.edgepush.proto.rw1.RemoteWrite;
import dev.edgepush.proto.rw2.RemoteWriteV2;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Round trips against bytes derived by hand from the protobuf wire format. */
class WireFormatTest {

    /** Hex with spaces and newlines allowed. */
    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replaceAll("\\s+", ""));
    }

    /** Sample{value 1.0, timestamp 1000}: 14 bytes including its own tag and length. */
    static final String SAMPLE_1_AT_1000 = "12 0c" // field 2 (samples), wire type 2, length 12
            + " 09 000000000000f03f" // field 1 (value) fixed64: 1.0 = 0x3ff0000000000000, little-endian
            + " 10 e807"; // field 2 (timestamp) varint: 1000 = 0b111_1101000 -> e8 (0x68|0x80), 07

    /** WriteRequest{timeseries [{labels [__name__="up", job="a"], samples [{1.0, 1000}]}]}: 42 bytes. */
    static final byte[] V1_BYTES = hex(
            "0a 28" // WriteRequest field 1 (timeseries), wire type 2, length 40 = 16+10+14
                    + " 0a 0e" //   TimeSeries field 1 (labels), length 14
                    + "   0a 08 5f5f6e616d655f5f" //     Label field 1 (name), length 8, "__name__"
                    + "   12 02 7570" //     Label field 2 (value), length 2, "up"
                    + " 0a 08" //   TimeSeries field 1 (labels), length 8
                    + "   0a 03 6a6f62" //     name, length 3, "job"
                    + "   12 01 61" //     value, length 1, "a"
                    + " " + SAMPLE_1_AT_1000); //   TimeSeries field 2 (samples), 14 bytes

    /** Request{symbols ["", "__name__", "up"], timeseries [{labels_refs [1, 2], samples [{1.0, 1000}]}]}. */
    static final byte[] V2_BYTES = hex(
            "22 00" // Request field 4 (symbols), wire type 2: (4<<3)|2 = 0x22, "" (written: repeated)
                    + " 22 08 5f5f6e616d655f5f" // symbols: "__name__"
                    + " 22 02 7570" // symbols: "up"
                    + " 2a 12" // Request field 5 (timeseries): (5<<3)|2 = 0x2a, length 18 = 4+14
                    + "   0a 02 01 02" //   TimeSeries field 1 (labels_refs), packed: wire type 2, length 2, [1, 2]
                    + "   " + SAMPLE_1_AT_1000); //   TimeSeries field 2 (samples), 14 bytes

    static RemoteWrite.WriteRequest v1Message() {
        return RemoteWrite.WriteRequest.newBuilder()
                .addTimeseries(RemoteWrite.TimeSeries.newBuilder()
                        .addLabels(RemoteWrite.Label.newBuilder()
                                .setName("__name__")
                                .setValue("up"))
                        .addLabels(RemoteWrite.Label.newBuilder().setName("job").setValue("a"))
                        .addSamples(
                                RemoteWrite.Sample.newBuilder().setValue(1.0).setTimestamp(1000)))
                .build();
    }

    @Test
    void v1HandCheckedBytes() throws Exception {
        assertEquals(42, V1_BYTES.length);
        assertArrayEquals(V1_BYTES, v1Message().toByteArray(), "generated");
        WriteRequestEncoder enc = new WriteRequestEncoder();
        enc.addSeries(new String[] {"__name__", "up", "job", "a"}, 2, 1.0, 1000);
        assertArrayEquals(V1_BYTES, enc.toByteArray(), "encoder");
        assertEquals(v1Message(), RemoteWrite.WriteRequest.parseFrom(V1_BYTES));
        assertEquals(1, WriteRequestDecoder.countSamples(V1_BYTES, 0, V1_BYTES.length));
    }

    @Test
    void v2HandCheckedBytes() throws Exception {
        RemoteWriteV2.Request req = RemoteWriteV2.Request.newBuilder()
                .addSymbols("")
                .addSymbols("__name__")
                .addSymbols("up")
                .addTimeseries(RemoteWriteV2.TimeSeries.newBuilder()
                        .addLabelsRefs(1)
                        .addLabelsRefs(2)
                        .addSamples(
                                RemoteWriteV2.Sample.newBuilder().setValue(1.0).setTimestamp(1000)))
                .build();
        assertArrayEquals(V2_BYTES, req.toByteArray());
        assertEquals(req, RemoteWriteV2.Request.parseFrom(V2_BYTES));
    }

    @Test
    void concatenatedRequestsParseAsOne() throws Exception {
        RemoteWrite.WriteRequest second = RemoteWrite.WriteRequest.newBuilder()
                .addTimeseries(RemoteWrite.TimeSeries.newBuilder()
                        .addLabels(RemoteWrite.Label.newBuilder()
                                .setName("__name__")
                                .setValue("down"))
                        .addSamples(
                                RemoteWrite.Sample.newBuilder().setValue(-0.0).setTimestamp(-5)))
                .build();
        byte[] first = V1_BYTES;
        byte[] joined = new byte[first.length + second.getSerializedSize()];
        System.arraycopy(first, 0, joined, 0, first.length);
        System.arraycopy(second.toByteArray(), 0, joined, first.length, second.getSerializedSize());

        RemoteWrite.WriteRequest both = RemoteWrite.WriteRequest.parseFrom(joined);
        assertEquals(2, both.getTimeseriesCount());
        assertEquals(v1Message().getTimeseries(0), both.getTimeseries(0));
        assertEquals(second.getTimeseries(0), both.getTimeseries(1));
        assertEquals(2, WriteRequestDecoder.countSamples(joined, 0, joined.length));

        // the encoder's bytes for both series are exactly the join
        WriteRequestEncoder enc = new WriteRequestEncoder();
        enc.addSeries(new String[] {"__name__", "up", "job", "a"}, 2, 1.0, 1000);
        enc.addSeries(new String[] {"__name__", "down"}, 1, -0.0, -5);
        assertArrayEquals(joined, enc.toByteArray());
    }
}
