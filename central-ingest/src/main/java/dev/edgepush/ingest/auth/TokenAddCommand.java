package dev.edgepush.ingest.auth;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code central-ingest token add <robot|reader> <name> [-tenant=N] -auth.tokensFile=F}: makes a
 * token of 32 random bytes ({@link SecureRandom}, URL-safe base64 without padding), appends
 * {@code <kind> <name> <tenant> sha256:<hex>} to the tokens file and prints the token once: alone
 * on stdout (so {@code TOKEN=$(central-ingest token add ...)} works), with a note on stderr that it
 * is stored nowhere. A running server picks the new line up within a second (the file is re-read
 * when it changes).
 *
 * <p>The file is created with mode 0600 if missing. The existing file must parse (a bad line is
 * reported with its number and nothing is written); a name already given to a token of the same
 * kind is refused. The line is appended with one write under an exclusive lock on the file, so two
 * concurrent adds do not interleave, and forced to disk before the token is printed.
 */
@Command(
        name = "central-ingest token add",
        sortOptions = false,
        description = "Create a token, append its hash to the tokens file, print the token once.")
public final class TokenAddCommand implements Callable<Integer> {
    /** 256 bits: guessing is hopeless even against a hash file that leaked. */
    static final int TOKEN_BYTES = 32;

    private static final SecureRandom RANDOM = new SecureRandom();

    @Parameters(index = "0", paramLabel = "KIND", description = "robot (may push) or reader (may query)")
    String kind;

    @Parameters(index = "1", paramLabel = "NAME", description = "robot=<NAME> on its series, or the reader's name")
    String name;

    @Option(
            names = {"-tenant", "--tenant"},
            paramLabel = "N",
            description = "VictoriaMetrics tenant, accountID or accountID:projectID (default: ${DEFAULT-VALUE})")
    String tenant = "0";

    @Option(
            names = {"-auth.tokensFile", "--auth.tokensFile"},
            paramLabel = "FILE",
            required = true,
            description = "The tokens file of the server (created with mode 0600 if missing)")
    Path tokensFile;

    private final PrintStream out;
    private final PrintStream err;

    private TokenAddCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /**
     * Runs {@code args} (what follows {@code token add}); returns the exit code: 0 done, 1 refused
     * (duplicate, bad file, I/O), 2 bad usage.
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new TokenAddCommand(out, err)).setUnmatchedOptionsArePositionalParams(false);
        cl.setOut(new java.io.PrintWriter(out, true)).setErr(new java.io.PrintWriter(err, true));
        return cl.execute(args);
    }

    @Override
    public Integer call() {
        Kind k;
        switch (kind.toLowerCase(Locale.ROOT)) {
            case "robot" -> k = Kind.ROBOT;
            case "reader" -> k = Kind.READER;
            default -> {
                err.println("central-ingest token add: kind '" + kind + "' is neither 'robot' nor 'reader'");
                return 2;
            }
        }
        String problem = TokensFile.nameProblem(name);
        problem = problem != null ? problem : TokensFile.tenantProblem(tenant);
        if (problem != null) {
            err.println("central-ingest token add: " + problem);
            return 2;
        }
        String token = newToken();
        String line = k.name().toLowerCase(Locale.ROOT) + " " + name + " " + tenant + " " + TokensFile.hashOf(token);
        try {
            String refused = append(tokensFile, k, name, line);
            if (refused != null) {
                err.println("central-ingest token add: " + refused);
                return 1;
            }
        } catch (IOException e) {
            err.println("central-ingest token add: cannot write " + tokensFile + ": " + e.getMessage());
            return 1;
        }
        out.println(token);
        out.flush();
        err.println("# the token of " + kind.toLowerCase(Locale.ROOT) + " '" + name + "' (tenant " + tenant
                + ") is above; it is shown only now and is not stored anywhere (" + tokensFile
                + " holds its SHA-256 only). A running central-ingest accepts it within a second.");
        return 0;
    }

    static String newToken() {
        byte[] b = new byte[TOKEN_BYTES];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** Appends {@code line} under a lock; returns why it was refused, or null when written. */
    private static String append(Path file, Kind kind, String name, String line) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            // appending to the existing file keeps its owner and mode
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock lock = ch.lock(); // released when the channel closes
            TokensFile existing;
            try {
                existing = TokensFile.open(file);
            } catch (TokensFileException e) {
                return e.getMessage() + "; fix the file first, nothing was added";
            }
            for (Identity id : existing.identities()) {
                if (id.kind() == kind && id.name().equals(name)) {
                    return "a " + kind.name().toLowerCase(Locale.ROOT) + " named '" + name + "' is already in " + file
                            + " (tenant " + id.tenant()
                            + "); remove its line to replace its token, or pick another name";
                }
            }
            long size = ch.size();
            boolean needsNewline = false;
            if (size > 0) {
                ByteBuffer last = ByteBuffer.allocate(1);
                ch.read(last, size - 1);
                needsNewline = last.get(0) != '\n';
            }
            ByteBuffer bytes =
                    ByteBuffer.wrap(((needsNewline ? "\n" : "") + line + "\n").getBytes(StandardCharsets.UTF_8));
            long pos = size;
            while (bytes.hasRemaining()) {
                pos += ch.write(bytes, pos);
            }
            ch.force(true);
            lock.release();
            return null;
        }
    }
}
