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
 * <p>What must agree: a robot whose every answered scrape is stored must have no excerpt missing
 * for good in central-ingest's view ({@code dropped}, {@code refused}, {@code lost}: {@code
 * pending} is what the agent buffered since its last push, never 0 while it keeps scraping); a
 * robot that lost scrapes must show excerpts missing. The counts are not compared one to one: an
 * excerpt is one scrape of any target, failed scrapes (an {@code up} = 0 series) included, while
 * the soak counts answered scrapes of its sensor. With {@code -breakAgent} (the buffer is wiped at
 * each kill) the second direction is reported but not a failure: central-ingest counts as {@code
 * lost} only the excerpts numbered by the agent's last push before the wipe, and the scrapes
 * buffered after it are invisible to it.
 */
record CompletenessCheck(String robot, Map<String, Long> missing, String mismatch) {
    private static final Pattern LINE = Pattern.compile(
            "(?m)^central_ingest_robot_missing_excerpts\\{robot=\"([^\"]*)\",tenant=\"[^\"]*\",reason=\"([a-z_]+)\"\\} (\\S+)$");

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

    /** Compares every robot of {@code checks} with the accounting in {@code metrics}. */
    static List<CompletenessCheck> of(List<LossCheck> checks, String metrics, boolean breakAgent) {
        Map<String, Map<String, Long>> accounted = parse(metrics);
        List<CompletenessCheck> out = new ArrayList<>();
        for (LossCheck c : checks) {
            Map<String, Long> missing = accounted.get(c.robot());
            String mismatch = null;
            if (missing == null) {
                mismatch = "central-ingest has no completeness accounting for it";
                missing = Map.of();
            } else {
                CompletenessCheck probe = new CompletenessCheck(c.robot(), missing, null);
                if (c.lost().isEmpty() && probe.gone() > 0) {
                    mismatch = "central-ingest reports " + missing
                            + " excerpts missing, but every answered scrape is stored";
                } else if (!c.lost().isEmpty() && probe.gone() == 0 && !breakAgent) {
                    mismatch = "the soak found " + c.lost().size()
                            + " scrapes lost, central-ingest reports none missing (" + missing + ")";
                }
            }
            out.add(new CompletenessCheck(c.robot(), missing, mismatch));
        }
        return out;
    }
}
