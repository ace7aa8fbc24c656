package dev.edgepush.agent;

import dev.edgepush.compat.GlobalConfig;
import dev.edgepush.compat.ScrapeConfig;
import dev.edgepush.compat.ScrapeConfigException;
import dev.edgepush.compat.ScrapeConfigReader;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** Entry point: parse flags, read the scrape config, run until SIGTERM or SIGINT. */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    System.setProperty("chronicle.analytics.disable", "true");
    System.setProperty("chronicle.announcer.disable", "true");
    AgentFlags.Config cfg;
    ScrapeConfig scrape;
    try {
      AgentFlags flags = AgentFlags.parse(args);
      if (flags.help) {
        AgentFlags.commandLine(flags).usage(System.out);
        return;
      }
      if (flags.version) {
        System.out.println("edge-agent " + Agent.VERSION);
        return;
      }
      cfg = flags.validate();
      scrape = cfg.promscrapeConfig() == null
          ? new ScrapeConfig(GlobalConfig.defaults(), List.of())
          : ScrapeConfigReader.read(cfg.promscrapeConfig());
    } catch (AgentFlags.FlagException | ScrapeConfigException e) {
      System.err.println("edge-agent: " + e.getMessage());
      System.exit(2);
      return;
    } catch (IOException e) {
      System.err.println("edge-agent: cannot read -promscrape.config: " + e);
      System.exit(2);
      return;
    }
    Agent agent = new Agent(cfg, scrape);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      agent.close();
      stopped.countDown();
    }, "edge-agent-shutdown"));
    stopped.await();
  }
}
