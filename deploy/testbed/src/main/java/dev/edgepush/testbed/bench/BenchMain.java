package dev.edgepush.testbed.bench;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The side-by-side benchmark: for each agent in turn (never two at once, so they do not share the
 * CPU) an {@link AgentRun}, then {@link ResultsReport} to stdout, {@code results.md} and
 * {@code results.json} in the output directory. Logs of every child go to
 * {@code OUT/logs/<agent>/}. With {@code -measure=fresh}, {@link FreshBench} instead.
 */
public final class BenchMain {
    /** Set by the launcher to the repository root it lives in; {@code -repo} overrides it. */
    static final String REPO_PROPERTY = "edgepush.repo";

    private BenchMain() {}

    /** Runs with {@code args}; returns the process exit code. */
    public static int run(String[] args) {
        for (String a : args) {
            if (a.equals("-h") || a.equals("-help") || a.equals("--help")) {
                System.out.print(BenchFlags.USAGE + FreshFlags.USAGE);
                return 0;
            }
        }
        BenchFlags flags;
        FreshFlags fresh;
        Path repo;
        try {
            FreshFlags.Split split = FreshFlags.split(args);
            fresh = split.fresh();
            flags = BenchFlags.parse(split.rest());
            String fromLauncher = System.getProperty(REPO_PROPERTY, "");
            repo = flags.repo() != null
                    ? flags.repo().toAbsolutePath()
                    : !fromLauncher.isEmpty() ? Path.of(fromLauncher) : repoFromJar();
        } catch (IllegalArgumentException e) {
            System.err.println("bench-agents: " + e.getMessage());
            System.err.print(BenchFlags.USAGE + FreshFlags.USAGE);
            return 2;
        }
        String command = "deploy/testbed/bin/bench-agents " + String.join(" ", args);
        if (fresh.fresh()) {
            return FreshBench.run(flags, fresh, repo, command);
        }
        List<AgentResult> results = new ArrayList<>();
        try (ChildProcesses children = new ChildProcesses()) {
            Files.createDirectories(flags.out());
            for (String agent : flags.agents()) {
                Path logs = flags.out().resolve("logs").resolve(agent.replaceAll("[^A-Za-z0-9._=-]+", "_"));
                results.add(new AgentRun(flags, agent, repo, logs, children).run());
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("bench-agents: run failed: " + e.getMessage());
            return 1;
        }
        ResultsReport report = new ResultsReport(results, command);
        return BenchMain.finish(
                flags.out(),
                report.markdown(),
                report.json(),
                results.stream().mapToLong(AgentResult::lostSamples).sum());
    }

    /**
     * Prints the table, writes {@code results.md} and {@code results.json} to {@code out}; the exit
     * code: 1 when writing failed or a sample was lost, else 0.
     */
    static int finish(Path out, String md, String json, long lost) {
        System.out.print(md);
        try {
            Files.writeString(out.resolve("results.md"), md);
            Files.writeString(out.resolve("results.json"), json);
        } catch (IOException e) {
            System.err.println("bench-agents: cannot write results to " + out + ": " + e);
            return 1;
        }
        if (lost > 0) {
            System.err.println("bench-agents: " + lost + " samples lost (see the table)");
            return 1;
        }
        return 0;
    }

    /** The repository root: the jar sits in {@code deploy/testbed/target/}. */
    private static Path repoFromJar() {
        Path jar;
        try {
            jar = Path.of(BenchMain.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(
                    "cannot find the repository root (" + e.getMessage() + "); pass -repo=DIR");
        }
        Path root = jar.toAbsolutePath();
        for (int i = 0; i < 4 && root != null; i++) {
            root = root.getParent();
        }
        if (root == null || !Files.isExecutable(root.resolve("edge-agent/bin/edge-agent"))) {
            throw new IllegalArgumentException("cannot find the repository root from " + jar + "; pass -repo=DIR");
        }
        return root;
    }
}
