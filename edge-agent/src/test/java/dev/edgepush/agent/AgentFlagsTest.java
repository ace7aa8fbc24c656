package dev.edgepush.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentFlagsTest {
  private static AgentFlags.Config parse(String... args) throws AgentFlags.FlagException {
    return AgentFlags.parse(args).validate();
  }

  private static String error(String... args) {
    return assertThrows(AgentFlags.FlagException.class, () -> parse(args)).getMessage();
  }

  @Test
  void readsVmagentStyleFlags() throws Exception {
    AgentFlags.Config c = parse("-remoteWrite.url=http://127.0.0.1:8428/api/v1/write",
        "-remoteWrite.maxDiskUsagePerURL=50MB", "-remoteWrite.flushInterval", "500ms",
        "-remoteWrite.label=robot=r1", "-remoteWrite.label=site=a=b", "--httpListenAddr=127.0.0.1:9000");
    assertEquals(50_000_000L, c.maxDiskBytes());
    assertEquals(Duration.ofMillis(500), c.flushInterval());
    assertEquals(Map.of("robot", "r1", "site", "a=b"), c.extraLabels());
    assertEquals("127.0.0.1", c.listenHost());
    assertEquals(9000, c.listenPort());
  }

  @Test
  void defaultsMatchVmagent() throws Exception {
    AgentFlags.Config c = parse("-remoteWrite.url=http://h/api/v1/write");
    assertEquals("0.0.0.0", c.listenHost());
    assertEquals(8429, c.listenPort());
    assertEquals(Duration.ofSeconds(1), c.flushInterval());
    assertEquals(0, c.maxDiskBytes());
  }

  @Test
  void anUnknownFlagIsNamed() {
    assertTrue(error("-remoteWrite.url=http://h/x", "-remoteWrite.urll=x").contains("-remoteWrite.urll"));
  }

  @Test
  void badValuesNameTheirFlag() {
    assertTrue(error("-remoteWrite.url=http://h/x", "-remoteWrite.flushInterval=soon").startsWith("-remoteWrite.flushInterval=soon"));
    assertTrue(error("-remoteWrite.url=http://h/x", "-remoteWrite.maxDiskUsagePerURL=lots").startsWith("-remoteWrite.maxDiskUsagePerURL=lots"));
    assertTrue(error("-remoteWrite.url=http://h/x", "-remoteWrite.label=no-equals").startsWith("-remoteWrite.label=no-equals"));
    assertTrue(error("-remoteWrite.url=http://h/x", "-httpListenAddr=nowhere").startsWith("-httpListenAddr=nowhere"));
    assertTrue(error("-remoteWrite.url=ftp://h/x").startsWith("-remoteWrite.url=ftp://h/x"));
    assertTrue(error().contains("-remoteWrite.url is required"));
  }
}
