package dev.edgepush.forward.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import net.openhft.posix.PosixAPI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The root pom keeps jnr-ffi, JNA and ASM (Chronicle's native bindings) off the classpath: they
 * cost ~330 classes and ~3 MiB resident on a robot and edge-agent uses none of them. This fails if
 * a dependency change brings them back, or if the buffer stops working without them.
 */
class PosixApiAbsentTest {
    @TempDir
    Path dir;

    @Test
    void nativeBindingsAreNotOnTheClasspath() {
        for (String cls : new String[] {
            "jnr.ffi.Platform", "com.kenai.jffi.Library", "com.sun.jna.Native", "org.objectweb.asm.ClassWriter"
        }) {
            assertThrows(ClassNotFoundException.class, () -> Class.forName(cls), cls + " is back on the classpath");
        }
    }

    @Test
    void chronicleFallsBackToItsNoOpPosixApiAndTheBufferStillWorks() throws Exception {
        assertTrue(
                PosixAPI.posix().getClass().getSimpleName().startsWith("NoOp"),
                PosixAPI.posix().getClass().getName());
        try (DiskBuffer buffer = DiskBuffer.open(dir, 0, Duration.ZERO)) {
            byte[] payload = "sample".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            buffer.append(payload, payload.length, 3, 1);
            assertEquals(3, buffer.pendingSamples());
        }
        try (DiskBuffer reopened = DiskBuffer.open(dir, 0, Duration.ZERO)) {
            assertEquals(
                    3,
                    reopened.pendingSamples(),
                    "synced with Duration.ZERO (FileChannel.force), not Chronicle's msync");
        }
    }
}
