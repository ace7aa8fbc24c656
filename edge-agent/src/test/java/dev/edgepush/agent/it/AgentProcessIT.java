package dev.edgepush.agent.it;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.testsupport.Loopback;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher of the integration tests waits long for a child to become healthy (a loaded
 * machine starts JVMs slowly), but not for one that cannot: a child whose main thread died fails
 * the start at once, with its output, even while other threads keep its process alive.
 */
class AgentProcessIT {
    @TempDir
    Path dir;

    /** A main that starts a non-daemon thread (as the agent's event loops are) and then throws. */
    public static final class MainThatDies {
        public static void main(String[] args) throws Exception {
            Thread keepsTheProcessAlive = new Thread(() -> {
                try {
                    Thread.sleep(600_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            keepsTheProcessAlive.start();
            throw new IllegalStateException("cannot start: boom");
        }
    }

    @Test
    void aChildWhoseMainThreadDiesFailsTheStartWithItsOutputNotAtTheDeadline() {
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> AgentProcess.start(MainThatDies.class.getName(), dir, Loopback.freePort(), List.of()));
        // The deadline's message would be "did not become healthy in PT2M": this one is the death's.
        assertTrue(e.getMessage().contains("main thread died"), e.getMessage());
        assertTrue(e.getMessage().contains("java.lang.IllegalStateException: cannot start: boom"), e.getMessage());
    }

    @Test
    void aChildThatExitsFailsTheStartWithItsOutput() {
        IllegalStateException e = assertThrows(
                IllegalStateException.class, () -> AgentProcess.start(dir, Loopback.freePort(), "-no.such.flag=1"));
        assertTrue(e.getMessage().startsWith("edge-agent exited with "), e.getMessage());
        assertTrue(e.getMessage().contains("no.such.flag"), e.getMessage());
    }
}
