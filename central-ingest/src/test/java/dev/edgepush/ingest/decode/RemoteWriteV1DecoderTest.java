package dev.edgepush.ingest.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.edgepush.proto.rw1.RemoteWrite;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The in-place decoder against the generated classes: for any body, the same batch (byte for
 * byte, on every shard) or the same 400 with the same message.
 */
class RemoteWriteV1DecoderTest {
    private static final String[] NAMES = {"__name__", "job", "instance", "robot", "a", "zone", "ro bot", "", "é"};
    private static final String[] VALUES = {"", "m", "x", "日本語", "\uD83D\uDE00", "robot-7:9100", "v".repeat(200)};

    /** What the decoder did before it walked the wire format itself: the oracle. */
    static StampedBatch generated(byte[] body, String robot, int shards) throws PayloadException {
        return generated(body, robot, shards, SampleTimes.ANY);
    }

    static StampedBatch generated(byte[] body, String robot, int shards, SampleTimes times) throws PayloadException {
        RemoteWrite.WriteRequest req;
        try {
            req = RemoteWrite.WriteRequest.parseFrom(body);
        } catch (InvalidProtocolBufferException e) {
            throw PayloadException.badRequest(
                    "body is not a remote-write 1.0 WriteRequest (protobuf): " + e.getMessage());
        }
        BatchBuilder out = new BatchBuilder(robot, shards);
        out.times(times);
        for (int i = 0; i < req.getTimeseriesCount(); i++) {
            RemoteWrite.TimeSeries ts = req.getTimeseries(i);
            String[] pairs = new String[2 * ts.getLabelsCount()];
            for (int l = 0; l < ts.getLabelsCount(); l++) {
                pairs[2 * l] = ts.getLabels(l).getName();
                pairs[2 * l + 1] = ts.getLabels(l).getValue();
            }
            out.beginSeries(i, pairs, ts.getLabelsCount());
            for (RemoteWrite.Sample s : ts.getSamplesList()) {
                out.sample(s.getValue(), s.getTimestamp());
            }
            out.histogramsAndExemplars(ts.getHistogramsList(), ts.getExemplarsList(), 0);
        }
        return out.build();
    }

    static StampedBatch inPlace(byte[] body, String robot, int shards) throws PayloadException {
        BatchBuilder out = new BatchBuilder(robot, shards);
        RemoteWriteV1Decoder.decode(body, out);
        return out.build();
    }

    /** Both ways agree: the same batch, or the same error. */
    static void assertSameOutcome(byte[] body, int shards, String what) {
        StampedBatch want;
        try {
            want = generated(body, "r1", shards);
        } catch (PayloadException e) {
            PayloadException got = assertThrows(PayloadException.class, () -> inPlace(body, "r1", shards), what);
            assertEquals(e.getMessage(), got.getMessage(), what);
            assertEquals(e.status(), got.status(), what);
            return;
        }
        StampedBatch got;
        try {
            got = inPlace(body, "r1", shards);
        } catch (PayloadException e) {
            throw new AssertionError(what + ": refused what the generated classes accept: " + e.getMessage(), e);
        }
        assertEquals(want.samples(), got.samples(), what);
        assertEquals(want.histograms(), got.histograms(), what);
        assertEquals(want.exemplars(), got.exemplars(), what);
        for (int s = 0; s < shards; s++) {
            StampedBatch.ShardPart w = want.shards().get(s);
            StampedBatch.ShardPart g = got.shards().get(s);
            assertArrayEquals(
                    Arrays.copyOf(w.writeRequest(), w.length()),
                    Arrays.copyOf(g.writeRequest(), g.length()),
                    what + ", shard " + s);
            assertEquals(w.points(), g.points(), what);
        }
    }

