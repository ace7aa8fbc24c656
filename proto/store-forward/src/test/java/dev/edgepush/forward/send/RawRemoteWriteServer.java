package dev.edgepush.forward.send;

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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A remote-write receiver on a plain {@link ServerSocket} on 127.0.0.1 that counts TCP
 * connections and misbehaves on cue: a {@link Script} decides what each request gets, by
 * connection number and request number on that connection (both from 1). One daemon thread per
 * connection.
 */
final class RawRemoteWriteServer implements AutoCloseable {
    enum Action {
        /** 204, the connection stays open. */
        NO_CONTENT,
        /** 204 with {@code Connection: close}, then the server closes. */
        NO_CONTENT_THEN_CLOSE,
        /** 100 Continue, then 204. */
        CONTINUE_THEN_NO_CONTENT,
        /** 400 with a 5,000-byte chunked body ({@link #LONG_ERROR}). */
        LONG_ERROR,
        /** 413 as soon as the head is read (before the body), then the body is read and discarded. */
        EARLY_413,
        /** Close without a byte of response. */
        CLOSE,
        /** Half a response (the head and 3 of 10 body bytes), then close. */
        PARTIAL_THEN_CLOSE,
        /** A response head announcing 100 bytes, then one byte every 100 ms. */
        DRIBBLE,
        /** Never answer; keep the connection until the client closes it. */
        HANG,
        /** Read neither the body nor anything else, never answer: the client's writes block. */
        STALL
    }

    interface Script {
        Action on(int connection, int request);
    }

    /** What a request was: its connection, request line, lower-case headers and body. */
    record Request(int connection, String line, Map<String, String> headers, byte[] body) {}

    static final String LONG_ERROR = "e".repeat(5000);

    private final ServerSocket server;
    private final Script script;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    final List<Request> requests = new CopyOnWriteArrayList<>();
    final AtomicInteger accepted = new AtomicInteger();
    /** DRIBBLE answers written to their last byte (10 s each): a client still reading them did not time out. */
    final AtomicInteger dribblesFinished = new AtomicInteger();
    /** STALL connections the server let go of itself (after 60 s) rather than the client closing them. */
    final AtomicInteger stallsFinished = new AtomicInteger();

    RawRemoteWriteServer(Script script) throws IOException {
        this.script = script;
        server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        Thread t = new Thread(this::acceptLoop, "raw-remote-write-accept");
        t.setDaemon(true);
        t.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getLocalPort() + "/api/v1/write";
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
            Thread t = new Thread(() -> serve(n, s), "raw-remote-write-" + n);
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
                    return;
                }
                int length = Integer.parseInt(head.getOrDefault("content-length", "0"));
                Action action = script.on(n, k);
                if (action == Action.STALL) {
                    Thread.sleep(60_000);
                    stallsFinished.incrementAndGet();
                    return;
                }
                if (action == Action.EARLY_413) {
                    write(out, "HTTP/1.1 413 Payload Too Large\r\nContent-Length: 3\r\n\r\nbig");
                }
                byte[] body = in.readNBytes(length);
                requests.add(new Request(n, head.remove(":request"), head, body));
                switch (action) {
                    case NO_CONTENT -> write(out, "HTTP/1.1 204 No Content\r\n\r\n");
                    case NO_CONTENT_THEN_CLOSE -> {
                        write(out, "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
                        return;
                    }
                    case CONTINUE_THEN_NO_CONTENT ->
                        write(out, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n");
                    case LONG_ERROR ->
                        write(
                                out,
                                "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n"
                                        + "Transfer-Encoding: chunked\r\n\r\n"
                                        + Integer.toHexString(LONG_ERROR.length()) + "\r\n" + LONG_ERROR
                                        + "\r\n0\r\n\r\n");
                    case EARLY_413, STALL -> {} // answered above; STALL never gets here
                    case CLOSE -> {
                        return;
                    }
                    case PARTIAL_THEN_CLOSE -> {
                        write(out, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
                        return;
                    }
                    case DRIBBLE -> {
                        write(out, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
                        for (int i = 0; i < 100; i++) {
                            Thread.sleep(100);
                            write(out, "x");
                        }
                        dribblesFinished.incrementAndGet();
                    }
                    case HANG -> {
                        while (in.read() >= 0) {
                            // discard until the client closes
                        }
                        return;
                    }
                }
            }
        } catch (IOException e) {
            // reset or closed by the client
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** The request line (under {@code :request}) and headers, or null at end of stream. */
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
