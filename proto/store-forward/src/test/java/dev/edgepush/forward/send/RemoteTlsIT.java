package dev.edgepush.forward.send;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.edgepush.net.tls.ClientTls;
import dev.edgepush.net.tls.Pem;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * -remoteWrite.tls* and basic auth against WireMock over HTTPS with a certificate made by the
 * JDK's keytool for DNS:edge.test only (so 127.0.0.1 in the URL never matches by itself).
 */
class RemoteTlsIT {
    @TempDir
    Path tmp;

    WireMockServer wm;
    EventLoopGroup group;
    Path caPem;
    Path keyPem;

    @BeforeEach
    void start() throws Exception {
        Path ks = tmp.resolve("server.p12");
        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "keytool")
                                .toString(),
                        "-genkeypair",
                        "-alias",
                        "server",
                        "-keyalg",
                        "EC",
                        "-groupname",
                        "secp256r1",
                        "-dname",
                        "CN=edge.test",
                        "-ext",
                        "SAN=dns:edge.test",
                        "-validity",
                        "2",
                        "-storetype",
                        "PKCS12",
                        "-keystore",
                        ks.toString(),
                        "-storepass",
                        "secret",
                        "-keypass",
                        "secret")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(ks.toFile())) {
            store.load(in, "secret".toCharArray());
        }
        Certificate cert = store.getCertificate("server");
        Key key = store.getKey("server", "secret".toCharArray());
        caPem = Files.writeString(tmp.resolve("ca.pem"), pem("CERTIFICATE", cert.getEncoded()));
        keyPem = Files.writeString(tmp.resolve("key.pem"), pem("PRIVATE KEY", key.getEncoded()));
        wm = new WireMockServer(options()
                .bindAddress("127.0.0.1")
                .dynamicPort()
                .dynamicHttpsPort()
                .keystorePath(ks.toString())
                .keystorePassword("secret")
                .keyManagerPassword("secret")
                .keystoreType("PKCS12"));
        wm.start();
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        wm.stubFor(post(urlEqualTo("/api/v1/write")).willReturn(aResponse().withStatus(204)));
    }

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        wm.stop();
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    PushOutcome push(ClientTls tls, String user, String password) {
        String url = "https://127.0.0.1:" + wm.httpsPort() + "/api/v1/write";
        // 30 s: the first TLS exchange of a JVM (the client's and WireMock's Jetty warming up) took
        // over 5 s on a loaded 2-core machine; the refused cases end at the handshake, long before.
        try (RemoteWriteClient c = new RemoteWriteClient(
                group,
                url,
                Duration.ofSeconds(30),
                "test",
                Map::of,
                RemoteWriteClient.auth(null, user, password),
                tls)) {
            return c.pushCompressed(new byte[] {0}, 0, 1); // the Snappy block of nothing
        }
    }

    @Test
    void theCaFileAndServerNameVerifyARemoteWhoseCertificateNamesAnotherHost() {
        PushOutcome ok = push(new ClientTls(caPem, null, null, false, "edge.test"), "robot", "pw");
        assertInstanceOf(PushOutcome.Delivered.class, ok, ok::toString);
        wm.verify(postRequestedFor(urlEqualTo("/api/v1/write"))
                .withHeader("Authorization", equalTo("Basic cm9ib3Q6cHc=")));
    }

    @Test
    void withoutTheServerNameTheHostDoesNotMatchAndNothingIsSent() {
        assertInstanceOf(PushOutcome.Retry.class, push(new ClientTls(caPem, null, null, false, null), null, null));
        assertInstanceOf(
                PushOutcome.Retry.class, push(new ClientTls(null, null, null, false, "edge.test"), null, null));
        assertEquals(
                0, wm.findAll(postRequestedFor(urlEqualTo("/api/v1/write"))).size());
    }

    @Test
    void insecureSkipVerifyAcceptsAnyCertificate() {
        assertInstanceOf(PushOutcome.Delivered.class, push(new ClientTls(null, null, null, true, null), null, null));
    }

    @Test
    void aPkcs8ClientKeyAndCertificateLoadAndOtherKeyFormatsAreRefusedWithTheFix() throws Exception {
        new ClientTls(caPem, caPem, keyPem, false, null).sslContext();
        Path pkcs1 = Files.writeString(tmp.resolve("rsa.pem"), pem("RSA PRIVATE KEY", new byte[] {1, 2, 3}));
        IOException e = assertThrows(IOException.class, () -> Pem.privateKey(pkcs1));
        assertTrue(e.getMessage().contains("openssl pkcs8 -topk8 -nocrypt"), e.getMessage());
        IOException e2 = assertThrows(IOException.class, () -> Pem.certificates(keyPem));
        assertTrue(e2.getMessage().contains(keyPem.toString()), e2.getMessage());
    }
}
