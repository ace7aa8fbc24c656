package dev.edgepush.testbed.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code bench-agents -measure=fresh}: a {@link FreshRun} per agent, one after the other or (with
 * {@code -concurrent=true}) all at once, each with its own processes; then {@link FreshReport} to
 * stdout, {@code results.md} and {@code results.json} in the output directory.
 */
final class FreshBench {
    private FreshBench() {}

    /** Runs; returns the process exit code (1 on a runner error or a lost sample). */
    static int run(BenchFlags flags, FreshFlags fresh, Path repo, String command) {
        List<FreshResult> results = new ArrayList<>();
        try {
            Files.createDirectories(flags.out());
            if (fresh.concurrent()) {
                ExecutorService pool =
                        Executors.newFixedThreadPool(flags.agents().size());
                try {
                    List<Future<FreshResult>> futures = new ArrayList<>();
                    for (String agent : flags.agents()) {
                        futures.add(pool.submit(() -> runOne(flags, fresh, agent, repo)));
                    }
                    for (Future<FreshResult> f : futures) {
                        results.add(f.get());
                    }
                } finally {
                    pool.shutdownNow();
                }
            } else {
                for (String agent : flags.agents()) {
                    results.add(runOne(flags, fresh, agent, repo));
                }
            }
        } catch (ExecutionException e) {
            System.err.println("bench-agents: run failed: " + e.getCause().getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.err.println("bench-agents: interrupted");
            return 1;
        } catch (IOException | RuntimeException e) {
            System.err.println("bench-agents: run failed: " + e.getMessage());
            return 1;
        }
        FreshReport report = new FreshReport(results, command);
        return BenchMain.finish(
                flags.out(),
                report.markdown(),
                report.json(),
                results.stream().mapToLong(FreshResult::lostSamples).sum());
    }

    /** One agent with its own children, all stopped when it ends. */
    private static FreshResult runOne(BenchFlags flags, FreshFlags fresh, String agent, Path repo) throws IOException {
        Path logs = flags.out().resolve("logs").resolve(agent);
        try (ChildProcesses children = new ChildProcesses()) {
            return new FreshRun(flags, fresh, AgentKind.of(agent), repo, logs, children).run();
        }
    }
}
