package dev.edgepush.forward.send;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** {@link SendMetrics} kept as plain counters, for a process that reads them back (and tests). */
public final class SendCounters implements SendMetrics {
    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final LongAdder requestBytes = new LongAdder();
    private final LongAdder sent = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final AtomicLong oldestPendingMs = new AtomicLong();
    private final String rejectedCounter;

    /** @param rejectedCounter the counter the log names for rejected samples (see {@link SendMetrics#rejectedCounter}) */
    public SendCounters(String rejectedCounter) {
        this.rejectedCounter = rejectedCounter;
    }

    @Override
    public void request(String code) {
        requests.computeIfAbsent(code, c -> new LongAdder()).increment();
    }

    @Override
    public void requestBytes(long bytes) {
        requestBytes.add(bytes);
    }

    @Override
    public void samplesSent(long samples) {
        sent.add(samples);
    }

    @Override
    public void samplesRejected(long samples) {
        rejected.add(samples);
    }

    @Override
    public void oldestPendingTimestampMs(long ms) {
        oldestPendingMs.set(ms);
    }

    @Override
    public String rejectedCounter() {
        return rejectedCounter;
    }

    /** Requests answered with {@code code} ({@code "error"}: network errors). */
    public long requests(String code) {
        LongAdder a = requests.get(code);
        return a == null ? 0 : a.sum();
    }

    public long requestBytes() {
        return requestBytes.sum();
    }

    public long samplesSent() {
        return sent.sum();
    }

    public long samplesRejected() {
        return rejected.sum();
    }

    public long oldestPendingTimestampMs() {
        return oldestPendingMs.get();
    }
}
