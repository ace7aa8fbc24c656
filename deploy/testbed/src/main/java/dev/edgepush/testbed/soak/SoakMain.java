package dev.edgepush.testbed.soak;

import java.nio.file.Path;

/**
 * {@code deploy/testbed/bin/soak}: the fleet soak. Prints progress, then as its last line
 * {@code soak: robots=R scrapes=S stored=T lost=L in_flight_at_kill=K scrape_timeouts=T
 * disk_full_dropped=D outages=O blackholes=B agent_kills=A ingest_kills=I storage_restarts=V
 * [clock_skew_r1=S clock_misplaced=P] completeness_mismatches=M}. Exit status 0 when nothing was
 * lost, the clock check passed and central-ingest's accounting agreed, 1 otherwise (or when the
 * backlog never drained), 2 for a bad flag, 3 when the fleet could not run.
 */
public final class SoakMain {
    private SoakMain() {}

    public static void main(String[] args) {
        for (String a : args) {
            if (a.equals("-h") || a.equals("-help") || a.equals("--help")) {
                System.out.print(SoakConfig.USAGE);
                return;
            }
        }
        Path repo = Path.of(System.getProperty("edgepush.home", "."));
        SoakConfig cfg;
        try {
            cfg = SoakConfig.parse(args, repo, System.currentTimeMillis() % 1_000_000);
        } catch (IllegalArgumentException e) {
            System.err.println("soak: " + e.getMessage());
            System.err.print(SoakConfig.USAGE);
            System.exit(2);
            return;
        }
        int status;
        try {
            status = new SoakRunner(cfg, System.out).run().passed() ? 0 : 1;
        } catch (Exception e) {
            System.err.println("soak: the fleet could not run: " + e);
            e.printStackTrace();
            status = 3;
        }
        System.exit(status);
    }
}
