package dev.edgepush.testbed.soak;

import dev.edgepush.testbed.load.RemoteWriteBatch;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;

/** The requests the {@link AbuseSuite} sends with an ordinary HTTP client, and the bodies it builds. */
final class AbuseRequests {
    private AbuseRequests() {}

    static Http.Response post(String url, String token, byte[] body, String encoding, String type) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (encoding != null) {
            b.header("Content-Encoding", encoding);
        }
        return Http.send(b.build());
    }

    static byte[] rw(String name, int samples) {
        RemoteWriteBatch b = new RemoteWriteBatch();
        long now = System.currentTimeMillis();
        b.addSeries(new String[] {"__name__", name}, new double[] {samples}, new long[] {now});
        return b.toSnappyBlock();
    }

    static RemoteWriteBatch manyLabels(int n) {
        String[] labels = new String[2 * (n + 1)];
        labels[0] = "__name__";
        labels[1] = "huge";
        for (int i = 0; i < n; i++) {
            labels[2 + 2 * i] = String.format(Locale.ROOT, "l%06d", i);
            labels[3 + 2 * i] = "v";
        }
        RemoteWriteBatch b = new RemoteWriteBatch();
        b.addSeries(labels, new double[] {1}, new long[] {System.currentTimeMillis()});
        return b;
    }

    static byte[] gzipZeros(long bytes) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bos, 1 << 16)) {
            byte[] zeros = new byte[1 << 20];
            for (long n = 0; n < bytes; n += zeros.length) {
                gz.write(zeros);
            }
        }
        return bos.toByteArray();
    }
}
