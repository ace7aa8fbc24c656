package dev.edgepush.agent;

import dev.edgepush.compat.Relabeler;
import dev.edgepush.forward.buffer.DiskBuffer;
import dev.edgepush.forward.buffer.SampleAppender;
import dev.edgepush.forward.buffer.WriteRequestPieces;
import dev.edgepush.proto.Utf8Check;
import dev.edgepush.proto.WriteRequestEncoder;
import dev.edgepush.proto.rw1.RemoteWrite;
import dev.edgepush.proto.text.ExpositionFormat;
import dev.edgepush.proto.text.ExpositionParseException;
import dev.edgepush.proto.text.ExpositionParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.xerial.snappy.Snappy;

/**
 * Local push, as vmagent accepts it on {@code -httpListenAddr}: {@code POST /api/v1/write}
 * (remote write 1.0, Snappy block protobuf) and {@code POST /api/v1/import/prometheus}
 * (Prometheus text; a sample without a timestamp gets the time of the request). A request is
 * buffered like a scrape, in excerpts of at most {@link #PIECE_SAMPLES} samples or {@link
 * #PIECE_BYTES}: {@code -remoteWrite.label} set (overriding), then {@code
 * -remoteWrite.relabelConfig} and each URL's relabeling in the fan-out.
 *
 * <p>Answers: 204 when buffered; 400 with what was wrong when the body is not valid, is not UTF-8
 * (text), holds a series too large for one buffer record (the buffer would drop it as too_large,
 * so a 204 would be a lie; {@link StoredSize}) or a series past {@code -maxLabelsPerTimeseries},
 * {@code -maxLabelNameLen} or {@code -maxLabelValueLen} (nothing of it is buffered: a first pass
 * checks the whole body before the second appends anything); 413 when the body, or a write
 * request once decompressed, is over {@code -maxInsertRequestSize} or {@link #MEMORY_BOUND_BYTES}
 * (an oversized body on the wire is refused by the HTTP layer before it gets here); 503 when a
 * buffer's disk is full (the samples are counted as disk_full; a remote whose buffer could write
 * keeps them). The status server calls it from its one push thread, off the event loop;
 * synchronized all the same.
 */
final class LocalPush {
    static final String WRITE_PATH = "/api/v1/write";
    static final String IMPORT_PATH = "/api/v1/import/prometheus";

    /** The outcome of one request: the HTTP status and a line for a person. */
    record Answer(int code, String message) {}

    private final SampleAppender target;
    private final AgentMetrics metrics;
    private final LongSupplier clockMs;
    private final int maxBytes;
    private final SeriesRelabeler withExtraLabels;
    /** A text push is appended in pieces of this many samples (or {@link #PIECE_BYTES}). */
    static final int PIECE_SAMPLES = 10_000;

    static final int PIECE_BYTES = 1 << 20;
    /**
     * Largest body (text) or decompressed write request this agent takes at once, whatever
     * -maxInsertRequestSize says: a quarter of the heap ceiling (16 MiB at the robots' -Xmx64m), as
     * the body and its decompressed form are held whole while their pieces are parsed.
     */
    static final int MEMORY_BOUND_BYTES =
            (int) Math.min(Integer.MAX_VALUE / 2, Runtime.getRuntime().maxMemory() / 4);

    private final ExpositionParser parser = new ExpositionParser();
    private final WriteRequestEncoder textEncoder = new WriteRequestEncoder();
    private final List<String> flat = new ArrayList<>();
    private final Map<String, String> extraLabels;
    /** What -remoteWrite.label can add to a pushed series, at most (an overridden label is counted twice). */
    private final long extraLabelBytes;

    LocalPush(
            SampleAppender target,
            AgentMetrics metrics,
            LongSupplier clockMs,
            int maxBytes,
            Map<String, String> extraLabels) {
        this.target = target;
        this.metrics = metrics;
        this.clockMs = clockMs;
        this.maxBytes = maxBytes;
        this.extraLabels = Map.copyOf(extraLabels);
        this.extraLabelBytes = StoredSize.labels(extraLabels);
        this.withExtraLabels = new SeriesRelabeler(Relabeler.EMPTY, extraLabels);
    }

