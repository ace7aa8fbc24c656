package dev.edgepush.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AgentSyncFlagTest {
    @Test
    void syncIntervalDefaultsToOneSecondAndTakesZero() throws Exception {
        assertEquals(
                Duration.ofSeconds(1),
                AgentFlags.parse(new String[] {"-remoteWrite.url=http://h/x"})
                        .validate()
                        .syncInterval());
        assertEquals(
                Duration.ZERO,
                AgentFlags.parse(new String[] {"-remoteWrite.url=http://h/x", "-buffer.syncInterval=0"})
                        .validate()
                        .syncInterval());
        assertEquals(
                Duration.ofMillis(250),
                AgentFlags.parse(new String[] {"-remoteWrite.url=http://h/x", "-buffer.syncInterval", "250ms"})
                        .validate()
                        .syncInterval());
    }

    @Test
    void aBadSyncIntervalNamesTheFlag() {
        String msg = assertThrows(
                        AgentFlags.FlagException.class,
                        () -> AgentFlags.parse(
                                        new String[] {"-remoteWrite.url=http://h/x", "-buffer.syncInterval=often"})
                                .validate())
                .getMessage();
        assertTrue(msg.startsWith("-buffer.syncInterval=often"), msg);
    }

    @Test
    void theHelpStatesThePowerLossGuarantee() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AgentFlags.commandLine(new AgentFlags()).usage(new PrintStream(out, true, StandardCharsets.UTF_8));
        String help = out.toString(StandardCharsets.UTF_8).replaceAll("\\s+", " ");
        assertTrue(help.contains("-buffer.syncInterval"), help);
        assertTrue(help.contains("Power loss loses at most about this much"), help);
    }
}
