package dev.edgepush.ingest.decode;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.edgepush.proto.LabelBytes;
import dev.edgepush.proto.WriteRequestEncoder;
import dev.edgepush.proto.rw1.RemoteWrite;

/**
 * Remote write 1.0: a protobuf {@code prometheus.WriteRequest} into a {@link BatchBuilder}.
 *
 * <p>The hot path walks the wire format ({@link WireReader}) and hands the builder each series'
 * labels as slices of the body ({@link LabelBytes}, UTF-8 checked as protobuf-java checks proto3
 * strings) and its samples as numbers: no message objects, no strings. protobuf-java's generated
 * classes are used only where they are needed. A series whose label fields are byte for byte
 * those the same position held in the robot's previous request ({@link SeriesCache}) skips
 * the label work altogether. The generated classes:
 * <ul>
 *   <li>a series with native histograms or exemplars (TimeSeries fields 4 and 3) is parsed alone
 *       with them, since the builder forwards those as messages;
 *   <li>a body the walk does not accept (malformed, invalid UTF-8, anything unusual) is decoded
 *       again from the start the generated way, so what is refused and with which message
 *       ("body is not a remote-write 1.0 WriteRequest (protobuf): ...") stays protobuf-java's;
 *   <li>a series the builder refuses (400 naming the series) is reported only after the generated
 *       parser has accepted the whole body, since it would have refused a malformed body first.
 * </ul>
 */
public final class RemoteWriteV1Decoder {
    /** WriteRequest.timeseries, TimeSeries.labels, Label.name: field 1, length-delimited. */
    private static final int TAG_1_LEN = (1 << 3) | 2;
    /** TimeSeries.samples, Label.value: field 2, length-delimited. */
    private static final int TAG_2_LEN = (2 << 3) | 2;
    /** TimeSeries.exemplars: field 3, length-delimited. */
    private static final int TAG_EXEMPLARS = (3 << 3) | 2;
    /** TimeSeries.histograms: field 4, length-delimited. */
    private static final int TAG_HISTOGRAMS = (4 << 3) | 2;
    /** Sample.value: field 1, fixed64. */
    private static final int TAG_VALUE = (1 << 3) | 1;
    /** Sample.timestamp: field 2, varint. */
    private static final int TAG_TIMESTAMP = 2 << 3;

    private RemoteWriteV1Decoder() {}

    public static void decode(byte[] body, BatchBuilder out) throws PayloadException {
        try {
            decodeInPlace(body, out);
        } catch (WireReader.Unreadable e) {
            out.reset();
            decodeGenerated(parse(body), out);
        } catch (PayloadException e) {
            parse(body); // a malformed body is refused as such before any series
            throw e;
        }
    }

    private static RemoteWrite.WriteRequest parse(byte[] body) throws PayloadException {
        try {
            return RemoteWrite.WriteRequest.parseFrom(body);
        } catch (InvalidProtocolBufferException e) {
            throw PayloadException.badRequest(
                    "body is not a remote-write 1.0 WriteRequest (protobuf): " + e.getMessage());
        }
    }

    private static void decodeInPlace(byte[] body, BatchBuilder out) throws PayloadException {
        WireReader r = new WireReader(body);
        LabelBytes labels = new LabelBytes();
        String[] pairs = new String[32];
        int end = body.length;
        int index = 0;
        while (r.pos < end) {
            int tag = r.readTag(end);
            if (tag == TAG_1_LEN) {
                int seriesEnd = r.readLengthEnd(end);
                pairs = series(r, seriesEnd, index++, labels, pairs, out);
                r.pos = seriesEnd;
            } else {
                r.skipField(tag, end); // metadata (field 3) is not forwarded
            }
        }
    }

