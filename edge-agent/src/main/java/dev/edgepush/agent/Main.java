package dev.edgepush.agent;

import dev.edgepush.compat.GlobalConfig;
import dev.edgepush.compat.ScrapeConfig;
import dev.edgepush.compat.ScrapeConfigException;
import dev.edgepush.compat.ScrapeConfigReader;
import dev.edgepush.flags.FlagText;
import dev.edgepush.forward.buffer.DirectoryLock;
import dev.edgepush.net.tls.TlsFilesException;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point: parse flags, read the scrape config, run until SIGTERM or SIGINT.
 *
 * <p>Exit codes: 0 after an orderly stop on SIGTERM or SIGINT (the agent handles both signals
 * itself, so the JVM does not exit with 143/130 as it would by default: systemd and
 * supervisors see a clean stop without {@code SuccessExitStatus=143}); 2 for a bad flag or
 * scrape config, or a {@code -remoteWrite.tmpDataPath} another process holds ({@link
 * DirectoryLock}); with {@code -dryRun}, 0 for a valid config and 1 for a bad flag value or
 * config (see {@link DryRun}); 1 when the orderly stop did not finish within {@link #STOP_DEADLINE_MS} (the
 * process then halts: safe, as a kill -9 loses nothing buffered).
 */
public final class Main {
    private static final Logger log = LoggerFactory.getLogger(Main.class);
    /** The orderly stop takes about 5 s at worst (scrape drain 3 s, push 2 s); this is its backstop. */
    static final long STOP_DEADLINE_MS = 15_000;

    /** The first lines of {@code -help}. */
    static final String SUMMARY = "edge-agent " + Agent.VERSION + ": scrapes Prometheus targets, writes every sample"
            + " to a disk buffer first and pushes it with Prometheus remote write. Flags are vmagent's:"
            + " -name=value or -name value.";

    private Main() {}

    public static void main(String[] args) throws Exception {
        System.setProperty("chronicle.analytics.disable", "true");
        System.setProperty("chronicle.announcer.disable", "true");
        AgentFlags.Config cfg;
        ScrapeConfig scrape;
        dev.edgepush.agent.host.HostSettings host;
        try {
            AgentFlags flags = AgentFlags.parse(args);
            if (flags.standard.help()) {
                FlagText.printHelp(AgentFlags.commandLine(flags), SUMMARY, System.out);
                return;
            }
            if (flags.standard.version()) {
                System.out.println("edge-agent " + Agent.VERSION);
                return;
            }
            if (flags.scrape.dryRun) { // vmagent's -dryRun reports every problem with exit code 1
                List<String> flagProblems = List.of();
                try {
                    flags.validate();
                } catch (AgentFlags.FlagException e) {
                    flagProblems = e.problems();
                }
                System.exit(DryRun.check(
                        flags.scrape.promscrapeConfig, flags.scrape.strictParse, flagProblems, System.out, System.err));
                return;
            }
            cfg = flags.validate();
            host = flags.hostSettings();
            scrape = cfg.promscrapeConfig() == null
                    ? new ScrapeConfig(GlobalConfig.defaults(), List.of())
                    : ScrapeConfigReader.read(cfg.promscrapeConfig(), cfg.strictParse(), w -> log.warn("{}", w));
        } catch (AgentFlags.FlagException e) {
            e.problems().forEach(p -> System.err.println("edge-agent: " + p));
            System.exit(2);
            return;
        } catch (ScrapeConfigException e) {
            e.problems().forEach(p -> System.err.println("edge-agent: " + p));
            System.exit(2);
            return;
        } catch (IOException e) {
            System.err.println("edge-agent: -promscrape.config: cannot read it: " + e.getMessage());
            System.exit(2);
            return;
        }
        Agent agent;
        try {
            agent = new Agent(cfg, scrape, host);
        } catch (TlsFilesException | DirectoryLock.HeldException e) {
            System.err.println("edge-agent: " + e.getMessage());
            System.exit(2);
            return;
        } catch (IOException e) {
            // A file a flag names with bad content (an empty token, a bad PEM, a bad relabel config), or a
            // buffer directory that cannot be written: one line, not a stack trace.
            System.err.println("edge-agent: cannot start: " + e.getMessage());
            System.exit(2);
            return;
        }
        CountDownLatch stopRequested = new CountDownLatch(1);
        String[] received = {""};
        for (String name : new String[] {"TERM", "INT"}) {
            if (!handleSignal(name, () -> {
                received[0] = "SIG" + name;
                stopRequested.countDown();
            })) {
                log.warn(
                        "cannot handle SIG{} (no sun.misc.Signal): it stops the agent through the shutdown"
                                + " hook and the JVM exits with 128+signal",
                        name);
            }
        }
        // Any other way the JVM shuts down (SIGHUP, System.exit) still closes the buffer.
        Runtime.getRuntime().addShutdownHook(new Thread(agent::close, "edge-agent-shutdown"));
        stopRequested.await();
        log.info("received {}", received[0]);
        Thread backstop = new Thread(
                () -> {
                    try {
                        Thread.sleep(STOP_DEADLINE_MS);
                    } catch (InterruptedException e) {
                        return;
                    }
                    System.err.println("edge-agent: the orderly stop took more than " + STOP_DEADLINE_MS
                            + " ms; halting (nothing buffered is lost)");
                    Runtime.getRuntime().halt(1);
                },
                "edge-agent-stop-backstop");
        backstop.setDaemon(true);
        backstop.start();
        agent.close();
        System.exit(0);
    }

    /**
     * Installs {@code action} as the handler of signal {@code name} through {@code
     * sun.misc.Signal} (jdk.unsupported, present in every JDK 17+). Reflection only because javac
     * warns about that API without a way to suppress it, and the build turns warnings into
     * errors. Returns false when the handler could not be installed.
     */
    static boolean handleSignal(String name, Runnable action) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Object signal = signalClass.getConstructor(String.class).newInstance(name);
            Object handler = java.lang.reflect.Proxy.newProxyInstance(
                    Main.class.getClassLoader(), new Class<?>[] {handlerClass}, (proxy, method, args) -> {
                        if (method.getName().equals("handle")) {
                            action.run();
                            return null;
                        }
                        if (method.getName().equals("toString")) {
                            return "edge-agent SIG" + name + " handler";
                        }
                        if (method.getName().equals("hashCode")) {
                            return System.identityHashCode(proxy);
                        }
                        if (method.getName().equals("equals")) {
                            return proxy == args[0];
                        }
                        return null;
                    });
            signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, signal, handler);
            return true;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return false;
        }
    }
}
