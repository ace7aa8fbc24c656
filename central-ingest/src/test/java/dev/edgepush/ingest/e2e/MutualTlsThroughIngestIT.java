package dev.edgepush.ingest.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.ingest.auth.TokensFile;
import dev.edgepush.testsupport.ChildJvm;
import dev.edgepush.testsupport.ChildProcess;
import dev.edgepush.testsupport.CountingTarget;
import dev.edgepush.testsupport.Loopback;
import dev.edgepush.testsupport.VictoriaMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real handshakes between real processes: central-ingest (a child JVM) with {@code -tls -mtls
 * -mtlsCAFile}, the shipped edge-agent jar with {@code -remoteWrite.tlsCertFile/-tlsKeyFile}, a
 * real VictoriaMetrics behind. Certificates come from {@link TestPki}: one CA that central-ingest
 * trusts, another it does not, an expired client certificate.
 */
@Timeout(
        value = 10,
        unit = java.util.concurrent.TimeUnit.MINUTES) // a guard against a hang, generous for a loaded machine
class MutualTlsThroughIngestIT {
    private static final String TOKEN = "T-edge-tls-secret";
    private static final String ROBOT = "r-edge";
    private static final Duration WAIT = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    Path pki;
    Path edgeJar;
    TestPki ca;
    TestPki otherCa;
    TestPki.Issued server;
    TestPki.Issued good;
    Path tokens;

    @BeforeEach
    void certificates() throws Exception {
        edgeJar = Path.of("..", "edge-agent", "target", "edge-agent.jar")
                .toAbsolutePath()
                .normalize();
        assertTrue(
                Files.isRegularFile(edgeJar),
                edgeJar + " is missing: it is built in edge-agent's package phase"
                        + " (`./mvnw -B -q -DskipTests -pl edge-agent -am package` first)");
        pki = dir.resolve("pki");
        ca = TestPki.newCa(pki, "fleet-ca");
        otherCa = TestPki.newCa(pki, "other-ca");
        server = ca.server(pki, "ingest", "127.0.0.1", "localhost");
        good = ca.client(pki, "r-edge", ROBOT);
        tokens = Files.writeString(dir.resolve("tokens"), "robot " + ROBOT + " 0 " + TokensFile.hashOf(TOKEN) + "\n");
    }

    @Test
    void anAgentWithACertificateOfTheCaDeliversAndEveryOtherClientIsRefusedWithItsReasonOnBothSides() throws Exception {
        try (CountingTarget target = new CountingTarget();
                VictoriaMetrics vm = new VictoriaMetrics(Files.createDirectories(dir.resolve("vm")));
                ChildProcess ingest = startIngest(vm.writeUrl())) {
            String url = "https://127.0.0.1:" + ingest.port + "/api/v1/write";
            try (ChildProcess agent = startAgent("agent-good", url, good, target, List.of())) {
                await(
                        () -> !vm.export("test_seq{robot=\"" + ROBOT + "\"}").isEmpty(),
                        "the agent's scrapes stored under its token's robot",
                        agent,
                        ingest);
                assertTrue(agent.get("/targets").contains("OK"), agent.get("/targets"));
            }

            record Refusal(String name, TestPki.Issued cert, String agentSays, String ingestSays) {}
            List<Refusal> refusals = List.of(
                    new Refusal(
                            "unknown-ca",
                            otherCa.client(pki, "stranger", ROBOT),
                            "the server refused our certificate",
                            "unknown CA: the client's certificate is not signed by a CA"),
                    new Refusal(
                            "expired",
                            ca.expiredClient(pki, "expired", ROBOT),
                            ".crt) expired at ",
                            "the client's certificate has expired"),
                    new Refusal(
                            "no-certificate",
                            null,
                            "no client certificate: the server requires one",
                            "no client certificate"));
            for (Refusal r : refusals) {
                try (ChildProcess agent = startAgent("agent-" + r.name(), url, r.cert(), target, List.of())) {
                    await(
                            () -> agent.get("/targets").contains("TLS handshake failed"),
                            r.name() + ": /targets shows the TLS" + " error",
                            agent,
                            ingest);
                    String page = agent.get("/targets");
                    assertTrue(
                            page.contains("UNAVAILABLE") && page.contains(esc(r.agentSays())), r.name() + ": " + page);
                    await(
                            () -> logLine(agent, "unavailable (") != null,
                            r.name() + ": the agent logs it",
                            agent,
                            ingest);
                    String agentLine = logLine(agent, "unavailable (");
                    assertTrue(
                            agentLine.contains("TLS handshake failed: ") && agentLine.contains(r.agentSays()),
                            r.name() + ": " + agentLine);
                    await(
                            () -> logLine(ingest, "refused: " + r.ingestSays()) != null,
                            r.name() + ": central-ingest logs" + " the refusal",
                            agent,
                            ingest);
                    assertTrue(
                            logLine(ingest, "refused: " + r.ingestSays()).contains("TLS handshake from 127.0.0.1:"),
                            logLine(ingest, "refused: " + r.ingestSays()));
                    assertEquals(0, metric(agent.get("/metrics"), "edge_agent_samples_sent_total"), r.name());
                    System.out.println(r.name() + ":\n  agent:  " + agentLine + "\n  ingest: "
                            + logLine(ingest, "refused: " + r.ingestSays()));
                }
            }
        }
    }

