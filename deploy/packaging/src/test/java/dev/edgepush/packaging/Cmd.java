package dev.edgepush.packaging;

import dev.edgepush.testsupport.ChildProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Running tools in tests: bounded waits, output captured, a missing tool named with its package. */
final class Cmd {
    private Cmd() {}

    /** The result of one finished command. */
    record Result(int exit, String out, String err) {
        Result ok(List<String> cmd) {
            if (exit != 0) {
                throw new AssertionError(
                        String.join(" ", cmd) + " exited with " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err);
            }
            return this;
        }
    }

    static Result run(List<String> cmd) {
        return run(cmd, Map.of(), null);
    }

    /** Runs {@code cmd} (no stdin) with {@code env} added, in {@code dir} if not null; at most 5 minutes. */
    static Result run(List<String> cmd, Map<String, String> env, Path dir) {
        try {
            Path out = Files.createTempFile("cmd", ".out");
            Path err = Files.createTempFile("cmd", ".err");
            try {
                ProcessBuilder pb = new ProcessBuilder(cmd)
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile());
                pb.environment().putAll(env);
                if (dir != null) {
                    pb.directory(dir.toFile());
                }
                Process p = pb.start();
                if (!p.waitFor(5, TimeUnit.MINUTES)) {
                    p.destroyForcibly();
                    throw new AssertionError(String.join(" ", cmd) + " did not finish within 5 minutes");
                }
                return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static Result ok(String... cmd) {
        return run(List.of(cmd)).ok(List.of(cmd));
    }

    /** The path of {@code tool} on the PATH, or an AssertionError naming the Debian package to install. */
    static String require(String tool, String debianPackage) {
        return requireOr(tool, "apt-get install -y " + debianPackage + " (.ci/run installs it)");
    }

    /** The path of {@code tool} on the PATH; else the test fails with {@code howToGetIt}. */
    static String requireOr(String tool, String howToGetIt) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(d, tool);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        throw new AssertionError(tool + " is not installed: " + howToGetIt);
    }

    /** The body of a GET of {@code pathAndQuery} on 127.0.0.1:port; "" when nothing answers. */
    static String get(int port, String pathAndQuery) {
        try {
            return ChildProcess.HTTP
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** Waits until {@code condition} holds, polling every 200 ms; fails with {@code what} after {@code limit}. */
    static void await(Duration limit, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + limit.toSeconds() + " s: " + what);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
