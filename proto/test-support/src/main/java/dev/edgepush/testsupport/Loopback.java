package dev.edgepush.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** The loopback interface, where every test server listens. */
public final class Loopback {
    private Loopback() {}

    /**
     * A TCP port on 127.0.0.1 that was free a moment ago: the kernel picks it, the socket is closed
     * at once, and the caller binds it soon after.
     */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }
}
