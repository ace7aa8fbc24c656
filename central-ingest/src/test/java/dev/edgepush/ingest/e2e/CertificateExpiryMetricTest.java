package dev.edgepush.ingest.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.ingest.CentralIngest;
import dev.edgepush.ingest.IngestFlags;
import dev.edgepush.ingest.auth.TokensFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code central_ingest_tls_certificate_expiry_timestamp_seconds} on {@code GET /metrics}, read
 * over the HTTPS it describes: the notAfter of the serving certificate and of the {@code
 * -mtlsCAFile} CA, the renewed certificate's once the files are replaced (as a certificate
 * manager moves them into place), the old one's while a replaced file does not load, and no such
 * series without {@code -tls}. Certificates from {@link TestPki}; central-ingest in this JVM.
 */
@Timeout(value = 3, unit = java.util.concurrent.TimeUnit.MINUTES)
class CertificateExpiryMetricTest {
    private static final String NAME = "central_ingest_tls_certificate_expiry_timestamp_seconds";

    @TempDir
    Path dir;

    @Test
    void theGaugeIsTheNotAfterOfTheCertificateInUseAndFollowsItsRenewal() throws Exception {
        Path pki = dir.resolve("pki");
        TestPki ca = TestPki.newCa(pki, "fleet-ca");
        TestPki.Issued server = ca.server(pki, "ingest", Duration.ofDays(30), "127.0.0.1");
        TestPki.Issued client = ca.client(pki, "scraper", "scraper");
        HttpClient https = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .sslContext(TestPki.clientContext(ca.caCert(), client))
                .build();
        try (CentralIngest ingest = start(
                "-tls",
                "-tlsCertFile=" + server.certFile(),
                "-tlsKeyFile=" + server.keyFile(),
                "-mtls",
                "-mtlsCAFile=" + ca.caFile())) {
            String metrics = get(https, ingest);
            assertTrue(metrics.contains("# TYPE " + NAME + " gauge\n"), metrics);
            assertEquals(seconds(server.cert()), value(metrics, "serving"), metrics);
            assertEquals(seconds(ca.caCert()), value(metrics, "client_ca"), metrics);

            // A key that does not load: the certificate in use, and so the gauge, stay.
            Files.writeString(
                    server.keyFile(), "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
            Thread.sleep(2500); // over two of the reload checks, once a second
            assertEquals(seconds(server.cert()), value(get(https, ingest), "serving"), "after a bad key");

            // Renewed for 90 days instead of 30: moved into place, key first, as a certificate manager does.
            TestPki.Issued renewed = ca.server(pki.resolve("new"), "ingest", Duration.ofDays(90), "127.0.0.1");
            Files.move(renewed.keyFile(), server.keyFile(), StandardCopyOption.REPLACE_EXISTING);
            Files.move(renewed.certFile(), server.certFile(), StandardCopyOption.REPLACE_EXISTING);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            long seen = value(get(https, ingest), "serving");
            while (seen != seconds(renewed.cert()) && System.nanoTime() < deadline) {
                Thread.sleep(200);
                seen = value(get(https, ingest), "serving");
            }
            assertEquals(seconds(renewed.cert()), seen, "the renewed certificate's notAfter within 30 s");
            assertTrue(seconds(renewed.cert()) - seconds(server.cert()) > 59 * 86400, "the two differ by 60 days");
            assertEquals(seconds(ca.caCert()), value(get(https, ingest), "client_ca"));
        }
    }

    @Test
    void withoutMtlsCaFileOnlyTheServingCertificateAndWithoutTlsNone() throws Exception {
        Path pki = dir.resolve("pki");
        TestPki ca = TestPki.newCa(pki, "fleet-ca");
        TestPki.Issued server = ca.server(pki, "ingest", Duration.ofDays(10), "127.0.0.1");
        HttpClient https = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .sslContext(TestPki.clientContext(ca.caCert(), null))
                .build();
        try (CentralIngest ingest =
                start("-tls", "-tlsCertFile=" + server.certFile(), "-tlsKeyFile=" + server.keyFile())) {
            String metrics = get(https, ingest);
            assertEquals(seconds(server.cert()), value(metrics, "serving"), metrics);
            assertFalse(metrics.contains(NAME + "{certificate=\"client_ca\"}"), metrics);
        }
        try (CentralIngest ingest = start()) {
            assertFalse(ingest.metrics().render().contains(NAME), "no TLS, no series");
        }
    }

    private CentralIngest start(String... tls) throws Exception {
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, "robot r1 0 " + TokensFile.hashOf("T-secret") + "\n");
        Path wal = Files.createTempDirectory(dir, "wal");
        String[] base = {
            "-httpListenAddr=127.0.0.1:0",
            "-remoteWrite.url=http://127.0.0.1:9/api/v1/write",
            "-auth.tokensFile=" + tokens,
            "-wal.path=" + wal
        };
        String[] args = new String[base.length + tls.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(tls, 0, args, base.length, tls.length);
        return new CentralIngest(IngestFlags.parse(args).validate());
    }

    private static String get(HttpClient https, CentralIngest ingest) throws Exception {
        HttpResponse<String> r = https.send(
                HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + ingest.port() + "/metrics"))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    private static long seconds(X509Certificate cert) {
        return cert.getNotAfter().getTime() / 1000;
    }

    private static long value(String metrics, String certificate) {
        Matcher m = Pattern.compile("(?m)^" + NAME + "\\{certificate=\"" + certificate + "\"} (\\d+)$")
                .matcher(metrics);
        assertTrue(m.find(), certificate + " in:\n" + metrics);
        return Long.parseLong(m.group(1));
    }
}
