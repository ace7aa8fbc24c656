package dev.edgepush.forward.send;

import dev.edgepush.forward.buffer.BufferReader;
import java.util.function.LongConsumer;

/**
 * One lane of a {@link Sender}: a reader of its part of the disk buffer, the excerpt read but not
 * yet added, and the batch being assembled or pushed. The sender has one lane (the live lane,
 * which is all of the buffer when there is no split) and, while the buffer is split, a backfill
 * lane. Owned by the sender's thread.
 */
final class Lane {
    final String name;
    final Batch batch;
    BufferReader reader;
    /** The buffer's trim generation when {@link #reader} was created. */
    long readerGeneration;

    final BufferReader.Record record = new BufferReader.Record();
    /** {@link #record} holds an excerpt read but not yet added to the batch. */
    boolean carry;

    Lane(String name, int maxBatchBytes, int maxBatchSamples) {
        this.name = name;
        this.batch = new Batch(maxBatchBytes, maxBatchSamples);
    }

    /**
     * Reads excerpts into the batch; returns true when the batch is full. {@code oldest} gets the
     * timestamp of the batch's first excerpt (the oldest pending, for the lane that has it), or is
     * null.
     */
    boolean fill(long now, LongConsumer oldest) {
        while (true) {
            if (!carry) {
                if (!reader.next(record)) {
                    return false;
                }
                carry = true;
            }
            if (batch.wouldOverflow(record)) {
                return true;
            }
            if (batch.isEmpty() && oldest != null) {
                oldest.accept(record.timestampMs);
            }
            batch.add(record, now);
            carry = false;
            if (batch.full()) {
                return true;
            }
        }
    }

    /** Whether the batch holds anything. */
    boolean hasBatch() {
        return batch.samples() > 0 || batch.lastIndex() >= 0;
    }

    /** Whether the lane read all of its range and delivered it: the backfill lane's end. */
    boolean drained() {
        return reader != null && reader.reachedLimit() && !carry && batch.isEmpty();
    }

    /** Drops the batch, the carried excerpt (read again by the next reader) and the reader. */
    void discard() {
        batch.reset();
        carry = false;
        closeReader();
    }

    void closeReader() {
        if (reader != null) {
            reader.close();
            reader = null;
        }
    }
}