    /** {@code -maxLabelsPerTimeseries}, {@code -maxLabelNameLen}, {@code -maxLabelValueLen}: past one, a push gets 400. */
    LocalPush labelLimits(int maxLabels, int maxNameBytes, int maxValueChars) {
        parser.limits(maxLabels, maxNameBytes, maxValueChars);
        this.maxLabels = maxLabels;
        this.maxLabelNameBytes = maxNameBytes;
        this.maxLabelValueChars = maxValueChars;
        return this;
    }

    private int maxLabels;
    private int maxLabelNameBytes;
    private int maxLabelValueChars;

    synchronized Answer handle(String path, byte[] body, String contentType) {
        Answer a;
        long[] samples = {0};
        try {
            a = WRITE_PATH.equals(path) ? write(body, samples) : importText(body, contentType, samples);
        } catch (IOException e) {
            a = new Answer(503, "cannot buffer the samples: " + e.getMessage());
        }
        metrics.localPush(path, a.code(), a.code() == 204 ? samples[0] : 0);
        return a;
    }

    /**
     * Remote write 1.0, in two passes over pieces of at most {@link #PIECE_BYTES} of the
     * decompressed request (cut between series, {@link WriteRequestPieces}), so that no whole
     * request is ever held as protobuf objects (several times its size: a 30 MB request would take
     * the whole heap): the first checks every piece, the second relabels and appends them.
     */
    private Answer write(byte[] body, long[] samples) throws IOException {
        int size;
        try {
            size = Snappy.uncompressedLength(body);
        } catch (IOException e) {
            return new Answer(
                    400,
                    "the body is not a Snappy block (remote write 1.0 is protobuf compressed with"
                            + " Snappy's block format, Content-Encoding: snappy): " + e.getMessage());
        }
        if (size > maxBytes) {
            return new Answer(
                    413,
                    "the write request is " + size + " bytes decompressed, over -maxInsertRequestSize=" + maxBytes);
        }
        if (size > MEMORY_BOUND_BYTES) {
            return new Answer(
                    413,
                    "the write request is " + size + " bytes decompressed, over the "
                            + MEMORY_BOUND_BYTES
                            + " bytes this agent's heap ceiling (-Xmx) lets it decompress at once; send"
                            + " smaller requests");
        }
        byte[] raw = new byte[size];
        try {
            Snappy.uncompress(body, 0, body.length, raw, 0);
        } catch (IOException e) {
            return new Answer(400, "the body is not a remote-write 1.0 WriteRequest: " + e.getMessage());
        }
        WriteRequestPieces pieces = WriteRequestPieces.of(raw, size, PIECE_BYTES);
        int series = 0;
        for (int p = 0; p < pieces.count(); p++) {
            RemoteWrite.WriteRequest request;
            try {
                request = SeriesRelabeler.parse(
                        java.util.Arrays.copyOfRange(raw, pieces.start(p), pieces.end(p)),
                        pieces.end(p) - pieces.start(p));
            } catch (IOException e) {
                return new Answer(400, "the body is not a remote-write 1.0 WriteRequest: " + e.getMessage());
            }
            Answer bad = check(request, series);
            if (bad != null) {
                return bad;
            }
            series += request.getTimeseriesCount();
        }
        boolean full = false;
        long total = 0;
        for (int p = 0; p < pieces.count(); p++) {
            withExtraLabels.apply(
                    java.util.Arrays.copyOfRange(raw, pieces.start(p), pieces.end(p)), pieces.end(p) - pieces.start(p));
            WriteRequestEncoder enc = withExtraLabels.encoder();
            int n = withExtraLabels.samples();
            if (n > 0) {
                total += n;
                full |= target.append(enc.array(), enc.size(), n, clockMs.getAsLong()) < 0;
            }
        }
        samples[0] = total;
        if (full) {
            return new Answer(
                    503,
                    "the disk buffer is full: some of the " + total + " samples were not buffered"
                            + " (counted in edge_agent_samples_dropped_total{reason=\"disk_full\"}); retry later");
        }
        return new Answer(204, "");
    }

