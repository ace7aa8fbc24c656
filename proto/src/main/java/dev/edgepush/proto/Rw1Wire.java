package dev.edgepush.proto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The protobuf wire primitives {@link WriteRequestEncoder} writes remote write 1.0 with: the
 * one-byte tags of its fields, varints, and TimeSeries.samples fields (Sample: value by raw bits,
 * timestamp as a varint, each left out when it is the proto3 default, exactly as protobuf-java
 * does). Stateless; callers make room in the target array first.
 */
final class Rw1Wire {
    private Rw1Wire() {}

    static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** Tag of WriteRequest.timeseries, TimeSeries.labels and Label.name (field 1, length-delimited). */
    static final byte TAG_1_LEN = 0x0a;
    /** Tag of TimeSeries.samples and Label.value (field 2, length-delimited). */
    static final byte TAG_2_LEN = 0x12;
    /** Tag of Sample.value (field 1, fixed64). */
    static final byte TAG_VALUE = 0x09;
    /** Tag of Sample.timestamp (field 2, varint). */
    static final byte TAG_TIMESTAMP = 0x10;

    static void checkSamples(double[] values, long[] timestampsMs, int sampleCount) {
        if (sampleCount < 0 || sampleCount > values.length || sampleCount > timestampsMs.length) {
            throw new IllegalArgumentException("sampleCount " + sampleCount + " out of range for " + values.length
                    + " values and " + timestampsMs.length + " timestamps");
        }
    }

    /** Bytes of {@code count} Sample fields (tag, 1-byte length since a sample is at most 20). */
    static long samplesSize(double[] values, long[] timestampsMs, int count) {
        long total = 0;
        for (int i = 0; i < count; i++) {
            total += 2 + sampleSize(Double.doubleToRawLongBits(values[i]), timestampsMs[i]);
        }
        return total;
    }

    static int sampleSize(long bits, long timestampMs) {
        return (bits != 0 ? 9 : 0) + (timestampMs != 0 ? 1 + varint64Size(timestampMs) : 0);
    }

    static int writeSamples(byte[] b, int p, double[] values, long[] timestampsMs, int count) {
        for (int i = 0; i < count; i++) {
            p = writeSample(b, p, Double.doubleToRawLongBits(values[i]), timestampsMs[i]);
        }
        return p;
    }

    /** One Sample field; defaults (raw bits 0, timestamp 0) are left out, as protobuf-java does. */
    static int writeSample(byte[] b, int p, long bits, long timestampMs) {
        b[p++] = TAG_2_LEN;
        b[p++] = (byte) sampleSize(bits, timestampMs);
        if (bits != 0) {
            b[p++] = TAG_VALUE;
            LONG_LE.set(b, p, bits);
            p += 8;
        }
        if (timestampMs != 0) {
            b[p++] = TAG_TIMESTAMP;
            p = writeVarint64(b, p, timestampMs);
        }
        return p;
    }

    /** Size of an optional string field with a 1-byte tag: nothing when empty, as proto3 does. */
    static int fieldSize(int len) {
        return len == 0 ? 0 : 1 + varint32Size(len) + len;
    }

    static int varint32Size(int v) {
        if ((v & (~0 << 7)) == 0) {
            return 1;
        }
        if ((v & (~0 << 14)) == 0) {
            return 2;
        }
        if ((v & (~0 << 21)) == 0) {
            return 3;
        }
        if ((v & (~0 << 28)) == 0) {
            return 4;
        }
        return 5;
    }

    static int varint64Size(long v) {
        // Same formula as CodedOutputStream.computeUInt64SizeNoTag: 0 -> 1, negative -> 10.
        return (640 - Long.numberOfLeadingZeros(v) * 9) >>> 6;
    }

    static int writeVarint32(byte[] b, int p, int v) {
        while ((v & ~0x7f) != 0) {
            b[p++] = (byte) ((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        b[p++] = (byte) v;
        return p;
    }

    static int writeVarint64(byte[] b, int p, long v) {
        while ((v & ~0x7fL) != 0) {
            b[p++] = (byte) ((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        b[p++] = (byte) v;
        return p;
    }
}
