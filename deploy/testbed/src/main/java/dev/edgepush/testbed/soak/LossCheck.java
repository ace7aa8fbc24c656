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
 * @param robot robot name
 * @param answered scrapes answered in full
 * @param stored answered scrapes found in storage
 * @param lost missing and not excused, in sequence order
 * @param inFlightAtKill missing but in flight at a kill
 */
record LossCheck(String robot, int answered, int stored, List<Long> lost, List<Long> inFlightAtKill) {

    /**
     * Checks one robot.
     *
     * @param robot robot name
     * @param answered (seq, unix ms answered) pairs in answer order
     * @param storedSeqs every {@code sensor_scrape_seq} value found in storage
     * @param kills (kill ms, restart ms) pairs; restart is when the new agent process was launched
     */
    static LossCheck of(String robot, long[][] answered, Set<Long> storedSeqs, List<long[]> kills) {
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
        int stored = 0;
        List<Long> lost = new ArrayList<>();
        List<Long> inFlight = new ArrayList<>();
        for (long[] a : answered) {
            if (storedSeqs.contains(a[0])) {
                stored++;
            } else if (excusable.contains(a[0])) {
                inFlight.add(a[0]);
            } else {
                lost.add(a[0]);
            }
        }
        return new LossCheck(robot, answered.length, stored, List.copyOf(lost), List.copyOf(inFlight));
    }
}