    static RemoteWrite.TimeSeries randomSeries(Random r) {
        RemoteWrite.TimeSeries.Builder ts = RemoteWrite.TimeSeries.newBuilder();
        if (r.nextInt(8) != 0) {
            ts.addLabels(RemoteWrite.Label.newBuilder().setName("__name__").setValue("m" + r.nextInt(3)));
        }
        for (int l = r.nextInt(5); l > 0; l--) {
            ts.addLabels(RemoteWrite.Label.newBuilder()
                    .setName(NAMES[r.nextInt(NAMES.length)])
                    .setValue(VALUES[r.nextInt(VALUES.length)]));
        }
        for (int k = r.nextInt(6); k > 0; k--) {
            ts.addSamples(RemoteWrite.Sample.newBuilder()
                    .setValue(r.nextBoolean() ? 0.0 : r.nextGaussian())
                    .setTimestamp(r.nextInt(4) == 0 ? 0 : 1_700_000_000_000L + r.nextInt(100_000)));
        }
        if (r.nextInt(10) == 0) {
            ts.addHistograms(RemoteWrite.Histogram.newBuilder()
                    .setCountInt(3)
                    .setSum(1.5)
                    .setTimestamp(5));
        }
        if (r.nextInt(10) == 0) {
            ts.addExemplars(RemoteWrite.Exemplar.newBuilder()
                    .setValue(2)
                    .setTimestamp(6)
                    .addLabels(
                            RemoteWrite.Label.newBuilder().setName("trace_id").setValue("abc")));
        }
        return ts.build();
    }

    /**
     * One thread's caches over a run of requests drawn from a few series (so positions often
     * repeat their labels, and sometimes do not), from two robots and on one or three shards:
     * every request gives what the generated classes give without any cache, batch or error.
     */
    @Test
    void aThreadsSeriesCachesNeverChangeTheOutcome() {
        cachedRun(1 << 20);
    }

    /** A shelf with room for a few entries only: the series it cannot hold are decoded the full way. */
    @Test
    void aFullShelfChangesNothingEither() {
        cachedRun(700);
    }

    private static void cachedRun(long shelfBytes) {
        Random r = new Random(23);
        RemoteWrite.TimeSeries[] pool = new RemoteWrite.TimeSeries[12];
        for (int i = 0; i < pool.length; i++) {
            pool[i] = randomSeries(r);
        }
        SeriesCache.Shelf cache = new SeriesCache.Shelf(shelfBytes);
        for (int round = 0; round < 3000; round++) {
            RemoteWrite.WriteRequest.Builder w = RemoteWrite.WriteRequest.newBuilder();
            int first = r.nextInt(4) == 0 ? r.nextInt(3) : 0; // now and then the series shift by a place
            for (int s = 0; s < 6; s++) {
                RemoteWrite.TimeSeries ts = pool[(first + s + (r.nextInt(6) == 0 ? r.nextInt(12) : 0)) % pool.length];
                if (r.nextInt(10) == 0) { // the same labels with fresh samples
                    ts = ts.toBuilder()
                            .clearSamples()
                            .addSamples(RemoteWrite.Sample.newBuilder()
                                    .setValue(round)
                                    .setTimestamp(round))
                            .build();
                }
                w.addTimeseries(ts);
            }
            byte[] body = w.build().toByteArray();
            String robot = r.nextInt(20) == 0 ? "r2" : "r1";
            int shards = r.nextInt(20) == 0 ? 3 : 1;
            // now and then a robot's clock is corrected: its samples are shifted, never copied as sent
            SampleTimes times =
                    r.nextInt(10) == 0 ? new SampleTimes(1500, Long.MIN_VALUE, Long.MAX_VALUE) : SampleTimes.ANY;
            String what = "round " + round;
            StampedBatch want;
            try {
                want = generated(body, robot, shards, times);
            } catch (PayloadException e) {
                PayloadException got = assertThrows(
                        PayloadException.class, () -> inPlaceCached(body, robot, shards, cache, times), what);
                assertEquals(e.getMessage(), got.getMessage(), what);
                continue;
            }
            StampedBatch got;
            try {
                got = inPlaceCached(body, robot, shards, cache, times);
            } catch (PayloadException e) {
                throw new AssertionError(what + ": refused what the generated classes accept: " + e.getMessage(), e);
            }
            assertEquals(want.samples(), got.samples(), what);
            assertEquals(want.histograms(), got.histograms(), what);
            for (int s = 0; s < shards; s++) {
                StampedBatch.ShardPart wp = want.shards().get(s);
                StampedBatch.ShardPart gp = got.shards().get(s);
                assertArrayEquals(
                        Arrays.copyOf(wp.writeRequest(), wp.length()),
                        Arrays.copyOf(gp.writeRequest(), gp.length()),
                        what + ", shard " + s);
                assertEquals(wp.points(), gp.points(), what);
            }
        }
    }

