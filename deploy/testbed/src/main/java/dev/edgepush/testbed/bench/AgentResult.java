package dev.edgepush.testbed.bench;

/**
 * What one agent measured in one benchmark run. Doubles are NaN when the phase could not measure
 * them (for example a drain that timed out).
 *
 * @param agent agent name ({@code edge-agent}, {@code vmagent}), followed by the agent's own flags
 *     of the run if it had any
 * @param steadyPeakRssMiB VmHWM at the end of the steady window (warm-up included), MiB
 * @param runPeakRssMiB VmHWM at the end of the run (outage and drain included), MiB
 * @param cpuSecondsPerMinute user + system CPU seconds per minute over the steady window
 * @param cpuFromStartPerMinute user + system CPU seconds per minute from the agent's start to the
 *     end of the steady window: start-up, warm-up (for a JVM, the JIT compiling) and steady state
 * @param firstPushSeconds from the remote's restart until the agent's first 2xx push: the part
 *     of the drain spent waiting for the next retry of its backoff
 * @param drainSeconds from the remote's restart until the agent reported its backlog gone
 * @param expectedSamples scrapes the targets answered (one {@code sensor_scrape_seq} sample each)
 * @param lostSamples of those, how many the remote does not hold
 * @param outageSamples samples the agent buffered while the remote was down
 * @param outagePeakDiskBytes peak blocks allocated by the agent's buffer directory during the
 *     outage (du, not the apparent size)
 * @param wireBytesPerSample compressed remote-write bytes per sample over the steady window: the
 *     agent's own count, or with {@code -via=central-ingest} what central-ingest received
 */
public record AgentResult(
        String agent,
        double steadyPeakRssMiB,
        double runPeakRssMiB,
        double cpuSecondsPerMinute,
        double cpuFromStartPerMinute,
        double firstPushSeconds,
        double drainSeconds,
        long expectedSamples,
        long lostSamples,
        long outageSamples,
        long outagePeakDiskBytes,
        double wireBytesPerSample) {

    /** Disk bytes per sample buffered during the outage. */
    public double diskBytesPerSample() {
        return outageSamples <= 0 ? Double.NaN : outagePeakDiskBytes / (double) outageSamples;
    }
}
