package dev.edgepush.compat;

import java.util.List;
import java.util.Objects;

/**
 * A Prometheus scrape config file, as read by {@link ScrapeConfigReader}.
 *
 * @param global the {@code global} section, with defaults filled in
 * @param jobs the {@code scrape_configs}, in file order, with per-job defaults resolved; never null,
 *     unmodifiable
 */
public record ScrapeConfig(GlobalConfig global, List<ScrapeJob> jobs) {

    /** Checks for nulls and makes {@code jobs} unmodifiable. */
    public ScrapeConfig {
        Objects.requireNonNull(global, "global");
        jobs = List.copyOf(jobs);
    }
}