    /** A series whose labels the cache knows, with a label field after its samples: decoded the full way. */
    @Test
    void aLabelAfterTheSamplesIsNotTakenFromTheCache() throws Exception {
        byte[] plain = bytes(out -> {
                    out.writeBytes(1, bytes(ts -> {
                        ts.writeBytes(1, label("__name__", "m"));
                        ts.writeBytes(2, bytes(sm -> sm.writeInt64(2, 5)));
                    }));
                })
                .toByteArray();
        byte[] labelAfter = bytes(out -> {
                    out.writeBytes(1, bytes(ts -> {
                        ts.writeBytes(1, label("__name__", "m"));
                        ts.writeBytes(2, bytes(sm -> sm.writeInt64(2, 5)));
                        ts.writeBytes(1, label("zone", "z"));
                    }));
                })
                .toByteArray();
        SeriesCache.Shelf cache = new SeriesCache.Shelf(1 << 20);
        inPlaceCached(plain, "r1", 1, cache);
        StampedBatch got = inPlaceCached(labelAfter, "r1", 1, cache);
        StampedBatch want = generated(labelAfter, "r1", 1);
        StampedBatch.ShardPart wp = want.shards().get(0);
        StampedBatch.ShardPart gp = got.shards().get(0);
        assertArrayEquals(Arrays.copyOf(wp.writeRequest(), wp.length()), Arrays.copyOf(gp.writeRequest(), gp.length()));
    }

    /**
     * Samples in another form than the encoder's (timestamp first, an explicit default, a
     * non-minimal varint, an unknown field, a two-byte length) are encoded again, not copied: the
     * WAL gets the bytes the generated classes would write, whether the labels were cached or not.
     */
    @Test
    void samplesInAnotherFormAreEncodedAgainNotCopied() throws Exception {
        Writer[] samples = {
            sm -> {
                sm.writeInt64(2, 7000);
                sm.writeDouble(1, 1.5);
            },
            sm -> {
                sm.writeDouble(1, 0.0);
                sm.writeInt64(2, 7000);
            },
            sm -> {
                sm.writeDouble(1, 1.5);
                sm.writeTag(2, 0);
                sm.writeRawBytes(new byte[] {(byte) 0x85, (byte) 0x80, 0x00}); // 5, in three bytes
            },
            sm -> {
                sm.writeDouble(1, 1.5);
                sm.writeInt64(2, 7000);
                sm.writeInt64(9, 1);
            },
            sm -> {
                sm.writeDouble(1, 1.5);
                sm.writeInt64(2, 7000);
                sm.writeInt64(2, 8000); // the last one counts
            },
        };
        for (int i = 0; i < samples.length; i++) {
            Writer sample = samples[i];
            byte[] body = bytes(out -> {
                        out.writeBytes(1, bytes(ts -> {
                            ts.writeBytes(1, label("__name__", "m"));
                            ts.writeBytes(2, bytes(sample));
                        }));
                    })
                    .toByteArray();
            SeriesCache.Shelf cache = new SeriesCache.Shelf(1 << 20);
            StampedBatch want = generated(body, "r1", 1);
            for (int round = 0; round < 2; round++) { // a miss, then a hit
                StampedBatch got = inPlaceCached(body, "r1", 1, cache);
                StampedBatch.ShardPart wp = want.shards().get(0);
                StampedBatch.ShardPart gp = got.shards().get(0);
                assertArrayEquals(
                        Arrays.copyOf(wp.writeRequest(), wp.length()),
                        Arrays.copyOf(gp.writeRequest(), gp.length()),
                        "form " + i + ", round " + round);
            }
        }
        // a two-byte length prefix for a sample that needs one
        byte[] longLength = bytes(out -> {
                    out.writeBytes(1, bytes(ts -> {
                        ts.writeBytes(1, label("__name__", "m"));
                        ts.writeTag(2, 2);
                        ts.writeRawBytes(new byte[] {(byte) 0x89, 0x00, 0x09, 0, 0, 0, 0, 0, 0, (byte) 0xf8, 0x3f});
                    }));
                })
                .toByteArray();
        SeriesCache.Shelf cache = new SeriesCache.Shelf(1 << 20);
        inPlaceCached(longLength, "r1", 1, cache);
        StampedBatch got = inPlaceCached(longLength, "r1", 1, cache);
        StampedBatch want = generated(longLength, "r1", 1);
        assertArrayEquals(
                Arrays.copyOf(
                        want.shards().get(0).writeRequest(),
                        want.shards().get(0).length()),
                Arrays.copyOf(
                        got.shards().get(0).writeRequest(), got.shards().get(0).length()));
    }

