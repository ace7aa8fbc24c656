package dev.edgepush.ingest.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.ingest.Bodies;
import dev.edgepush.ingest.CentralIngest;
import dev.edgepush.ingest.IngestFlags;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code central-ingest token add}: what it prints, what it writes, what it refuses, and that a running server takes the token. */
class TokenAddCommandTest {
    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = TokenAddCommand.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void printsTheTokenOnceAndStoresOnlyItsHashInANewPrivateFile() throws Exception {
        Path file = dir.resolve("tokens");
        Run r = run("robot", "r17", "-tenant=42", "-auth.tokensFile=" + file);
        assertEquals(0, r.code(), r.err());
        String token = r.out().strip();
        assertTrue(token.matches("[A-Za-z0-9_-]{43}"), "32 bytes, URL-safe base64 without padding: " + r.out());
        assertEquals(token + "\n", r.out(), "stdout holds the token alone");
        assertTrue(r.err().contains("not stored"), r.err());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(List.of("robot r17 42 " + TokensFile.hashOf(token)), Files.readAllLines(file));
        assertTrue(!Files.readString(file).contains(token), "the token itself is not in the file");
        assertEquals(
                Optional.of(new Identity(Kind.ROBOT, "r17", "42")),
                TokensFile.open(file).lookup(token));
    }

    @Test
    void appendsToAnExistingFileKeepingItsLinesAndDefaultsToTenant0() throws Exception {
        Path file = dir.resolve("tokens");
        Files.writeString(file, "# fleet\nreader ops 42 " + TokensFile.hashOf("x")); // no trailing newline
        Run r = run("reader", "grafana", "-auth.tokensFile", file.toString());
        assertEquals(0, r.code(), r.err());
        List<String> lines = Files.readAllLines(file);
        assertEquals(3, lines.size(), lines.toString());
        assertEquals("reader grafana 0 " + TokensFile.hashOf(r.out().strip()), lines.get(2));
        assertEquals(2, TokensFile.open(file).size());
    }

    @Test
    void refusesADuplicateNameOfTheSameKindButNotOfTheOther() throws Exception {
        Path file = dir.resolve("tokens");
        assertEquals(0, run("robot", "r1", "-auth.tokensFile=" + file).code());
        String before = Files.readString(file);
        Run dup = run("robot", "r1", "-tenant=7", "-auth.tokensFile=" + file);
        assertEquals(1, dup.code());
        assertTrue(dup.err().contains("a robot named 'r1' is already in"), dup.err());
        assertEquals("", dup.out(), "no token printed for a refused add");
        assertEquals(before, Files.readString(file));
        assertEquals(0, run("reader", "r1", "-auth.tokensFile=" + file).code());
    }

    @Test
    void refusesBadKindNameTenantAndABrokenFileSayingWhy() throws Exception {
        Path file = dir.resolve("tokens");
        assertTrue(run("admin", "a", "-auth.tokensFile=" + file).err().contains("kind 'admin'"));
        Run name = run("robot", "ro bot", "-auth.tokensFile=" + file);
        assertEquals(2, name.code());
        assertTrue(name.err().contains("name 'ro bot'"), name.err());
        assertTrue(run("robot", "r1", "-tenant=acme", "-auth.tokensFile=" + file)
                .err()
                .contains("tenant 'acme'"));
        assertEquals(2, run("robot", "r1").code(), "-auth.tokensFile is required");
        assertTrue(!Files.exists(file), "nothing created for a refused add");
        Files.writeString(file, "robot r1 42 sha256:abc\n");
        Run broken = run("robot", "r2", "-auth.tokensFile=" + file);
        assertEquals(1, broken.code());
        assertTrue(broken.err().contains("line 1") && broken.err().contains("nothing was added"), broken.err());
    }

    @Test
    void aRunningServerAcceptsTheNewTokenOnceItReloadsTheFile() throws Exception {
        Path file = dir.resolve("tokens");
        assertEquals(
                0,
                run("reader", "ops", "-tenant=42", "-auth.tokensFile=" + file).code());
        try (CentralIngest ingest = new CentralIngest(IngestFlags.parse(new String[] {
                    "-httpListenAddr=127.0.0.1:0",
                    "-remoteWrite.url=http://127.0.0.1:9/api/v1/write",
                    "-auth.tokensFile=" + file,
                    "-wal.path=" + dir.resolve("wal")
                })
                .validate())) {
            HttpClient http = HttpClient.newHttpClient();
            byte[] body = Bodies.v1(Bodies.series(1, 1_700_000_000_000L, "__name__", "temp"));
            Run added = run("robot", "r9", "-tenant=42", "-auth.tokensFile=" + file);
            assertEquals(0, added.code(), added.err());
            HttpRequest push = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ingest.port() + "/api/v1/write"))
                    .header("Authorization", "Bearer " + added.out().strip())
                    .header("Content-Type", "application/x-protobuf")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build();
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            int code;
            while ((code = http.send(push, HttpResponse.BodyHandlers.discarding())
                                    .statusCode())
                            == 401
                    && System.nanoTime() < deadline) {
                Thread.sleep(20); // poll: the server looks at the file once a second
            }
            assertEquals(204, code, "the new robot token pushes without a restart");
            assertEquals("r9", ingest.fleet().get("42", "r9").robot());
        }
    }
}