    @Test
    void plainHttpScannersAreRefusedAndLoggedAtMostOnceInTenSeconds() throws Exception {
        try (ChildProcess ingest = startIngest("http://127.0.0.1:" + Loopback.freePort() + "/api/v1/write")) {
            long start = System.nanoTime();
            int knocks = 200;
            for (int i = 0; i < knocks; i++) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", ingest.port), 5000);
                    s.setSoTimeout(10_000);
                    OutputStream out = s.getOutputStream();
                    out.write("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    InputStream in = s.getInputStream();
                    while (in.read() >= 0) {
                        // until central-ingest closes it: it answers no plain HTTP
                    }
                }
            }
            long elapsedS = (System.nanoTime() - start) / 1_000_000_000L;
            await(() -> logLine(ingest, "refused: not TLS") != null, "the first knock is logged", ingest);
            long lines = ingest.logText()
                    .lines()
                    .filter(l -> l.contains("refused: not TLS"))
                    .count();
            System.out.println(knocks + " plain-HTTP connections in " + elapsedS + " s: " + lines + " log line(s)");
            assertTrue(
                    lines >= 1 && lines <= 2 + elapsedS / 10,
                    lines + " lines for " + knocks + " knocks in " + elapsedS + " s");
        }
    }

    @Test
    void rotatedServerFilesAreServedToNewConnectionsWithoutARestartAndABadOneKeepsTheOld() throws Exception {
        try (CountingTarget target = new CountingTarget();
                ChildProcess ingest = startIngest("http://127.0.0.1:" + Loopback.freePort() + "/api/v1/write")) {
            assertEquals(server.serial(), presentedSerial(ingest.port));

            // A key that does not load: the old certificate stays.
            Files.writeString(
                    server.keyFile(), "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
            await(() -> logLine(ingest, "cannot reload TLS files") != null, "the bad key is logged", ingest);
            assertTrue(
                    logLine(ingest, "cannot reload TLS files")
                            .contains(server.keyFile().toString()),
                    logLine(ingest, "cannot reload TLS files"));
            assertEquals(server.serial(), presentedSerial(ingest.port), "the old certificate after a bad key");

            // The new pair, for a DNS name only, moved into place as a certificate manager does.
            TestPki.Issued renewed = ca.server(pki.resolve("new"), "ingest", "ingest.test");
            Files.move(renewed.keyFile(), server.keyFile(), StandardCopyOption.REPLACE_EXISTING);
            Files.move(renewed.certFile(), server.certFile(), StandardCopyOption.REPLACE_EXISTING);
            await(
                    () -> renewed.serial().equals(presentedSerial(ingest.port)),
                    "a new connection gets the new" + " certificate",
                    ingest);
            assertTrue(logLine(ingest, "TLS certificate reloaded") != null, ingest.logText());

            // It names ingest.test, not 127.0.0.1: an agent that checks 127.0.0.1 refuses it, by name...
            String url = "https://127.0.0.1:" + ingest.port + "/api/v1/write";
            try (ChildProcess agent = startAgent("agent-wrong-host", url, good, target, List.of())) {
                await(
                        () -> agent.get("/targets").contains("TLS handshake failed"),
                        "/targets shows the TLS error",
                        agent,
                        ingest);
                assertTrue(agent.get("/targets").contains("wrong hostname"), agent.get("/targets"));
                await(() -> logLine(agent, "unavailable (") != null, "the agent logs it", agent, ingest);
                assertTrue(logLine(agent, "unavailable (").contains("wrong hostname"), logLine(agent, "unavailable ("));
                await(
                        () -> logLine(ingest, "refused: the client refused our certificate") != null,
                        "central-ingest logs that the client refused its certificate",
                        agent,
                        ingest);
                System.out.println("wrong hostname:\n  agent:  " + logLine(agent, "unavailable (") + "\n  ingest: "
                        + logLine(ingest, "refused: the client refused our certificate"));
            }
            // ...and one told the name delivers over the renewed certificate.
            try (ChildProcess agent = startAgent(
                    "agent-server-name", url, good, target, List.of("-remoteWrite.tlsServerName=ingest.test"))) {
                await(
                        () -> metric(agent.get("/metrics"), "edge_agent_samples_sent_total") > 0,
                        "samples sent",
                        agent,
                        ingest);
            }
        }
    }

    private ChildProcess startIngest(String forwardTo) throws Exception {
        int port = Loopback.freePort();
        List<String> cmd = ChildJvm.command(
                List.of("-Xmx128m"),
                "dev.edgepush.ingest.Main",
                List.of(
                        "-httpListenAddr=127.0.0.1:" + port,
                        "-remoteWrite.url=" + forwardTo,
                        "-auth.tokensFile=" + tokens,
                        "-wal.path=" + dir.resolve("ingest-wal-" + port),
                        "-tls",
                        "-tlsCertFile=" + server.certFile(),
                        "-tlsKeyFile=" + server.keyFile(),
                        "-mtls",
                        "-mtlsCAFile=" + ca.caFile()));
        HttpClient https = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(2))
                .sslContext(TestPki.clientContext(ca.caCert(), good))
                .build();
        return ChildProcess.start("central-ingest", port, dir, cmd, () -> {
            try {
                return https.send(
                                        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/health"))
                                                .timeout(Duration.ofSeconds(5))
                                                .build(),
                                        HttpResponse.BodyHandlers.discarding())
                                .statusCode()
                        == 200;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        });
    }

    private ChildProcess startAgent(
            String name, String url, TestPki.Issued cert, CountingTarget target, List<String> extra)
            throws IOException {
        int port = Loopback.freePort();
        Path config = Files.writeString(
                dir.resolve(name + ".yml"),
                String.join(
                        "\n",
                        "global:",
                        "  scrape_interval: 1s",
                        "scrape_configs:",
                        "  - job_name: tls",
                        "    static_configs:",
                        "      - targets: ['" + target.address() + "']",
                        ""));
        List<String> cmd = ChildJvm.jarCommand(
                List.of("-Xmx64m", "-Dchronicle.analytics.disable=true"),
                edgeJar,
                List.of(
                        "-promscrape.config=" + config,
                        "-remoteWrite.url=" + url,
                        "-remoteWrite.bearerToken=" + TOKEN,
                        "-remoteWrite.tlsCAFile=" + ca.caFile(),
                        "-remoteWrite.tmpDataPath=" + dir.resolve(name + "-data"),
                        "-httpListenAddr=127.0.0.1:" + port));
        if (cert != null) {
            cmd.add("-remoteWrite.tlsCertFile=" + cert.certFile());
            cmd.add("-remoteWrite.tlsKeyFile=" + cert.keyFile());
        }
        cmd.addAll(extra);
        return ChildProcess.start(name, port, dir, cmd);
    }

    /** The serial of the certificate central-ingest presents to a new connection (names not checked). */
    private BigInteger presentedSerial(int port) throws Exception {
        SSLContext ctx = TestPki.clientContext(ca.caCert(), good);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(10_000);
            s.startHandshake();
            return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }

    /** As the /targets page escapes text. */
    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static String logLine(ChildProcess p, String part) throws IOException {
        return p.logText().lines().filter(l -> l.contains(part)).findFirst().orElse(null);
    }

    private static double metric(String text, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{[^}]*\\})? (\\S+)$")
                .matcher(text);
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
        }
        return sum;
    }

    @FunctionalInterface
    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void await(Condition condition, String what, ChildProcess... processes) throws IOException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (condition.holds()) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            ChildProcess.pause(200);
        }
        StringBuilder logs = new StringBuilder();
        for (ChildProcess p : processes) {
            String text = p.logText();
            logs.append("\n--- ")
                    .append(p.name)
                    .append(" log (end) ---\n")
                    .append(text.substring(Math.max(0, text.length() - 4000)));
        }
        throw new AssertionError(
                "not within " + WAIT + ": " + what + (last == null ? "" : " (last: " + last + ")") + logs);
    }
}
