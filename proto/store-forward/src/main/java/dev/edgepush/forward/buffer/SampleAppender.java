package dev.edgepush.forward.buffer;

import java.io.IOException;

/**
 * Where a scrape (or a local push) goes: a WriteRequest of encoded samples. {@link DiskBuffer} is
 * one; the agent's fan-out to several remotes' buffers is another.
 */
public interface SampleAppender {
    /**
     * Writes {@code sampleCount} samples encoded as a remote-write WriteRequest in {@code
     * writeRequest[0, length)}. Returns a non-negative number when written, -1 when the disk is
     * full (the samples are counted as disk_full by the buffer). A single series too large for the
     * buffer is dropped and counted as too_large, which alone does not make this -1.
     */
    long append(byte[] writeRequest, int length, int sampleCount, long timestampMs) throws IOException;
}