    /** The first problem of a piece whose first series is number {@code first} of the request, or null. */
    private Answer check(RemoteWrite.WriteRequest request, int first) {
        for (int j = 0; j < request.getTimeseriesCount(); j++) {
            int i = first + j;
            RemoteWrite.TimeSeries ts = request.getTimeseries(j);
            long bytes = StoredSize.field(ts.getSerializedSize()) + extraLabelBytes;
            if (bytes > DiskBuffer.MAX_STORED_FIELD_BYTES) {
                return StoredSize.tooLarge(i, ts, bytes);
            }
            if (ts.getHistogramsCount() > 0) {
                return new Answer(400, "series " + i + " has native histograms, which edge-agent does not buffer yet");
            }
            for (RemoteWrite.Label l : ts.getLabelsList()) {
                if (l.getName().isEmpty()) {
                    return new Answer(400, "series " + i + " has a label with an empty name");
                }
                if (maxLabelNameBytes > 0 && l.getName().length() > maxLabelNameBytes) {
                    return new Answer(
                            400,
                            "refused: series " + i + " (" + name(ts) + ") has a label name longer than "
                                    + maxLabelNameBytes + " (-maxLabelNameLen=" + maxLabelNameBytes + ")");
                }
                if (maxLabelValueChars > 0 && l.getValue().length() > maxLabelValueChars) {
                    return new Answer(
                            400,
                            "refused: series " + i + " (" + name(ts) + ") has a value of label '" + l.getName()
                                    + "' longer than " + maxLabelValueChars + " (-maxLabelValueLen="
                                    + maxLabelValueChars + ")");
                }
            }
            if (maxLabels > 0 && ts.getLabelsCount() > maxLabels) {
                return new Answer(
                        400,
                        "refused: series " + i + " (" + name(ts) + ") has " + ts.getLabelsCount()
                                + " labels, more than " + maxLabels + " (-maxLabelsPerTimeseries=" + maxLabels + ")");
            }
        }
        return null;
    }

