package dev.edgepush.ingest;

import dev.edgepush.ingest.auth.TokensFileException;
import java.util.concurrent.CountDownLatch;

/** Entry point: parse flags, start, run until SIGTERM or SIGINT. */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    System.setProperty("chronicle.analytics.disable", "true");
    System.setProperty("chronicle.announcer.disable", "true");
    IngestFlags.Config cfg;
    try {
      IngestFlags flags = IngestFlags.parse(args);
      if (flags.help) {
        IngestFlags.commandLine(flags).usage(System.out);
        return;
      }
      if (flags.version) {
        System.out.println("central-ingest " + CentralIngest.VERSION);
        return;
      }
      cfg = flags.validate();
    } catch (IngestFlags.FlagException e) {
      System.err.println("central-ingest: " + e.getMessage());
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
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      ingest.close();
      stopped.countDown();
    }, "central-ingest-shutdown"));
    stopped.await();
  }
}