    static com.google.protobuf.ByteString label(String name, String value) throws Exception {
        return bytes(l -> {
            l.writeString(1, name);
            l.writeString(2, value);
        });
    }

    static StampedBatch inPlaceCached(byte[] body, String robot, int shards, SeriesCache.Shelf cache)
            throws PayloadException {
        return inPlaceCached(body, robot, shards, cache, SampleTimes.ANY);
    }

    static StampedBatch inPlaceCached(byte[] body, String robot, int shards, SeriesCache.Shelf cache, SampleTimes times)
            throws PayloadException {
        BatchBuilder out = new BatchBuilder(robot, shards);
        out.times(times);
        out.cache(cache);
        RemoteWriteV1Decoder.decode(body, out);
        return out.build();
    }

    @Test
    void randomRequestsGiveTheSameBatchOrTheSameErrorOnOneAndThreeShards() {
        Random r = new Random(17);
        for (int round = 0; round < 2000; round++) {
            RemoteWrite.WriteRequest.Builder w = RemoteWrite.WriteRequest.newBuilder();
            for (int s = r.nextInt(8); s > 0; s--) {
                w.addTimeseries(randomSeries(r));
            }
            if (r.nextInt(5) == 0) {
                w.addMetadata(RemoteWrite.MetricMetadata.newBuilder()
                        .setMetricFamilyName("m")
                        .setHelp("h"));
            }
            byte[] body = w.build().toByteArray();
            assertSameOutcome(body, 1, "round " + round);
            assertSameOutcome(body, 3, "round " + round);
        }
    }

    @Test
    void damagedBodiesAreRefusedWithProtobufsOwnMessage() {
        Random r = new Random(23);
        int refused = 0;
        for (int round = 0; round < 2000; round++) {
            RemoteWrite.WriteRequest.Builder w = RemoteWrite.WriteRequest.newBuilder();
            for (int s = 1 + r.nextInt(4); s > 0; s--) {
                w.addTimeseries(randomSeries(r));
            }
            byte[] body = w.build().toByteArray();
            switch (r.nextInt(3)) {
                case 0 -> body = Arrays.copyOf(body, r.nextInt(body.length)); // truncated
                case 1 -> body[r.nextInt(body.length)] = (byte) r.nextInt(256); // one byte changed
                default -> body[r.nextInt(body.length)] ^= (byte) 0x80; // a high bit flipped (UTF-8, varints)
            }
            try {
                generated(body, "r1", 1);
            } catch (PayloadException e) {
                refused++;
            }
            assertSameOutcome(body, 1, "round " + round);
        }
        assertTrue(refused > 300, "enough damaged bodies are refused to mean something: " + refused);
    }

