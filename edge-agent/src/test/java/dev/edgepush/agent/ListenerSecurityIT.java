package dev.edgepush.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.net.tls.ServerTls;
import dev.edgepush.net.tls.TlsFilesException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's own listener with vmagent's {@code -httpAuth.*} and {@code -tls} flags: a real
 * {@link StatusServer} on 127.0.0.1, the JDK's HTTP client, a certificate made by keytool.
 */
class ListenerSecurityIT {
    @TempDir
    static Path dir;

    static EventLoopGroup group;
    static Path certPem;
    static Path keyPem;
    static SSLContext trusting;

    @BeforeAll
    static void start() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        Path ks = dir.resolve("listener.p12");
        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "keytool")
                                .toString(),
                        "-genkeypair",
                        "-alias",
                        "l",
                        "-keyalg",
                        "EC",
                        "-groupname",
                        "secp256r1",
                        "-dname",
                        "CN=robot",
                        "-ext",
                        "SAN=ip:127.0.0.1",
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
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, out);
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(ks)) {
            store.load(in, "secret".toCharArray());
        }
        Certificate cert = store.getCertificate("l");
        certPem = Files.writeString(dir.resolve("listener.crt"), pem("CERTIFICATE", cert.getEncoded()));
        keyPem = Files.writeString(
                dir.resolve("listener.key"),
                pem("PRIVATE KEY", store.getKey("l", "secret".toCharArray()).getEncoded()));
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("l", cert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        trusting = SSLContext.getInstance("TLS");
        trusting.init(null, tmf.getTrustManagers(), null);
    }

    @AfterAll
    static void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    static StatusServer server(ListenerSecurity security, ServerTls tls) throws Exception {
        return new StatusServer(
                group,
                "127.0.0.1",
                0,
                () -> "edge_agent_up 1\n",
                () -> "<html>targets</html>",
                null,
                64 * 1024,
                new dev.edgepush.net.http.HttpServerGuards(
                        dev.edgepush.net.http.HttpServerLimits.DEFAULTS,
                        new dev.edgepush.net.http.ClosedConnections("edge-agent")),
                security,
                tls);
    }

    static HttpResponse<String> get(HttpClient c, String url, String user, String password) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (user != null) {
            b.header(
                    "Authorization",
                    "Basic "
                            + Base64.getEncoder()
                                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        return c.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void basicAuthGuardsEveryPathButHealth() throws Exception {
        HttpClient c = HttpClient.newHttpClient();
        try (StatusServer s = server(new ListenerSecurity("robot", "s3cret", null), null)) {
            String base = "http://127.0.0.1:" + s.port();
            for (String path : new String[] {"/metrics", "/targets", "/", "/nope"}) {
                HttpResponse<String> r = get(c, base + path, null, null);
                assertEquals(401, r.statusCode(), path);
                assertEquals(
                        "Basic realm=\"edge-agent\"",
                        r.headers().firstValue("WWW-Authenticate").orElse(null),
                        path);
                assertTrue(r.body().contains("-httpAuth.username"), r.body());
                assertEquals(401, get(c, base + path, "robot", "wrong").statusCode(), path + " with a wrong password");
            }
            HttpResponse<String> push = c.send(
                    HttpRequest.newBuilder(URI.create(base + "/api/v1/write"))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[1000]))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, push.statusCode(), "a push without credentials");
            HttpResponse<String> metrics = get(c, base + "/metrics", "robot", "s3cret");
            assertEquals(200, metrics.statusCode());
            assertEquals("edge_agent_up 1\n", metrics.body());
            assertEquals(200, get(c, base + "/targets", "robot", "s3cret").statusCode());
            assertEquals(200, get(c, base + "/health", null, null).statusCode(), "/health is open, as in vmagent");
        }
    }

    @Test
    void tlsServesMetricsOverHttpsOnlyAndTakesBasicAuthToo() throws Exception {
        ServerTls tls = ServerTls.open(new ServerTls.Settings(certPem, keyPem, "TLS12", false, null), "edge-agent");
        HttpClient https = HttpClient.newBuilder().sslContext(trusting).build();
        try (StatusServer s = server(ListenerSecurity.OPEN, tls);
                StatusServer guarded = server(new ListenerSecurity("robot", "s3cret", null), tls)) {
            HttpResponse<String> r = get(https, "https://127.0.0.1:" + s.port() + "/metrics", null, null);
            assertEquals(200, r.statusCode());
            assertEquals("edge_agent_up 1\n", r.body());
            assertThrows(
                    IOException.class,
                    () -> get(HttpClient.newHttpClient(), "http://127.0.0.1:" + s.port() + "/metrics", null, null),
                    "plain HTTP gets no answer from an https listener");
            assertEquals(
                    401,
                    get(https, "https://127.0.0.1:" + guarded.port() + "/metrics", null, null)
                            .statusCode());
            assertEquals(
                    200,
                    get(https, "https://127.0.0.1:" + guarded.port() + "/metrics", "robot", "s3cret")
                            .statusCode());
        }
    }

    @Test
    void tlsCertificateExpiryIsOnMetricsOnlyWithTls() throws Exception {
        ServerTls tls = ServerTls.open(new ServerTls.Settings(certPem, keyPem, "TLS12", false, null), "edge-agent");
        long notAfter = ((java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                        .generateCertificate(new java.io.ByteArrayInputStream(Files.readAllBytes(certPem))))
                .getNotAfter()
                .getTime();
        AgentMetrics m = new AgentMetrics(System::currentTimeMillis);
        String name = "edge_agent_tls_certificate_expiry_timestamp_seconds";
        assertTrue(!AgentMetrics.render(m, java.util.List.of()).contains(name), "no -tls, no series");
        m.bindListenerTls(tls::certificateNotAfterMs);
        String text = AgentMetrics.render(m, java.util.List.of());
        assertTrue(text.contains("# TYPE " + name + " gauge\n" + name + " " + notAfter / 1000 + "\n"), text);
    }

    @Test
    void tlsMinVersionTls13RefusesATls12Client() throws Exception {
        ServerTls tls = ServerTls.open(new ServerTls.Settings(certPem, keyPem, "TLS13", false, null), "edge-agent");
        SSLParameters only12 = new SSLParameters();
        only12.setProtocols(new String[] {"TLSv1.2"});
        HttpClient tls12 = HttpClient.newBuilder()
                .sslContext(trusting)
                .sslParameters(only12)
                .build();
        HttpClient any = HttpClient.newBuilder().sslContext(trusting).build();
        try (StatusServer s = server(ListenerSecurity.OPEN, tls)) {
            String url = "https://127.0.0.1:" + s.port() + "/health";
            assertThrows(IOException.class, () -> get(tls12, url, null, null));
            assertEquals(200, get(any, url, null, null).statusCode());
        }
    }

    @Test
    void badTlsFlagsAndFilesAreRefusedNamingTheFlag() throws Exception {
        AgentFlags.FlagException e = assertThrows(
                AgentFlags.FlagException.class,
                () -> AgentFlags.parse(new String[] {"-remoteWrite.url=http://127.0.0.1:1/api/v1/write", "-tls"})
                        .validate());
        assertTrue(e.getMessage().contains("-tlsCertFile"), e.getMessage());
        AgentFlags.FlagException v = assertThrows(
                AgentFlags.FlagException.class,
                () -> AgentFlags.parse(new String[] {
                            "-remoteWrite.url=http://127.0.0.1:1/api/v1/write",
                            "-tls",
                            "-tlsCertFile=" + certPem,
                            "-tlsKeyFile=" + keyPem,
                            "-tlsMinVersion=TLS11"
                        })
                        .validate());
        assertTrue(v.getMessage().contains("-tlsMinVersion=TLS11"), v.getMessage());
        TlsFilesException swapped = assertThrows(
                TlsFilesException.class,
                () -> ServerTls.open(new ServerTls.Settings(keyPem, certPem, "TLS12", false, null), "edge-agent"));
        assertTrue(swapped.getMessage().contains("-tlsCertFile=" + keyPem), swapped.getMessage());
        ListenerSecurity sec = AgentFlags.parse(new String[] {
                    "-remoteWrite.url=http://127.0.0.1:1/api/v1/write",
                    "-httpAuth.username=robot",
                    "-httpAuth.password=pw",
                    "-tls",
                    "-tlsCertFile=" + certPem,
                    "-tlsKeyFile=" + keyPem
                })
                .validate()
                .listener();
        assertEquals("robot", sec.username());
        assertEquals(certPem, sec.tls().certFile());
    }
}
