package dev.edgepush.testbed.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.compression.Snappy;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes a Prometheus remote-write 1.0 {@code WriteRequest} by hand (the testbed has no protobuf
 * dependency) and compresses it to a Snappy <em>block</em>, the body a receiver expects.
 *
 * <p>Wire format written, from the remote-write 1.0 spec: WriteRequest field 1 (tag 0x0a)
 * repeated TimeSeries; TimeSeries field 1 (0x0a) repeated Label, field 2 (0x12) repeated Sample;
 * Label field 1 (0x0a) name, field 2 (0x12) value; Sample field 1 (0x09, fixed64) value,
 * field 2 (0x10, varint) timestamp in ms. Labels must be given sorted by name. Not thread-safe.
 */
public final class RemoteWriteBatch {
    /** Netty's encoder is written for Snappy's own 64 KiB fragments (2-byte copy offsets). */
    private static final int SNAPPY_FRAGMENT_BYTES = 1 << 16;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 16);
    private int series;
    private int samples;

    /** Adds one series: {@code sortedLabels} as name, value, name, value...; one sample per timestamp. */
    public void addSeries(String[] sortedLabels, double[] values, long[] timestampsMs) {
        byte[][] utf8 = new byte[sortedLabels.length][];
        int seriesLen = 0;
        for (int i = 0; i < sortedLabels.length; i += 2) {
            utf8[i] = sortedLabels[i].getBytes(StandardCharsets.UTF_8);
            utf8[i + 1] = sortedLabels[i + 1].getBytes(StandardCharsets.UTF_8);
            int labelLen = stringFieldLen(utf8[i].length) + stringFieldLen(utf8[i + 1].length);
            seriesLen += 1 + varintLen(labelLen) + labelLen;
        }
        for (long ts : timestampsMs) {
            int sampleLen = 1 + 8 + 1 + varintLen(ts);
            seriesLen += 1 + varintLen(sampleLen) + sampleLen;
        }
        out.write(0x0a);
        writeVarint(seriesLen);
        for (int i = 0; i < utf8.length; i += 2) {
            out.write(0x0a);
            writeVarint(stringFieldLen(utf8[i].length) + stringFieldLen(utf8[i + 1].length));
            writeString(0x0a, utf8[i]);
            writeString(0x12, utf8[i + 1]);
        }
        for (int i = 0; i < timestampsMs.length; i++) {
            out.write(0x12);
            writeVarint(1 + 8 + 1 + varintLen(timestampsMs[i]));
            out.write(0x09);
            long bits = Double.doubleToRawLongBits(values[i]);
            for (int b = 0; b < 8; b++) {
                out.write((int) (bits >>> (8 * b)) & 0xff);
            }
            out.write(0x10);
            writeVarint(timestampsMs[i]);
        }
        series++;
        samples += timestampsMs.length;
    }

    public int seriesCount() {
        return series;
    }

    public int sampleCount() {
        return samples;
    }

    /** The uncompressed WriteRequest. */
    public byte[] toProtobuf() {
        return out.toByteArray();
    }

    /** The WriteRequest as a Snappy block: ready to POST with {@code Content-Encoding: snappy}. */
    public byte[] toSnappyBlock() {
        return snappyBlock(toProtobuf());
    }

    /**
     * Snappy block format: the uncompressed length as a varint, then literals and copies. Each 64 KiB
     * fragment is compressed on its own and their element streams are joined under one length, as
     * the reference implementation does; copies then never reach back past their fragment.
     */
    static byte[] snappyBlock(byte[] raw) {
        ByteBuf result = Unpooled.buffer(raw.length / 2 + 16);
        ByteBuf fragmentOut = Unpooled.buffer(SNAPPY_FRAGMENT_BYTES + SNAPPY_FRAGMENT_BYTES / 6 + 32);
        try {
            writeVarint(result, raw.length);
            Snappy snappy = new Snappy();
            for (int off = 0; off < raw.length; off += SNAPPY_FRAGMENT_BYTES) {
                int len = Math.min(SNAPPY_FRAGMENT_BYTES, raw.length - off);
                fragmentOut.clear();
                snappy.reset();
                snappy.encode(Unpooled.wrappedBuffer(raw, off, len), fragmentOut, len);
                while ((fragmentOut.readByte() & 0x80) != 0) {
                    // skip the fragment's own length preamble
                }
                result.writeBytes(fragmentOut);
            }
            byte[] bytes = new byte[result.readableBytes()];
            result.readBytes(bytes);
            return bytes;
        } finally {
            result.release();
            fragmentOut.release();
        }
    }

    private static int stringFieldLen(int n) {
        return 1 + varintLen(n) + n;
    }

    private void writeString(int tag, byte[] s) {
        out.write(tag);
        writeVarint(s.length);
        out.write(s, 0, s.length);
    }

    private void writeVarint(long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    private static void writeVarint(ByteBuf b, long v) {
        while ((v & ~0x7FL) != 0) {
            b.writeByte((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        b.writeByte((int) v);
    }

    static int varintLen(long v) {
        int n = 1;
        while ((v & ~0x7FL) != 0) {
            n++;
            v >>>= 7;
        }
        return n;
    }
}
