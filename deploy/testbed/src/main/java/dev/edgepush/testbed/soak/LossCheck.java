package dev.edgepush.testbed.soak;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Per-scrape loss accounting of one robot: every scrape its sensor answered in full, against
 * the {@code sensor_scrape_seq} values VictoriaMetrics stored.
 *
 * <p>The only excuse is a scrape in flight when its agent was {@code kill -9}'d: the agent
 * scrapes a target one request at a time, so per kill that is the last scrape answered before
 * the kill. The first scrape the sensor finished writing after the kill but before the restart
 * was answered to the dead agent (its request was in flight at the kill) and is excused the same
 * way; a dead agent sends no further request, so there is no second one.
 * Excused scrapes are counted in {@code in_flight_at_kill} only when missing.
 *
 * <p>A scrape the agent gave up on is not the pipeline's to deliver: when the sensor finished
 * writing its answer just as the agent's scrape timeout fired (a starved machine), the sensor
 * counts it answered while the agent stored {@code up} = 0 for it. Each such failed scrape the
 * agent stored (given as its timestamp) excuses at most one missing scrape, the nearest answered
 * within {@link #TIMEOUT_MATCH_MS} of it ({@code scrape_timeouts}).
 *
 * <p>The last excuse is the robot's disk cap: the agent counts what its cap deleted in {@code
 * edge_agent_samples_dropped_total{reason="disk_full"}}; that many samples, in whole scrapes of
 * the robot's samples per scrape, are excused among the missing ones (the oldest first, as the
 * cap deletes the oldest data), never more. Whether the count and the gap agree exactly is
 * {@link CompletenessCheck}'s business.
 *
 * @param robot robot name
 * @param answered scrapes answered in full
 * @param stored answered scrapes found in storage
 * @param lost missing and not excused, in sequence order
 * @param inFlightAtKill missing but in flight at a kill
 * @param timedOut missing, and the agent stored a timed-out scrape for it
 * @param droppedDiskFull missing and excused by the agent's disk_full count, in sequence order
 * @param diskFullSamples the agent's disk_full count of samples (since its last start)
 * @param samplesPerScrape samples of one of this robot's scrapes as stored (0 when not looked up:
 *     nothing was dropped for the disk cap)
 */
record LossCheck(
        String robot,
        int answered,
        int stored,
        List<Long> lost,
        List<Long> inFlightAtKill,
        List<Long> timedOut,
        List<Long> droppedDiskFull,
        long diskFullSamples,
        int samplesPerScrape) {

    /**
     * How far from a timed-out scrape's stored timestamp its answer may be: the scrape timeout
     * (1 s) plus the transit time a clock correction leaves in a robot's timestamps.
     */
    static final long TIMEOUT_MATCH_MS = 5_000;

    /** A robot without timed-out scrapes and nothing dropped for its disk cap. */
    LossCheck(String robot, int answered, int stored, List<Long> lost, List<Long> inFlightAtKill) {
        this(robot, answered, stored, lost, inFlightAtKill, List.of(), List.of(), 0, 0);
    }

    /**
     * Checks one robot.
     *
     * @param robot robot name
     * @param answered (seq, unix ms answered) pairs in answer order
     * @param storedSeqs every {@code sensor_scrape_seq} value found in storage
     * @param kills (kill ms, restart ms) pairs; restart is when the new agent process was launched
     */
    static LossCheck of(String robot, long[][] answered, Set<Long> storedSeqs, List<long[]> kills) {
        return of(robot, answered, storedSeqs, kills, List.of(), 0, 0);
    }

    /**
     * Checks one robot whose agent dropped {@code diskFullSamples} samples for its disk cap.
     *
     * @param timedOutAt stored timestamps (unix ms) of the scrapes the agent gave up on at its timeout
     * @param samplesPerScrape samples of one scrape (the excuse is {@code diskFullSamples /
     *     samplesPerScrape} scrapes; none when 0)
     */
    static LossCheck of(
            String robot,
            long[][] answered,
            Set<Long> storedSeqs,
            List<long[]> kills,
            List<Long> timedOutAt,
            long diskFullSamples,
            int samplesPerScrape) {
        long diskFullScrapes = samplesPerScrape > 0 ? diskFullSamples / samplesPerScrape : 0;
        Set<Long> excusable = new TreeSet<>();
        for (long[] kill : kills) {
            long lastBefore = -1;
            for (long[] a : answered) {
                if (a[1] <= kill[0]) {
                    lastBefore = a[0];
                } else {
                    if (a[1] <= kill[1]) {
                        excusable.add(a[0]); // written to the dead agent's socket: its request was in flight
                    }
                    break; // a dead agent sends no new request, so there is at most one such scrape
                }
            }
            if (lastBefore >= 0) {
                excusable.add(lastBefore);
            }
        }
        Set<Long> timedOut = new TreeSet<>();
        for (long t : timedOutAt) {
            long[] nearest = null;
            for (long[] a : answered) {
                if (!storedSeqs.contains(a[0])
                        && !excusable.contains(a[0])
                        && !timedOut.contains(a[0])
                        && Math.abs(a[1] - t) <= TIMEOUT_MATCH_MS
                        && (nearest == null || Math.abs(a[1] - t) < Math.abs(nearest[1] - t))) {
                    nearest = a;
                }
            }
            if (nearest != null) {
                timedOut.add(nearest[0]);
            }
        }
        int stored = 0;
        List<Long> lost = new ArrayList<>();
        List<Long> inFlight = new ArrayList<>();
        List<Long> diskFull = new ArrayList<>();
        List<Long> timedOutSeqs = new ArrayList<>();
        for (long[] a : answered) {
            if (storedSeqs.contains(a[0])) {
                stored++;
            } else if (excusable.contains(a[0])) {
                inFlight.add(a[0]);
            } else if (timedOut.contains(a[0])) {
                timedOutSeqs.add(a[0]);
            } else if (diskFull.size() < diskFullScrapes) {
                diskFull.add(a[0]);
            } else {
                lost.add(a[0]);
            }
        }
        return new LossCheck(
                robot,
                answered.length,
                stored,
                List.copyOf(lost),
                List.copyOf(inFlight),
                List.copyOf(timedOutSeqs),
                List.copyOf(diskFull),
                diskFullSamples,
                samplesPerScrape);
    }
}