    /**
     * Prometheus text in two passes over the body, so that memory stays bounded whatever its size
     * and a bad body is still refused whole: the first only parses and checks (syntax and the label
     * limits), the second encodes and appends pieces of {@link #PIECE_SAMPLES} samples. A 6 MB body
     * of 500,000 series encoded at once took ~40 MB of a 64 MB heap.
     */
    private Answer importText(byte[] body, String contentType, long[] samples) throws IOException {
        // The parser would decode bad bytes as U+FFFD and buffer that in place of what was sent.
        String badUtf8 = Utf8Check.problem(body, 0, body.length);
        if (badUtf8 != null) {
            return new Answer(
                    400,
                    "cannot parse the Prometheus text: " + badUtf8
                            + "; the text format is UTF-8, nothing of this request was buffered");
        }
        if (body.length > MEMORY_BOUND_BYTES) {
            return new Answer(
                    413,
                    "the body is " + body.length + " bytes, over the " + MEMORY_BOUND_BYTES
                            + " bytes this agent's heap ceiling (-Xmx) lets it parse at once; send smaller requests");
        }
        long now = clockMs.getAsLong();
        ExpositionFormat format = ExpositionFormat.fromContentType(contentType);
        Map<String, String> extraFirst = extraLabels;
        int[] index = {0};
        try {
            // Each series encoded alone, as it will be buffered: one too large for a buffer record would
            // be dropped as too_large, so it is refused here with the whole request.
            parser.parse(body, 0, body.length, format, (name, labels, pairs, value, tsMs) -> {
                textEncoder.reset();
                flatten(name, labels, pairs, extraFirst);
                textEncoder.addSeries(sorted(), flat.size() / 2, value, tsMs == Long.MIN_VALUE ? now : tsMs);
                if (textEncoder.size() > DiskBuffer.MAX_STORED_FIELD_BYTES) {
                    throw new StoredSize.TooLarge(StoredSize.tooLarge(index[0], flat, textEncoder.size()));
                }
                index[0]++;
            });
        } catch (StoredSize.TooLarge e) {
            textEncoder.reset();
            return e.answer;
        } catch (ExpositionParseException e) {
            return new Answer(
                    400, (e.overLimit() ? "refused: " : "cannot parse the Prometheus text: ") + e.getMessage());
        }
        Map<String, String> extra = extraLabels;
        textEncoder.reset();
        int[] inPiece = {0};
        long[] total = {0};
        boolean[] full = {false};
        try {
            parser.parse(body, 0, body.length, format, (name, labels, pairs, value, tsMs) -> {
                flatten(name, labels, pairs, extra);
                textEncoder.addSeries(sorted(), flat.size() / 2, value, tsMs == Long.MIN_VALUE ? now : tsMs);
                inPiece[0]++;
                if (inPiece[0] >= PIECE_SAMPLES || textEncoder.size() >= PIECE_BYTES) {
                    full[0] |= appendPiece(inPiece[0]);
                    total[0] += inPiece[0];
                    inPiece[0] = 0;
                }
            });
        } catch (ExpositionParseException e) {
            throw new IllegalStateException("the second pass disagrees with the first: " + e.getMessage(), e);
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
        if (inPiece[0] > 0) {
            full[0] |= appendPiece(inPiece[0]);
            total[0] += inPiece[0];
        }
        samples[0] = total[0];
        if (full[0]) {
            return new Answer(
                    503,
                    "the disk buffer is full: some of the " + total[0] + " samples were not buffered"
                            + " (counted in edge_agent_samples_dropped_total{reason=\"disk_full\"}); retry later");
        }
        return new Answer(204, "");
    }

    /** {@link #flat} := the series' labels, without empty values, with the extra labels winning. */
    private void flatten(String name, String[] labels, int pairs, Map<String, String> extra) {
        flat.clear();
        flat.add("__name__");
        flat.add(name);
        for (int i = 0; i < pairs; i++) {
            if (!extra.containsKey(labels[2 * i]) && !labels[2 * i + 1].isEmpty()) {
                flat.add(labels[2 * i]);
                flat.add(labels[2 * i + 1]);
            }
        }
        extra.forEach((k, v) -> {
            flat.add(k);
            flat.add(v);
        });
    }

    /** Appends the text encoder's piece and resets it; true when the disk was full. */
    private boolean appendPiece(int count) {
        try {
            return target.append(textEncoder.array(), textEncoder.size(), count, clockMs.getAsLong()) < 0;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            textEncoder.reset();
        }
    }

    private static String name(RemoteWrite.TimeSeries ts) {
        for (RemoteWrite.Label l : ts.getLabelsList()) {
            if (l.getName().equals("__name__")) {
                return l.getValue().length() > 80 ? l.getValue().substring(0, 80) + "..." : l.getValue();
            }
        }
        return "no __name__";
    }

    /** Label pairs in {@code flat} sorted by name, as remote write wants them. */
    private String[] sorted() {
        int n = flat.size() / 2;
        String[][] pairs = new String[n][];
        for (int i = 0; i < n; i++) {
            pairs[i] = new String[] {flat.get(2 * i), flat.get(2 * i + 1)};
        }
        java.util.Arrays.sort(pairs, (a, b) -> a[0].compareTo(b[0]));
        String[] out = new String[2 * n];
        for (int i = 0; i < n; i++) {
            out[2 * i] = pairs[i][0];
            out[2 * i + 1] = pairs[i][1];
        }
        return out;
    }

    private Answer buffer(WriteRequestEncoder enc, int count, long[] samples) throws IOException {
        if (count == 0) {
            return new Answer(204, "");
        }
        samples[0] = count;
        if (target.append(enc.array(), enc.size(), count, clockMs.getAsLong()) < 0) {
            return new Answer(
                    503,
                    "the disk buffer is full: " + count + " samples were not buffered (counted in"
                            + " edge_agent_samples_dropped_total{reason=\"disk_full\"}); retry later");
        }
        return new Answer(204, "");
    }
}
