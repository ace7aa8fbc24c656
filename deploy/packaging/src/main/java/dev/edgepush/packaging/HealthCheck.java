package dev.edgepush.packaging;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The images' health check: the images have no shell, curl or wget, so compose's healthcheck runs
 * {@code java -cp /opt/healthcheck dev.edgepush.packaging.HealthCheck PORT}. It sends
 * {@code GET /health} to 127.0.0.1:PORT and exits 0 on a 200 answer, 1 otherwise (java.base only,
 * one class: about 0.1 s of CPU per check).
 */
public final class HealthCheck {
    private HealthCheck() {}

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(4000);
            OutputStream out = s.getOutputStream();
            out.write(("GET /health HTTP/1.0\r\nHost: 127.0.0.1:" + port + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String answer = new String(in.readNBytes(512), StandardCharsets.US_ASCII);
            String status = answer.lines().findFirst().orElse("");
            if (status.matches("HTTP/1\\.[01] 200\\b.*")) {
                System.exit(0);
            }
            System.err.println("health: " + status);
        } catch (Exception e) {
            System.err.println("health: " + e);
        }
        System.exit(1);
    }
}