    /** Series {@code index} in {@code [r.pos, end)}; returns the (maybe grown) scratch array. */
    private static String[] series(
            WireReader r, int end, int index, LabelBytes labels, String[] pairs, BatchBuilder out)
            throws PayloadException {
        int start = r.pos;
        // Pass 1 finds whether the series needs messages and where its leading label fields end
        // (all of its labels, as encoders write them); those bytes are looked up in the builder's
        // SeriesCache, and only on a miss are the labels read (and UTF-8 checked) one by one.
        boolean needsMessages = false;
        boolean labelsLead = true;
        boolean oneSlice = true; // false: a label field after a sample (rare, allowed)
        int labelsEnd = start;
        while (r.pos < end) {
            int tag = r.readTag(end);
            if (tag == TAG_1_LEN) {
                r.pos = r.readLengthEnd(end);
                if (labelsLead) {
                    labelsEnd = r.pos;
                } else {
                    oneSlice = false;
                }
            } else if (tag == TAG_EXEMPLARS || tag == TAG_HISTOGRAMS) {
                needsMessages = true;
                labelsLead = false;
                r.pos = r.readLengthEnd(end);
            } else {
                labelsLead = false;
                r.skipField(tag, end); // samples are read in the second pass, once the labels are known
            }
        }
        if (needsMessages) {
            RemoteWrite.TimeSeries ts;
            try {
                ts = RemoteWrite.TimeSeries.parser().parseFrom(r.buf, start, end - start);
            } catch (InvalidProtocolBufferException e) {
                throw new WireReader.Unreadable(e.getMessage());
            }
            return series(index, ts, pairs, out);
        }
        if (!oneSlice || !out.beginCachedSeries(index, r.buf, start, labelsEnd)) {
            labels.clear();
            r.pos = start;
            while (r.pos < end) {
                int tag = r.readTag(end);
                if (tag == TAG_1_LEN) {
                    label(r, r.readLengthEnd(end), labels);
                } else {
                    r.skipField(tag, end);
                }
            }
            out.beginSeries(index, labels);
            if (oneSlice) {
                out.remember(index, r.buf, start, labelsEnd);
            }
        }
        // Pass 2: the samples. Where the labels lead, the rest is read from labelsEnd, and when it
        // is nothing but samples in the encoder's own form the builder may copy it as it is.
        r.pos = oneSlice ? labelsEnd : start;
        boolean canonical = oneSlice;
        int count = 0;
        while (r.pos < end) {
            int fieldStart = r.pos;
            int tag = r.readTag(end);
            if (tag == TAG_2_LEN) {
                int e = r.readLengthEnd(end);
                boolean oneByteTagAndLength = r.pos == fieldStart + 2;
                canonical &= sample(r, e, out) && oneByteTagAndLength;
                count++;
            } else {
                canonical = false;
                r.skipField(tag, end);
            }
        }
        if (canonical) {
            out.rawSamples(r.buf, labelsEnd, end, count);
        }
        return pairs;
    }

    private static void label(WireReader r, int end, LabelBytes labels) {
        int nameOff = 0;
        int nameEnd = 0;
        int valueOff = 0;
        int valueEnd = 0;
        while (r.pos < end) {
            int tag = r.readTag(end);
            if (tag == TAG_1_LEN || tag == TAG_2_LEN) {
                int e = r.readLengthEnd(end);
                int off = r.pos;
                r.requireUtf8(off, e); // every occurrence, as protobuf-java checks each one it reads
                if (tag == TAG_1_LEN) {
                    nameOff = off;
                    nameEnd = e;
                } else {
                    valueOff = off;
                    valueEnd = e;
                }
                r.pos = e;
            } else {
                r.skipField(tag, end);
            }
        }
        labels.add(r.buf, nameOff, nameEnd - nameOff, r.buf, valueOff, valueEnd - valueOff);
    }

    /**
     * Reads one Sample in {@code [r.pos, end)} into the builder; returns whether its bytes are
     * those {@code WriteRequestEncoder} writes for it (value, then timestamp, each only when not
     * the default, the timestamp as a minimal varint, nothing else).
     */
    private static boolean sample(WireReader r, int end, BatchBuilder out) {
        int off = r.pos;
        long bits = 0;
        long timestamp = 0;
        while (r.pos < end) {
            int tag = r.readTag(end);
            if (tag == TAG_VALUE) {
                bits = r.readFixed64(end);
            } else if (tag == TAG_TIMESTAMP) {
                timestamp = r.readVarint(end);
            } else {
                r.skipField(tag, end);
            }
        }
        out.sample(Double.longBitsToDouble(bits), timestamp);
        return end - off == WriteRequestEncoder.sampleContentSize(bits, timestamp)
                && (bits == 0 || r.buf[off] == TAG_VALUE)
                && (timestamp == 0 || r.buf[bits == 0 ? off : off + 9] == TAG_TIMESTAMP);
    }

    /** The generated way: for bodies the walk leaves to protobuf-java. */
    private static void decodeGenerated(RemoteWrite.WriteRequest req, BatchBuilder out) throws PayloadException {
        String[] pairs = new String[32];
        for (int i = 0; i < req.getTimeseriesCount(); i++) {
            pairs = series(i, req.getTimeseries(i), pairs, out);
        }
    }

    private static String[] series(int index, RemoteWrite.TimeSeries ts, String[] pairs, BatchBuilder out)
            throws PayloadException {
        int n = ts.getLabelsCount();
        if (pairs.length < 2 * n) {
            pairs = new String[2 * n];
        }
        for (int l = 0; l < n; l++) {
            pairs[2 * l] = ts.getLabels(l).getName();
            pairs[2 * l + 1] = ts.getLabels(l).getValue();
        }
        out.beginSeries(index, pairs, n);
        for (RemoteWrite.Sample s : ts.getSamplesList()) {
            out.sample(s.getValue(), s.getTimestamp());
        }
        out.histogramsAndExemplars(ts.getHistogramsList(), ts.getExemplarsList(), index);
        return pairs;
    }
}