    @Test
    void unusualButValidEncodingsDecodeAsTheGeneratedClassesDo() throws Exception {
        ByteArrayOutputStream series = new ByteArrayOutputStream();
        CodedOutputStream s = CodedOutputStream.newInstance(series);
        // label with value before name, an empty name written explicitly, an unknown varint field
        s.writeBytes(1, bytes(cos -> {
            cos.writeString(2, "m");
            cos.writeString(1, "");
            cos.writeString(1, "__name__");
            cos.writeUInt64(9, 42);
        }));
        // a sample, then a label, then a sample whose value appears twice (the last counts) and an unknown group
        s.writeBytes(2, bytes(cos -> {
            cos.writeInt64(2, 1000);
            cos.writeDouble(1, 1.5);
        }));
        s.writeBytes(1, bytes(cos -> {
            cos.writeString(1, "job");
            cos.writeString(2, "j");
            cos.writeFixed32(7, 1);
        }));
        s.writeBytes(2, bytes(cos -> {
            cos.writeDouble(1, 1);
            cos.writeDouble(1, 2);
            cos.writeTag(5, 3);
            cos.writeUInt64(1, 1);
            cos.writeTag(5, 4);
            cos.writeInt64(2, -5);
        }));
        // field 2 as a varint (wrong wire type: unknown, skipped), unknown field 15
        s.writeUInt64(2, 3);
        s.writeString(15, "ignored");
        s.flush();
        ByteArrayOutputStream req = new ByteArrayOutputStream();
        CodedOutputStream w = CodedOutputStream.newInstance(req);
        w.writeBytes(1, com.google.protobuf.ByteString.copyFrom(series.toByteArray()));
        w.writeFixed64(4, 99);
        w.writeBytes(1, com.google.protobuf.ByteString.copyFrom(series.toByteArray()));
        w.flush();
        byte[] body = req.toByteArray();
        assertSameOutcome(body, 1, "unusual");
        assertSameOutcome(body, 2, "unusual");
        assertEquals(4, inPlace(body, "r1", 1).samples());
    }

    @Test
    void invalidUtf8InALabelIsRefusedAsProtobufRefusesIt() {
        byte[] body = RemoteWrite.WriteRequest.newBuilder()
                .addTimeseries(RemoteWrite.TimeSeries.newBuilder()
                        .addLabels(RemoteWrite.Label.newBuilder()
                                .setName("__name__")
                                .setValue("m\u00e9"))
                        .addSamples(RemoteWrite.Sample.newBuilder().setValue(1)))
                .build()
                .toByteArray();
        for (int i = 0; i < body.length; i++) {
            if ((body[i] & 0xff) == 0xc3) {
                body[i] = (byte) 0xc0; // an overlong lead byte
            }
        }
        PayloadException e = assertThrows(PayloadException.class, () -> inPlace(body, "r1", 1));
        assertTrue(
                e.getMessage().startsWith("body is not a remote-write 1.0 WriteRequest (protobuf): "), e.getMessage());
        assertSameOutcome(body, 1, "overlong UTF-8");
    }

    @Test
    void anInvalidSeriesBeforeADamagedOneReportsTheDamage() {
        byte[] good = RemoteWrite.WriteRequest.newBuilder()
                .addTimeseries(RemoteWrite.TimeSeries.newBuilder()
                        .addLabels(
                                RemoteWrite.Label.newBuilder().setName("ro bot").setValue("x")))
                .addTimeseries(RemoteWrite.TimeSeries.newBuilder()
                        .addLabels(RemoteWrite.Label.newBuilder()
                                .setName("__name__")
                                .setValue("m")))
                .build()
                .toByteArray();
        byte[] truncated = Arrays.copyOf(good, good.length - 2);
        PayloadException e = assertThrows(PayloadException.class, () -> inPlace(truncated, "r1", 1));
        assertTrue(
                e.getMessage().startsWith("body is not a remote-write 1.0 WriteRequest (protobuf): "), e.getMessage());
        PayloadException invalid = assertThrows(PayloadException.class, () -> inPlace(good, "r1", 1));
        assertTrue(
                invalid.getMessage().startsWith("series 0: label name 'ro bot' is not a valid label name"),
                invalid.getMessage());
    }

    interface Writer {
        void write(CodedOutputStream out) throws Exception;
    }

    static com.google.protobuf.ByteString bytes(Writer w) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        CodedOutputStream c = CodedOutputStream.newInstance(b);
        w.write(c);
        c.flush();
        return com.google.protobuf.ByteString.copyFrom(b.toByteArray());
    }
}
