package dev.edgepush.testbed.load;

import java.util.Map;

/**
 * One receiver's figures from a load run. CPU and RSS are the receiver process's own; the
 * VictoriaMetrics behind it is measured apart ({@code storageCpuSeconds}).
 *
 * @param samplesPerSecond samples answered 2xx per second of the measured window (warm-up excluded)
 * @param rejectedByCode non-2xx answers and client-side errors (by code or exception name)
 * @param loadCpuSeconds receiver utime+stime during the measured window
 * @param drainCpuSeconds receiver utime+stime from the window's start until VictoriaMetrics held everything
 * @param distinctAccepted samples of distinct batches answered 2xx (warm-up included)
 * @param stored samples VictoriaMetrics returns for the fleet's series (deduplicated)
 * @param totalAccepted samples answered 2xx, re-sends and warm-up included
 * @param storageRowsInserted VictoriaMetrics' {@code vm_rows_inserted_total}: every sample it was sent
 */
public record ReceiverRun(
        String receiver,
        double samplesPerSecond,
        long acceptedSamples,
        long acceptedRequests,
        Map<String, Long> rejectedByCode,
        double loadCpuSeconds,
        double drainCpuSeconds,
        long peakRssBytes,
        double storageCpuSeconds,
        long distinctAccepted,
        long stored,
        double drainSeconds,
        long totalAccepted,
        long storageRowsInserted) {

    public long non2xx() {
        return rejectedByCode.values().stream().mapToLong(Long::longValue).sum();
    }

    public boolean delivered() {
        return stored >= distinctAccepted && storageRowsInserted >= totalAccepted;
    }

    double loadCpuPerMillion() {
        return cpuPerMillion(loadCpuSeconds);
    }

    double cpuPerMillion(double cpuSeconds) {
        return acceptedSamples == 0 ? Double.NaN : cpuSeconds / (acceptedSamples / 1e6);
    }
}
