package dev.edgepush.agent.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.edgepush.compat.Relabeler;
import dev.edgepush.compat.ScrapeAuth;
import dev.edgepush.compat.TlsConfig;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tls_config against a real HTTPS server whose self-signed certificate keytool made for 127.0.0.1. */
class HttpScraperTlsIT {
    @TempDir
    static Path dir;

    static HttpsServer server;
    static EventLoopGroup group;
    static Path caPem;

    @BeforeAll
    static void start() throws Exception {
        Path ks = dir.resolve("server.p12");
        String keytool =
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(
                keytool,
                "-genkeypair",
                "-keystore",
                ks.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                "secret",
                "-alias",
                "s",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-validity",
                "2",
                "-dname",
                "CN=robot",
                "-ext",
                "SAN=ip:127.0.0.1,dns:robot.local");
        caPem = dir.resolve("ca.pem");
        run(
                keytool,
                "-exportcert",
                "-rfc",
                "-keystore",
                ks.toString(),
                "-storepass",
                "secret",
                "-alias",
                "s",
                "-file",
                caPem.toString());
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(ks)) {
            store.load(in, "secret".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, "secret".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ctx));
        server.createContext("/metrics", ex -> {
            byte[] b = "tls_ok 1\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(b);
            }
        });
        server.start();
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, out);
    }

    @AfterAll
    static void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        server.stop(0);
    }

    private static ScrapeTarget target(TlsConfig tls) {
        URI url = URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/metrics");
        return new ScrapeTarget(
                "j",
                "x",
                url,
                Duration.ofSeconds(10),
                Duration.ofSeconds(5),
                false,
                true,
                new TreeMap<>(),
                Relabeler.EMPTY,
                ScrapeAuth.NONE,
                tls,
                0,
                0);
    }

    /** The error of one fetch on a new connection, or null when it got HTTP 200. */
    private static String fetch(TlsConfig tls) throws Exception {
        try (TargetConnection c = new HttpScraper(group, 1 << 20, "test").connection(target(tls))) {
            return fetch(c);
        }
    }

    private static String fetch(TargetConnection c) throws Exception {
        CompletableFuture<String> result = new CompletableFuture<>();
        c.fetch((status, type, body, length, error) ->
                result.complete(error != null ? error : status == 200 ? null : "HTTP " + status));
        return result.get(60, TimeUnit.SECONDS);
    }

    @Test
    void caFileMakesTheSelfSignedServerTrusted() throws Exception {
        assertEquals(null, fetch(new TlsConfig(caPem, null, null, false, null)));
    }

    @Test
    void withoutCaFileTheJvmTrustStoreRejectsIt() throws Exception {
        assertNotNull(fetch(TlsConfig.DEFAULT));
    }

    @Test
    void insecureSkipVerifyAcceptsIt() throws Exception {
        assertEquals(null, fetch(new TlsConfig(null, null, null, true, null)));
    }

    @Test
    void serverNameIsCheckedAgainstTheCertificate() throws Exception {
        assertEquals(null, fetch(new TlsConfig(caPem, null, null, false, "robot.local")));
        assertNotNull(fetch(new TlsConfig(caPem, null, null, false, "other.example")));
    }

    @Test
    void consecutiveScrapesReuseOneTlsConnection() throws Exception {
        HttpScraper scraper = new HttpScraper(group, 1 << 20, "test");
        try (TargetConnection c = scraper.connection(target(new TlsConfig(caPem, null, null, false, null)))) {
            for (int i = 0; i < 3; i++) {
                assertEquals(null, fetch(c));
            }
        }
        assertEquals(1, scraper.connectionsOpened(), "one TLS handshake for three scrapes");
    }

    @Test
    void anUnreadableCaFileFailsTheScrapeNamingIt() throws Exception {
        String error = fetch(new TlsConfig(dir.resolve("missing.pem"), null, null, false, null));
        assertTrue(error.contains("missing.pem"), error);
    }
}
