package dev.edgepush.testbed.soak;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code deploy/testbed/bin/abuse}: the abuse suite of issue 11 ({@link AbuseSuite}) against a
 * real VictoriaMetrics, central-ingest and one robot. Prints one line per attack, then the table
 * (case | answer | agent alive | ingest alive | legit data lost) and, last, {@code abuse:
 * attacks=N as_expected=E legit_scrapes=S stored=T lost=L failed=F (up=0 recorded: U)}. Exit status 0
 * when every attack got the expected answer, both processes stayed alive and nothing was lost; 1
 * otherwise; 2 for a bad flag; 3 when the processes could not run. Flags: {@code -out=DIR}
 * (default abuse-out), {@code -agentJar}, {@code -ingestJar}, {@code -vmBinary} as the soak's.
 */
public final class AbuseMain {
    private AbuseMain() {}

    public static void main(String[] args) {
        Path repo = Path.of(System.getProperty("edgepush.home", "."));
        SoakConfig cfg;
        try {
            cfg = config(args, repo);
        } catch (IllegalArgumentException e) {
            System.err.println("abuse: " + e.getMessage());
            System.exit(2);
            return;
        }
        int status;
        try {
            status = new AbuseSuite(cfg, System.out).run().passed() ? 0 : 1;
        } catch (Exception e) {
            System.err.println("abuse: the processes could not run: " + e);
            e.printStackTrace();
            status = 3;
        }
        System.exit(status);
    }

    /** The soak's configuration for one robot; only -out and the binaries may be given. */
    static SoakConfig config(String[] args, Path repo) {
        List<String> a = new ArrayList<>(List.of(
                "-robots=1",
                "-duration=30s",
                "-out=abuse-out",
                "-clockAhead=0",
                "-diskCapRobot=false",
                "-cappedLinkRobot=false"));
        for (String arg : args) {
            String name = arg.replaceFirst("^--", "-").replaceFirst("=.*", "");
            if (!List.of("-out", "-agentJar", "-ingestJar", "-vmBinary").contains(name)) {
                throw new IllegalArgumentException(
                        "unknown flag " + name + " (flags: -out -agentJar -ingestJar -vmBinary)");
            }
            a.add(arg);
        }
        return SoakConfig.parse(a.toArray(String[]::new), repo, 1);
    }
}
