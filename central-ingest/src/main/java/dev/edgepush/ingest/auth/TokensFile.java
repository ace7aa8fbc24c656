package dev.edgepush.ingest.auth;

import dev.edgepush.flags.Plural;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tokens file ({@code -auth.tokensFile}): one entry per line,
 *
 * <pre>
 * # kind   name   tenant  sha256 of the token
 * robot    r17    42      sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
 * reader   ops    42      sha256:...
 * </pre>
 *
 * <p>Blank lines and lines starting with {@code #} are ignored. {@code kind} is {@code robot} or
 * {@code reader}; {@code name} is a label value ({@code [A-Za-z0-9_.:-]+}); {@code tenant} is a
 * VictoriaMetrics tenant, {@code accountID} or {@code accountID:projectID} (decimal); the hash
 * is the lower- or upper-case hex SHA-256 of the token's UTF-8 bytes. Only hashes are stored,
 * so the file is not a secret in itself (yet keep it private: it lists the fleet).
 *
 * <p>Lookup hashes the presented token and finds that hash in a hash map of the entries' hashes:
 * one lookup whatever the fleet's size (comparing with every entry cost 4 % of central-ingest's
 * CPU at 100 robots and grew with each one). Response time says nothing about how close a guess
 * was: the attacker chooses the token, not its SHA-256, and what timing could tell about a
 * stored hash is no more than the file itself holds, which stores only hashes because knowing one
 * does not give the token.
 *
 * <p>Reload: {@link #reloadIfChanged} (the server calls it once a second) re-reads the file when
 * its modification time or size changed. A file with a bad line is rejected as a whole with its
 * line number in the log, and the previous good set stays in force. Thread-safe: lookups read an
 * immutable snapshot that a reload swaps in.
 */
public final class TokensFile implements TokenStore {
    private static final Logger log = LoggerFactory.getLogger(TokensFile.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:-]+");
    private static final Pattern TENANT = Pattern.compile("[0-9]{1,10}(:[0-9]{1,10})?");
    private static final Pattern HASH = Pattern.compile("sha256:[0-9a-fA-F]{64}");

    private record Entry(byte[] hash, Identity identity) {}

    private record Snapshot(List<Entry> entries, Map<ByteBuffer, Identity> byHash, long modifiedMs, long size) {
        Snapshot(List<Entry> entries, long modifiedMs, long size) {
            this(entries, index(entries), modifiedMs, size);
        }

        private static Map<ByteBuffer, Identity> index(List<Entry> entries) {
            Map<ByteBuffer, Identity> byHash = new HashMap<>(entries.size() * 2);
            for (Entry e : entries) {
                byHash.put(ByteBuffer.wrap(e.hash()), e.identity());
            }
            return Map.copyOf(byHash);
        }
    }

    private final Path path;
    private volatile Snapshot current;

    private TokensFile(Path path, Snapshot first) {
        this.path = path;
        this.current = first;
    }

    /** Reads {@code path}; fails with the line number of the first bad line. */
    public static TokensFile open(Path path) throws TokensFileException {
        return new TokensFile(path, read(path));
    }

    @Override
    public Optional<Identity> lookup(String bearerToken) {
        if (bearerToken == null || bearerToken.isEmpty()) {
            return Optional.empty();
        }
        return Optional.ofNullable(current.byHash().get(ByteBuffer.wrap(sha256(bearerToken))));
    }

    /** Number of entries in force. */
    public int size() {
        return current.entries().size();
    }

    /**
     * Re-reads the file if its modification time or size changed. Returns true when a new set is
     * in force; false when nothing changed or the new content is bad (logged, old set kept).
     */
    public boolean reloadIfChanged() {
        Snapshot old = current;
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(path, BasicFileAttributes.class);
            if (a.lastModifiedTime().toMillis() == old.modifiedMs() && a.size() == old.size()) {
                return false;
            }
        } catch (IOException e) {
            return false; // being replaced, or gone: keep what we have, look again next time
        }
        try {
            Snapshot next = read(path);
            current = next;
            log.info(
                    "tokens file {} reloaded: {}",
                    path,
                    Plural.of(next.entries().size(), "token"));
            return true;
        } catch (TokensFileException e) {
            log.error(
                    "{}; keeping the previous {}",
                    e.getMessage(),
                    Plural.of(old.entries().size(), "token"));
            // Remember the bad version so it is reported once, not every second. Its attributes as seen
            // before reading: had a writer finished meanwhile (a half-written line), the next look sees a
            // change and reads the file again.
            current = new Snapshot(
                    old.entries(), old.byHash(), a.lastModifiedTime().toMillis(), a.size());
            return false;
        }
    }

    private static Snapshot read(Path path) throws TokensFileException {
        long mtime;
        long size;
        List<String> lines;
        try {
            // Attributes first: a change made while reading is seen by the next reload.
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
            mtime = a.lastModifiedTime().toMillis();
            size = a.size();
            lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new TokensFileException("tokens file " + path + " does not exist");
        } catch (IOException e) {
            throw new TokensFileException("cannot read tokens file " + path + ": " + e);
        }
        return new Snapshot(parse(path.toString(), lines), mtime, size);
    }

    /** The identities listed, in file order. */
    public List<Identity> identities() {
        List<Identity> out = new ArrayList<>();
        for (Entry e : current.entries()) {
            out.add(e.identity());
        }
        return out;
    }

    /** Why {@code name} cannot be an entry's name, or null when it can. */
    public static String nameProblem(String name) {
        return NAME.matcher(name).matches() ? null : "name '" + name + "' may only hold letters, digits and _ . : -";
    }

    /** Why {@code tenant} cannot be an entry's tenant, or null when it can. */
    public static String tenantProblem(String tenant) {
        return TENANT.matcher(tenant).matches()
                ? null
                : "tenant '" + tenant + "' is not a VictoriaMetrics tenant (accountID or accountID:projectID, decimal)";
    }

    private static List<Entry> parse(String source, List<String> lines) throws TokensFileException {
        List<Entry> entries = new ArrayList<>();
        Set<String> hashes = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = source + " line " + (i + 1) + ": ";
            String[] f = line.split("\\s+");
            if (f.length != 4) {
                throw new TokensFileException(where + "expected '<robot|reader> <name> <tenant> sha256:<hex>', found "
                        + f.length + " fields");
            }
            Kind kind;
            switch (f[0]) {
                case "robot" -> kind = Kind.ROBOT;
                case "reader" -> kind = Kind.READER;
                default -> throw new TokensFileException(where + "kind '" + f[0] + "' is neither 'robot' nor 'reader'");
            }
            if (nameProblem(f[1]) != null) {
                throw new TokensFileException(where + nameProblem(f[1]));
            }
            if (tenantProblem(f[2]) != null) {
                throw new TokensFileException(where + tenantProblem(f[2]));
            }
            if (!HASH.matcher(f[3]).matches()) {
                throw new TokensFileException(
                        where + "expected sha256:<64 hex digits> (never the token itself), found '"
                                + (f[3].length() > 12 ? f[3].substring(0, 12) + "..." : f[3]) + "'");
            }
            String hex = f[3].substring("sha256:".length()).toLowerCase(Locale.ROOT);
            if (!hashes.add(hex)) {
                throw new TokensFileException(where + "the same token hash is listed twice");
            }
            entries.add(new Entry(HexFormat.of().parseHex(hex), new Identity(kind, f[1], f[2])));
        }
        return List.copyOf(entries);
    }

    /** {@code sha256:<hex>} of a token, the form the file stores. */
    public static String hashOf(String token) {
        return "sha256:" + HexFormat.of().formatHex(sha256(token));
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
