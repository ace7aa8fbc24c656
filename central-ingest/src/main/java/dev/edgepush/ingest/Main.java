package dev.edgepush.ingest;

import dev.edgepush.flags.FlagText;
import dev.edgepush.forward.buffer.DirectoryLock;
import dev.edgepush.ingest.auth.TokenAddCommand;
import dev.edgepush.ingest.auth.TokensFileException;
import dev.edgepush.net.tls.TlsFilesException;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

/**
 * Entry point: {@code central-ingest token add ...} (see {@link TokenAddCommand}), or parse the
 * server's flags, start, run until SIGTERM or SIGINT.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("token")) {
            if (args.length < 2 || !args[1].equals("add")) {
                System.err.println(
                        "central-ingest token: usage: central-ingest token add <robot|reader> <name> [-tenant=N]"
                                + " -auth.tokensFile=FILE");
                System.exit(2);
                return;
            }
            System.exit(TokenAddCommand.run(Arrays.copyOfRange(args, 2, args.length), System.out, System.err));
            return;
        }
        System.setProperty("chronicle.analytics.disable", "true");
        System.setProperty("chronicle.announcer.disable", "true");
        IngestFlags.Config cfg;
        try {
            IngestFlags flags = IngestFlags.parse(args);
            if (flags.standard.help()) {
                FlagText.printHelp(
                        IngestFlags.commandLine(flags),
                        "central-ingest " + CentralIngest.VERSION
                                + ": the fleet's ingest endpoint. Authenticates each robot by its token, writes ahead to disk and"
                                + " forwards to VictoriaMetrics; readers query through it with their own tokens.",
                        System.out);
                return;
            }
            if (flags.standard.version()) {
                System.out.println("central-ingest " + CentralIngest.VERSION);
                return;
            }
            cfg = flags.validate();
        } catch (IngestFlags.FlagException e) {
            e.getMessage().lines().forEach(line -> System.err.println("central-ingest: " + line));
            System.exit(2);
            return;
        }
        CentralIngest ingest;
        try {
            ingest = new CentralIngest(cfg);
        } catch (TokensFileException e) {
            System.err.println("central-ingest: -auth.tokensFile: " + e.getMessage());
            System.exit(2);
            return;
        } catch (TlsFilesException | DirectoryLock.HeldException e) {
            System.err.println("central-ingest: " + e.getMessage());
            System.exit(2);
            return;
        } catch (IOException e) {
            // e.g. -httpListenAddr in use, or a -wal.path that cannot be written: one line, and an exit
            // (System.exit: threads started before the failure must not keep a dead daemon running).
            System.err.println("central-ingest: cannot start: " + e.getMessage());
            System.exit(2);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            ingest.close();
                            stopped.countDown();
                        },
                        "central-ingest-shutdown"));
        stopped.await();
    }
}
