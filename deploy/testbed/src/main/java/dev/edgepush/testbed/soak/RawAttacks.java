package dev.edgepush.testbed.soak;

import dev.edgepush.testsupport.ChildProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The {@link AbuseSuite}'s attacks that an HTTP client will not send, over raw sockets from the
 * attacker's address (127.0.0.2: connection limits are per client address, the robot's agent is
 * on 127.0.0.1): slow heads, an endless chunked body, and requests whose answer must close.
 */
final class RawAttacks {
    static final String ATTACKER = "127.0.0.2";

    private RawAttacks() {}

    /**
     * {@code n} connections from the attacker's address that each send a request head one byte every
     * 2 s; the answer is how many the server closed and how long the last one took.
     */
    static Answer slowloris(int port, int n) throws InterruptedException {
        List<Raw> conns = new ArrayList<>();
        long start = System.nanoTime();
        int refused = 0;
        try {
            for (int i = 0; i < n; i++) {
                try {
                    Raw c = new Raw(port);
                    c.send("POST /api/v1/write HTTP/1.1\r\nHost: x\r\n");
                    conns.add(c);
                } catch (IOException e) {
                    refused++;
                }
            }
            long deadline = start + TimeUnit.SECONDS.toNanos(60);
            int open = conns.size();
            while (open > 0 && System.nanoTime() < deadline) {
                open = 0;
                for (Raw c : conns) {
                    if (!c.gone) {
                        try {
                            c.send("X");
                            if (c.peerClosed()) {
                                c.gone = true;
                            } else {
                                open++;
                            }
                        } catch (IOException e) {
                            c.gone = true;
                        }
                    }
                }
                Thread.sleep(2000);
            }
            long s = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
            int closed = conns.size() - open;
            return new Answer(
                    closed + " of " + n + " closed by the server within " + s + " s"
                            + (refused > 0 ? " (" + refused + " refused at connect)" : "")
                            + (open > 0 ? ", " + open + " STILL OPEN" : ""),
                    open == 0);
        } finally {
            conns.forEach(Raw::close);
        }
    }

    /** A chunked request body of one chunk a second, until the server closes (at most 60 s). */
    static Answer endlessChunked(int port, String attackerToken) throws IOException {
        try (Raw c = new Raw(port)) {
            c.send("POST /api/v1/import/prometheus HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + attackerToken
                    + "\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n");
            long start = System.nanoTime();
            int chunks = 0;
            while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(60)) {
                try {
                    c.send("e\r\nattack_tail 1\n\r\n"); // 14 bytes: a well-formed chunk
                    chunks++;
                } catch (IOException e) {
                    break;
                }
                if (c.peerClosed()) {
                    break;
                }
                ChildProcess.pause(1000);
            }
            long s = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
            String head = c.readHead();
            boolean closed = c.closed();
            String status =
                    head.isEmpty() ? "" : head.lines().findFirst().orElse("").replaceFirst("^HTTP/1.1 ", "") + ", ";
            return new Answer(
                    status + (closed ? "closed after " : "STILL OPEN after ") + s + " s, " + chunks + " chunks",
                    closed
                            && s >= AbuseSuite.MAX_BODY_DURATION.toSeconds() - 2
                            && s < AbuseSuite.MAX_BODY_DURATION.toSeconds() + 30);
        }
    }

    static Answer expectClosed(Raw c, int status) throws IOException {
        String head = c.readHead();
        int got = head.isEmpty() ? -1 : Integer.parseInt(head.split(" ")[1]);
        String body = c.readRest();
        boolean closed = c.closed();
        return new Answer(
                (got < 0 ? "no answer" : got + " " + Answer.firstLine(body, 70))
                        + (closed ? ", closed" : ", kept open"),
                got == status && closed);
    }

    /** A raw connection from the attacker's address, for what an HTTP client will not send. */
    static final class Raw implements AutoCloseable {
        private final Socket socket = new Socket();
        private final InputStream in;
        private final OutputStream os;
        boolean gone;

        Raw(int port) throws IOException {
            socket.bind(new InetSocketAddress(InetAddress.getByName(ATTACKER), 0));
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(60_000);
            in = socket.getInputStream();
            os = socket.getOutputStream();
        }

        void send(String ascii) throws IOException {
            send(ascii.getBytes(StandardCharsets.ISO_8859_1));
        }

        void send(byte[] b) throws IOException {
            os.write(b);
            os.flush();
        }

        /** The response head up to the blank line, or "" when the connection ends first. */
        String readHead() throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0;
            try {
                while (matched < 4) {
                    int b = in.read();
                    if (b < 0) {
                        return "";
                    }
                    head.write(b);
                    matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
                }
            } catch (IOException e) {
                return "";
            }
            return head.toString(StandardCharsets.ISO_8859_1);
        }

        /** What follows until the server closes or 10 s pass without a byte. */
        String readRest() {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            try {
                socket.setSoTimeout(10_000);
                byte[] buf = new byte[4096];
                int n;
                while ((n = in.read(buf)) >= 0) {
                    body.write(buf, 0, n);
                }
                gone = true;
            } catch (SocketTimeoutException e) {
                // still open
            } catch (IOException e) {
                gone = true;
            }
            return body.toString(StandardCharsets.UTF_8);
        }

        /** True when the server closed the connection (end of stream or reset) by now, without waiting. */
        boolean peerClosed() {
            try {
                socket.setSoTimeout(1);
                int b = in.read();
                return b < 0;
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                return true;
            }
        }

        /** Whether the server closed it: already seen, or within 10 s. */
        boolean closed() {
            if (gone) {
                return true;
            }
            readRest();
            return gone;
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing
            }
        }
    }
}
