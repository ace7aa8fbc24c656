package dev.edgepush.agent;

import dev.edgepush.compat.Relabeler;
import dev.edgepush.forward.buffer.SampleAppender;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends every excerpt (a scrape or a local push) to every remote's buffer: each {@code
 * -remoteWrite.url} gets every sample. Where relabeling happens, at append time:
 *
 * <ol>
 *   <li>{@code -remoteWrite.relabelConfig} (global) once per excerpt, before any buffer;
 *   <li>then, for each remote with a {@code -remoteWrite.urlRelabelConfig}, its own relabeling of
 *       the globally relabeled excerpt, re-encoded for that buffer only; a remote without one
 *       buffers the same bytes as it is.
 * </ol>
 *
 * So a buffer holds exactly what its remote is sent, the sender stays a byte mover, and a change
 * of relabel config applies to samples scraped from then on (not to the backlog). The
 * re-encoding only happens when relabel configs exist (see {@link SeriesRelabeler}).
 *
 * <p>One buffer failing (a full disk) does not keep the others from being written; the excerpt
 * then answers -1 and the failing buffer counts its samples as disk_full. Thread-safe
 * (synchronized: scrapes and local pushes come from the agent's event loop).
 */
final class RemoteFanOut implements SampleAppender {
    private static final Logger log = LoggerFactory.getLogger(RemoteFanOut.class);
    private final SeriesRelabeler global;
    private final List<Remote> remotes;

    RemoteFanOut(Relabeler globalRelabel, List<Remote> remotes) {
        this.global = globalRelabel.isEmpty() ? null : new SeriesRelabeler(globalRelabel, Map.of());
        this.remotes = remotes;
    }

    @Override
    public synchronized long append(byte[] writeRequest, int length, int sampleCount, long timestampMs)
            throws IOException {
        byte[] bytes = writeRequest;
        int len = length;
        int samples = sampleCount;
        if (global != null) {
            global.apply(writeRequest, length);
            bytes = global.encoder().array();
            len = global.encoder().size();
            samples = global.samples();
            if (samples == 0) {
                return 0; // relabeling dropped every series: nothing to buffer
            }
        }
        long result = 0;
        for (Remote r : remotes) {
            byte[] b = bytes;
            int l = len;
            int s = samples;
            if (r.urlRelabeler != null) {
                r.urlRelabeler.apply(bytes, len);
                b = r.urlRelabeler.encoder().array();
                l = r.urlRelabeler.encoder().size();
                s = r.urlRelabeler.samples();
                if (s == 0) {
                    continue;
                }
            }
            try {
                if (r.buffer.append(b, l, s, timestampMs) < 0) {
                    result = -1;
                }
            } catch (IOException | RuntimeException e) {
                r.metrics.dropped("disk_full", s);
                log.error("cannot write {} samples to the buffer of {}: {}", s, r.spec.label(), e.toString());
                result = -1;
            }
        }
        return result;
    }

    /** Why some remote's buffer cannot write right now, or null. */
    String appendFailure() {
        for (Remote r : remotes) {
            if (r.buffer.appendFailure() != null) {
                return r.buffer.appendFailure();
            }
        }
        return null;
    }
}
