package dev.edgepush.testbed.load;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One simulated robot's HTTP/1.1 connection for the load benchmark: a plain socket that writes a
 * precomputed remote-write request (head and body in one write) and reads the status line,
 * headers and body of the answer, nothing more. The JDK's HttpClient, used before, spent about a
 * third of the 2 cores the client, the receiver and VictoriaMetrics share, which made the client
 * the ceiling of both receivers' samples/s. Kept alive across requests unless {@code keepAlive}
 * is false ({@code Connection: close} on every request) or the server closes it; reopened on the
 * next request after a close or an error. Not thread-safe: one per robot thread.
 */
final class RawPushConnection implements Closeable {
    private static final int TIMEOUT_MS = 60_000;
    private final InetSocketAddress address;
    private final byte[] headPrefix;
    private final boolean keepAlive;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    RawPushConnection(URI uri, String token, boolean keepAlive) {
        this.address = new InetSocketAddress(uri.getHost(), uri.getPort());
        this.keepAlive = keepAlive;
        this.headPrefix = ("POST " + uri.getRawPath() + " HTTP/1.1\r\n"
                        + "Host: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
                        + "Authorization: Bearer " + token + "\r\n"
                        + "Content-Type: application/x-protobuf\r\n"
                        + "Content-Encoding: snappy\r\n"
                        + "User-Agent: edgepush-bench/0.1.0\r\n"
                        + "X-Prometheus-Remote-Write-Version: 0.1.0\r\n"
                        + (keepAlive ? "" : "Connection: close\r\n"))
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** Sends {@code body}; returns the answer's status code. */
    int post(byte[] body) throws IOException {
        if (socket == null) {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(address, 5_000);
            socket.setSoTimeout(TIMEOUT_MS);
            in = new BufferedInputStream(socket.getInputStream(), 8192);
            out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
        }
        try {
            out.write(headPrefix);
            out.write(("Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            return readAnswer();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private int readAnswer() throws IOException {
        String status = line();
        if (!status.startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.x answer: " + status);
        }
        int code = Integer.parseInt(status.substring(9, 12));
        long length = 0;
        boolean chunked = false;
        boolean close = !keepAlive || status.startsWith("HTTP/1.0");
        for (String h = line(); !h.isEmpty(); h = line()) {
            String lower = h.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(lower.substring(15).trim());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            } else if (lower.startsWith("connection:")) {
                close = lower.contains("close") || (status.startsWith("HTTP/1.0") && !lower.contains("keep-alive"));
            }
        }
        if (chunked) {
            for (long n = Long.parseLong(line().split(";")[0].trim(), 16);
                    n > 0;
                    n = Long.parseLong(line().split(";")[0].trim(), 16)) {
                skip(n);
                line();
            }
            while (!line().isEmpty()) {} // trailers
        } else {
            skip(length);
        }
        if (close) {
            close();
        }
        return code;
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(64);
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new EOFException("connection closed by the server mid-answer");
            }
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.US_ASCII);
    }

    private void skip(long n) throws IOException {
        while (n > 0) {
            long k = in.skip(n);
            if (k <= 0) {
                if (in.read() < 0) {
                    throw new EOFException("connection closed by the server mid-body");
                }
                k = 1;
            }
            n -= k;
        }
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing a socket that failed: nothing to do
            }
            socket = null;
        }
    }
}
