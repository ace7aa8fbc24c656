package dev.edgepush.agent;

import dev.edgepush.compat.FileSdReader;
import dev.edgepush.compat.ScrapeConfig;
import dev.edgepush.compat.ScrapeConfigException;
import dev.edgepush.compat.ScrapeJob;
import dev.edgepush.compat.StaticTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The targets of every job: its {@code static_configs} and what its {@code file_sd_configs}
 * files list now. {@link #refresh} re-expands the globs and re-reads every file whose size or
 * modification time changed. Failure policy, per file: a file that cannot be read or parsed
 * keeps the targets it had at its last good read (none if it never had one), and the error
 * (file:line) is reported once until it changes; a file that is gone has no targets. vmagent
 * keeps the previous targets too, but of the whole {@code file_sd_configs} entry. Not
 * thread-safe: the agent calls it from its event loop.
 */
final class FileSdTargets {
    private record FileState(long modifiedMs, long size, List<StaticTarget> targets, String error) {}

    private final ScrapeConfig config;
    private final Path baseDir;
    private final Consumer<String> errors;
    private final Map<Path, FileState> files = new HashMap<>();
    private final Map<String, List<StaticTarget>> byJob = new HashMap<>();

    /**
     * @param baseDir the config file's directory, for {@code __meta_filepath}
     * @param errors receives each new read or parse error of a file, with file and line
     */
    FileSdTargets(ScrapeConfig config, Path baseDir, Consumer<String> errors) {
        this.config = config;
        this.baseDir = baseDir;
        this.errors = errors;
        for (ScrapeJob job : config.jobs()) {
            byJob.put(job.jobName(), job.targets());
        }
    }

    /** True if any job has file_sd_configs. */
    static boolean needed(ScrapeConfig config) {
        return config.jobs().stream().anyMatch(j -> !j.fileSdFiles().isEmpty());
    }

    /** The targets of {@code job} as of the last refresh, static ones first. */
    List<StaticTarget> targets(ScrapeJob job) {
        return byJob.getOrDefault(job.jobName(), job.targets());
    }

    /** Re-reads what changed; true if any job's targets changed. */
    boolean refresh() {
        boolean changed = false;
        Map<Path, FileState> seen = new HashMap<>();
        for (ScrapeJob job : config.jobs()) {
            if (job.fileSdFiles().isEmpty()) {
                continue;
            }
            List<StaticTarget> all = new ArrayList<>(job.targets());
            for (Path pattern : job.fileSdFiles()) {
                List<Path> matched;
                try {
                    matched = FileSdReader.expand(pattern);
                } catch (IOException | RuntimeException e) {
                    report(
                            pattern,
                            null,
                            "cannot list file_sd_configs files " + pattern + " of job " + job.jobName() + ": "
                                    + e.getMessage());
                    matched = files.keySet().stream() // keep what this pattern matched before
                            .filter(p -> java.util.Objects.equals(p.getParent(), pattern.getParent()))
                            .sorted()
                            .toList();
                }
                for (Path file : matched) {
                    FileState state = seen.computeIfAbsent(file, f -> read(f, job));
                    all.addAll(state.targets());
                }
            }
            if (!all.equals(byJob.get(job.jobName()))) {
                byJob.put(job.jobName(), List.copyOf(all));
                changed = true;
            }
        }
        files.keySet().retainAll(seen.keySet());
        files.putAll(seen);
        return changed;
    }

    private FileState read(Path file, ScrapeJob job) {
        FileState previous = files.get(file);
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return new FileState(-1, -1, List.of(), null);
        } catch (IOException e) {
            return failed(file, previous, "cannot read " + file + ": " + e);
        }
        long modified = attrs.lastModifiedTime().toMillis();
        if (previous != null && previous.modifiedMs() == modified && previous.size() == attrs.size()) {
            return previous;
        }
        try {
            List<StaticTarget> targets = FileSdReader.read(file, baseDir, job.scheme());
            return new FileState(modified, attrs.size(), targets, null);
        } catch (ScrapeConfigException e) {
            return withStamp(failed(file, previous, e.getMessage()), modified, attrs.size());
        } catch (IOException e) {
            return failed(file, previous, "cannot read " + file + ": " + e);
        }
    }

    private static FileState withStamp(FileState s, long modified, long size) {
        return new FileState(modified, size, s.targets(), s.error());
    }

    private FileState failed(Path file, FileState previous, String error) {
        List<StaticTarget> kept = previous == null ? List.of() : previous.targets();
        report(file, previous, error + "; keeping the " + kept.size() + " targets of its last good read");
        return new FileState(-1, -1, kept, error);
    }

    private void report(Path file, FileState previous, String error) {
        if (previous == null || !error.startsWith(String.valueOf(previous.error()))) {
            errors.accept(error);
        }
    }
}
