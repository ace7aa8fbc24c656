package dev.edgepush.ingest.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.ingest.CentralIngest;
import dev.edgepush.ingest.IngestFlags;
import dev.edgepush.ingest.auth.TokensFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Token and client certificate together: mTLS decides who may connect, the bearer token which
 * robot writes, and with {@code -mtls.requireRobotName} the two must name the same robot. An
 * in-process central-ingest on 127.0.0.1:0 and the JDK's HTTP client with a {@link TestPki}
 * certificate.
 */
class CertificateNamesRobotTest {
    private static final String R1_TOKEN = "token-of-r1";
    private static final String R2_TOKEN = "token-of-r2";

    @TempDir
    Path dir;

    private CentralIngest ingest;

    @AfterEach
    void stop() {
        if (ingest != null) {
            ingest.close();
        }
    }

    private TestPki start(boolean requireRobotName) throws Exception {
        TestPki ca = TestPki.newCa(dir.resolve("pki"), "fleet-ca");
        TestPki.Issued server = ca.server(dir.resolve("pki"), "ingest", "127.0.0.1");
        Path tokens = Files.writeString(
                dir.resolve("tokens"),
                "robot r1 0 " + TokensFile.hashOf(R1_TOKEN) + "\nrobot r2 0 " + TokensFile.hashOf(R2_TOKEN) + "\n");
        ingest = new CentralIngest(IngestFlags.parse(new String[] {
                    "-httpListenAddr=127.0.0.1:0",
                    "-remoteWrite.url=http://127.0.0.1:9/api/v1/write",
                    "-auth.tokensFile=" + tokens,
                    "-wal.path=" + dir.resolve("wal"),
                    "-tls",
                    "-tlsCertFile=" + server.certFile(),
                    "-tlsKeyFile=" + server.keyFile(),
                    "-mtls",
                    "-mtlsCAFile=" + ca.caFile(),
                    "-mtls.requireRobotName=" + requireRobotName
                })
                .validate());
        return ca;
    }

    private HttpResponse<String> push(TestPki ca, TestPki.Issued cert, String token) throws Exception {
        HttpClient c = HttpClient.newBuilder()
                .sslContext(TestPki.clientContext(ca.caCert(), cert))
                .build();
        return c.send(
                HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + ingest.port() + "/api/v1/import/prometheus"))
                        .timeout(Duration.ofSeconds(20))
                        .header("Authorization", "Bearer " + token)
                        .POST(HttpRequest.BodyPublishers.ofString("up 1\n", StandardCharsets.UTF_8))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void withRequireRobotNameTheTokenMustBelongToTheRobotTheCertificateNames() throws Exception {
        TestPki ca = start(true);
        TestPki.Issued r1 = ca.client(dir.resolve("pki"), "r1", "r1");
        assertEquals(204, push(ca, r1, R1_TOKEN).statusCode());
        HttpResponse<String> stolen = push(ca, r1, R2_TOKEN);
        assertEquals(403, stolen.statusCode());
        assertTrue(stolen.body().contains("robot r2 but the client certificate names r1"), stolen.body());
        assertEquals(401, push(ca, r1, "no-such-token").statusCode(), "the token is still checked first");
    }

    @Test
    void withoutItTheCertificateAdmitsTheConnectionAndTheTokenAloneNamesTheRobot() throws Exception {
        TestPki ca = start(false);
        TestPki.Issued r1 = ca.client(dir.resolve("pki"), "r1", "r1");
        assertEquals(204, push(ca, r1, R2_TOKEN).statusCode());
        assertEquals(401, push(ca, r1, "no-such-token").statusCode());
        assertThrows(java.io.IOException.class, () -> push(ca, null, R1_TOKEN), "no certificate, no connection");
    }

    @Test
    void requireRobotNameWithoutMtlsIsABadFlag() throws Exception {
        String tokens = java.nio.file.Files.createTempFile("tokens", ".txt").toString(); // exists, so only TLS is wrong
        IngestFlags.FlagException e = assertThrows(
                IngestFlags.FlagException.class,
                () -> IngestFlags.parse(new String[] {
                            "-remoteWrite.url=http://127.0.0.1:9/api/v1/write",
                            "-auth.tokensFile=" + tokens,
                            "-mtls.requireRobotName"
                        })
                        .validate());
        assertTrue(e.getMessage().contains("-mtls.requireRobotName needs -tls and -mtls"), e.getMessage());
        IngestFlags.FlagException m = assertThrows(
                IngestFlags.FlagException.class,
                () -> IngestFlags.parse(new String[] {
                            "-remoteWrite.url=http://127.0.0.1:9/api/v1/write", "-auth.tokensFile=" + tokens, "-mtls"
                        })
                        .validate());
        assertTrue(m.getMessage().contains("need -tls"), m.getMessage());
    }
}
