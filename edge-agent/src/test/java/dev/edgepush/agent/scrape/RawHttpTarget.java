package dev.edgepush.agent.scrape;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@code /metrics} target on a plain {@link ServerSocket} on 127.0.0.1, for tests that need to
 * count and steer TCP connections: a {@link Script} decides what each request gets, by connection
 * number and request number on that connection (both from 1). One daemon thread per connection.
 */
final class RawHttpTarget implements AutoCloseable {
    /** What the target does with one request. */
    enum Action {
        /** HTTP/1.1 200 with Content-Length; the connection stays open. */
        ANSWER,
        /** As ANSWER with {@code Connection: close}, but the target leaves the socket open: the client must close it. */
        ANSWER_CONNECTION_CLOSE,
        /** HTTP/1.0 200 without keep-alive, the socket left open: the client must close it. */
        ANSWER_HTTP10,
        /** HTTP/1.1 200 without Content-Length, the body ended by the target closing the connection. */
        ANSWER_UNTIL_CLOSE,
        /** ANSWER, then the target closes the idle connection (as a server with a short idle timeout does). */
        ANSWER_THEN_CLOSE,
        /** ANSWER after 300 ms. */
        ANSWER_LATE,
        /** Close the connection without a byte of response. */
        CLOSE,
        /** Never answer; wait for the client to close. */
        HANG
    }

    interface Script {
        Action on(int connection, int request);
    }

    static final byte[] BODY = "m 1\n".getBytes(StandardCharsets.US_ASCII);

    private final ServerSocket server;
    private final Script script;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Map<Integer, CompletableFuture<Void>> clientClosed = new ConcurrentHashMap<>();
    private final Map<Integer, CompletableFuture<Void>> targetClosed = new ConcurrentHashMap<>();
    /** Every request's head: {@code :request} is the request line, header names are lower case. */
    final List<Map<String, String>> requests = new CopyOnWriteArrayList<>();

    final AtomicInteger accepted = new AtomicInteger();

    RawHttpTarget(Script script) throws IOException {
        this.script = script;
        server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        Thread t = new Thread(this::acceptLoop, "raw-http-accept");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** Completes when the client closed (or reset) connection {@code n}. */
    CompletableFuture<Void> clientClosed(int n) {
        return clientClosed.computeIfAbsent(n, k -> new CompletableFuture<>());
    }

    /** Completes when the target closed connection {@code n} on its own (ANSWER_THEN_CLOSE, CLOSE). */
    CompletableFuture<Void> targetClosed(int n) {
        return targetClosed.computeIfAbsent(n, k -> new CompletableFuture<>());
    }

    private void acceptLoop() {
        while (true) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            int n = accepted.incrementAndGet();
            sockets.add(s);
            Thread t = new Thread(() -> serve(n, s), "raw-http-" + n);
            t.setDaemon(true);
            t.start();
        }
    }

    private void serve(int n, Socket s) {
        try (s) {
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            for (int k = 1; ; k++) {
                Map<String, String> head = readHead(in);
                if (head == null) {
                    clientClosed(n).complete(null);
                    return;
                }
                requests.add(head);
                switch (script.on(n, k)) {
                    case ANSWER -> out.write(response("HTTP/1.1 200 OK", ""));
                    case ANSWER_CONNECTION_CLOSE -> out.write(response("HTTP/1.1 200 OK", "Connection: close\r\n"));
                    case ANSWER_HTTP10 -> out.write(response("HTTP/1.0 200 OK", ""));
                    case ANSWER_UNTIL_CLOSE -> {
                        out.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\n\r\n"
                                .getBytes(StandardCharsets.US_ASCII));
                        out.write(BODY);
                        out.flush();
                        targetClosed(n).complete(null);
                        return;
                    }
                    case ANSWER_THEN_CLOSE -> {
                        out.write(response("HTTP/1.1 200 OK", ""));
                        out.flush();
                        targetClosed(n).complete(null);
                        return;
                    }
                    case ANSWER_LATE -> {
                        Thread.sleep(300);
                        out.write(response("HTTP/1.1 200 OK", ""));
                    }
                    case CLOSE -> {
                        targetClosed(n).complete(null);
                        return;
                    }
                    case HANG -> {
                        while (in.read() >= 0) {
                            // discard until the client closes
                        }
                        clientClosed(n).complete(null);
                        return;
                    }
                }
                out.flush();
            }
        } catch (IOException e) {
            clientClosed(n).complete(null); // reset by the client
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static byte[] response(String statusLine, String extraHeaders) {
        String head = statusLine + "\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: " + BODY.length
                + "\r\n" + extraHeaders + "\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[h.length + BODY.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(BODY, 0, all, h.length, BODY.length);
        return all;
    }

    /** The request line and headers, or null at end of stream. */
    private static Map<String, String> readHead(InputStream in) throws IOException {
        String line = readLine(in);
        if (line == null) {
            return null;
        }
        Map<String, String> head = new HashMap<>();
        head.put(":request", line);
        while ((line = readLine(in)) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            head.put(
                    line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    line.substring(colon + 1).trim());
        }
        return line == null ? null : head;
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int b = in.read(); b >= 0; b = in.read()) {
            if (b == '\n') {
                int end = sb.length();
                return end > 0 && sb.charAt(end - 1) == '\r' ? sb.substring(0, end - 1) : sb.toString();
            }
            sb.append((char) b);
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
