package dev.edgepush.testbed.soak;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * central-ingest's own completeness accounting of a robot ({@code
 * central_ingest_robot_missing_excerpts{reason}}, see its README, "Completeness") against the
 * soak's ground truth ({@link LossCheck}), after the drain.
 *
 * <p>What must agree, exactly: a robot none of whose answered scrapes is lost must have as many
 * excerpts {@code dropped} in central-ingest's view as the soak found scrapes missing and excused
 * by the agent's disk cap (0 for a robot without one), none {@code refused} and none {@code lost}
 * ({@code pending} is what the agent buffered since its last push, never 0 while it keeps
 * scraping); the agent's {@code disk_full} count must be exactly those scrapes' samples (so the
 * excuse covers no more and no fewer scrapes than the cap deleted), and central-ingest must show
 * the same count as the agent ({@code central_ingest_robot_missing_samples{reason="disk_full"}}). A
 * robot that lost scrapes must show excerpts missing. An excerpt is one scrape of any target,
 * failed scrapes (an {@code up} = 0 series) included, while the soak counts answered scrapes of
 * its sensor: the dropped counts compare one to one because the disk-cap robot's sensor never
 * fails. With {@code -breakAgent} (the buffer is wiped at each kill) a loss central-ingest does
 * not see is reported but not a failure: central-ingest counts as {@code lost} only the excerpts
 * numbered by the agent's last push before the wipe, and the scrapes buffered after it are
 * invisible to it.
 *
 * @param robot the robot
 * @param missing central-ingest's missing excerpts by reason
 * @param mismatch what disagrees, or null
 */
record CompletenessCheck(String robot, Map<String, Long> missing, String mismatch) {
    private static final Pattern LINE = Pattern.compile(
            "(?m)^central_ingest_robot_missing_excerpts\\{robot=\"([^\"]*)\",tenant=\"[^\"]*\",reason=\"([a-z_]+)\"\\} (\\S+)$");
    private static final Pattern DISK_FULL = Pattern.compile(
            "(?m)^central_ingest_robot_missing_samples\\{robot=\"([^\"]*)\",tenant=\"[^\"]*\",reason=\"disk_full\"\\} (\\S+)$");

    /** Excerpts missing for good: dropped at the robot, refused, lost with a wiped buffer. */
    long gone() {
        return missing.getOrDefault("dropped", 0L)
                + missing.getOrDefault("refused", 0L)
                + missing.getOrDefault("lost", 0L);
    }

    /** Each robot's missing excerpts by reason, from central-ingest's {@code /metrics} text. */
    static Map<String, Map<String, Long>> parse(String metrics) {
        Map<String, Map<String, Long>> out = new LinkedHashMap<>();
        Matcher m = LINE.matcher(metrics);
        while (m.find()) {
            out.computeIfAbsent(m.group(1), k -> new LinkedHashMap<>())
                    .put(m.group(2), (long) Double.parseDouble(m.group(3)));
        }
        return out;
    }

    /** Each robot's disk_full samples as its agent reported them to central-ingest. */
    static Map<String, Long> parseDiskFull(String metrics) {
        Map<String, Long> out = new LinkedHashMap<>();
        Matcher m = DISK_FULL.matcher(metrics);
        while (m.find()) {
            out.put(m.group(1), (long) Double.parseDouble(m.group(2)));
        }
        return out;
    }

    /** Compares every robot of {@code checks} with the accounting in {@code metrics}. */
    static List<CompletenessCheck> of(List<LossCheck> checks, String metrics, boolean breakAgent) {
        Map<String, Map<String, Long>> accounted = parse(metrics);
        Map<String, Long> diskFull = parseDiskFull(metrics);
        List<CompletenessCheck> out = new ArrayList<>();
        for (LossCheck c : checks) {
            Map<String, Long> missing = accounted.get(c.robot());
            String mismatch = null;
            if (missing == null) {
                mismatch = "central-ingest has no completeness accounting for it";
                missing = Map.of();
            } else {
                CompletenessCheck probe = new CompletenessCheck(c.robot(), missing, null);
                int capped = c.droppedDiskFull().size();
                if (c.lost().isEmpty()
                        && (missing.getOrDefault("dropped", 0L) != capped
                                || missing.getOrDefault("refused", 0L) != 0
                                || missing.getOrDefault("lost", 0L) != 0)) {
                    mismatch = "central-ingest reports " + missing
                            + " excerpts missing, but every answered scrape is stored"
                            + (capped == 0 ? "" : " except the " + capped + " its agent dropped for the disk cap");
                } else if (!c.lost().isEmpty() && probe.gone() == 0 && !breakAgent) {
                    mismatch = "the soak found " + c.lost().size()
                            + " scrapes lost, central-ingest reports none missing (" + missing + ")";
                } else if (c.diskFullSamples() != (long) capped * c.samplesPerScrape()) {
                    mismatch = "its agent dropped " + c.diskFullSamples()
                            + " samples for the disk cap (disk_full), the soak" + " found " + capped + " scrapes of "
                            + c.samplesPerScrape() + " samples missing for it";
                } else if (diskFull.getOrDefault(c.robot(), 0L) != c.diskFullSamples()) {
                    mismatch = "central-ingest shows " + diskFull.getOrDefault(c.robot(), 0L)
                            + " disk_full samples for it, its agent " + c.diskFullSamples();
                }
            }
            out.add(new CompletenessCheck(c.robot(), missing, mismatch));
        }
        return out;
    }
}
