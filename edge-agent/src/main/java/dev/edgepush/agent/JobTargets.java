package dev.edgepush.agent;

import dev.edgepush.agent.scrape.ScrapeTarget;
import dev.edgepush.compat.ScrapeConfig;
import dev.edgepush.compat.ScrapeJob;
import dev.edgepush.compat.StaticTarget;
import dev.edgepush.compat.TargetRelabeling;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The scrape targets of a scrape config's jobs, as the agent scrapes them. */
final class JobTargets {
    /** The agent's logger: a skipped target is logged as it always was. */
    private static final Logger log = LoggerFactory.getLogger(Agent.class);

    private JobTargets() {}

    /**
     * Every static target of every job after the job's relabel_configs (see {@link
     * TargetRelabeling}: it derives address, scheme, path, interval, timeout and instance from the
     * relabeled {@code __} labels and removes them). Dropped targets are left out; a target that
     * relabeling made unusable is logged and left out.
     */
    static List<ScrapeTarget> targets(ScrapeConfig scrape) {
        return targets(scrape, ScrapeJob::targets);
    }

    /** As {@link #targets(ScrapeConfig)}, with each job's targets from {@code targetsOf}. */
    static List<ScrapeTarget> targets(ScrapeConfig scrape, Function<ScrapeJob, List<StaticTarget>> targetsOf) {
        List<ScrapeTarget> out = new ArrayList<>();
        for (ScrapeJob job : scrape.jobs()) {
            for (StaticTarget st : targetsOf.apply(job)) {
                try {
                    TargetRelabeling.apply(job, st)
                            .ifPresent(t -> out.add(new ScrapeTarget(
                                    job.jobName(),
                                    t.labels().getOrDefault("instance", t.address()),
                                    URI.create(t.url()),
                                    t.scrapeInterval(),
                                    t.scrapeTimeout(),
                                    job.honorLabels(),
                                    job.honorTimestamps(),
                                    t.labels(),
                                    job.metricRelabelConfigs(),
                                    job.auth(),
                                    job.tls(),
                                    job.sampleLimit(),
                                    job.labelLimit())));
                } catch (IllegalArgumentException e) {
                    log.error("skipping a target: {}", e.getMessage());
                }
            }
        }
        return out;
    }
}
