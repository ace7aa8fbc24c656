package dev.edgepush.testbed;

import dev.edgepush.testbed.bench.BenchMain;

/**
 * Entry point of {@code deploy/testbed/bin/bench-agents}: the whole-process, side-by-side
 * benchmark of edge-agent and vmagent (issue 3). See {@link BenchMain} for what it measures.
 */
public final class AgentBenchmark {
    private AgentBenchmark() {}

    /**
     * Runs the benchmark; exits 0 when it ran (whatever the bars say), 1 on a runner error or a lost
     * sample, 2 on a bad flag.
     *
     * @param args flags, see {@code bench-agents -help}
     */
    public static void main(String[] args) {
        System.exit(BenchMain.run(args));
    }
}
