package dev.edgepush.net.tls;

import io.netty.channel.Channel;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS side of a listener ({@code -tls}, {@code -tlsCertFile}, {@code -tlsKeyFile}, {@code
 * -tlsMinVersion}, and in central-ingest {@code -mtls}, {@code -mtlsCAFile}): a Netty {@link
 * SslContext} on the JDK's own TLS (no netty-tcnative), rebuilt when its files change.
 *
 * <p>Reload: every second ({@link #watch}), and on a new connection that comes at least {@link
 * #RECHECK_MS} after the last check, the files' modification time, size and inode are compared; if any changed, the context is rebuilt and
 * used from that connection on (connections already open keep theirs). VictoriaMetrics re-reads
 * its certificate every second too. A new file that does not load (unreadable, not PEM, a key
 * that does not belong to the certificate, as between writing the certificate and the key) keeps
 * the old context and logs one error naming the file, until the files change again.
 */
public final class ServerTls {
    private static final Logger log = LoggerFactory.getLogger(ServerTls.class);
    /** How often, at most, a new connection stats the files. */
    static final long RECHECK_MS = 1000;

    /**
     * Checked flag values. {@code minVersion} is {@code TLS12} or {@code TLS13}; {@code mtlsCaFile}
     * null with {@code mtls} means the JDK's (system) CAs verify client certificates.
     */
    public record Settings(Path certFile, Path keyFile, String minVersion, boolean mtls, Path mtlsCaFile) {
        public Settings {
            Objects.requireNonNull(certFile, "certFile");
            Objects.requireNonNull(keyFile, "keyFile");
            Objects.requireNonNull(minVersion, "minVersion");
        }

        /**
         * Checks the TLS flags of a listener; null when {@code -tls} is off. The message of the
         * {@link IllegalArgumentException} names the flag and what to do.
         */
        public static Settings fromFlags(
                boolean tls, Path certFile, Path keyFile, String minVersion, boolean mtls, Path mtlsCaFile) {
            if (!tls) {
                if (mtls || mtlsCaFile != null) {
                    throw new IllegalArgumentException(
                            "-mtls and -mtlsCAFile need -tls (client certificates are a TLS feature)");
                }
                return null;
            }
            if (certFile == null || keyFile == null) {
                throw new IllegalArgumentException("-tls needs -tlsCertFile and -tlsKeyFile (PEM certificate chain and"
                        + " unencrypted PKCS#8 key)");
            }
            if (!minVersion.equals("TLS12") && !minVersion.equals("TLS13")) {
                throw new IllegalArgumentException("-tlsMinVersion=" + minVersion
                        + ": must be TLS12 or TLS13 (TLS10 and" + " TLS11 are not offered)");
            }
            if (mtlsCaFile != null && !mtls) {
                throw new IllegalArgumentException(
                        "-mtlsCAFile is set but -mtls is not: add -mtls to require client" + " certificates");
            }
            return new Settings(certFile, keyFile, minVersion, mtls, mtlsCaFile);
        }
    }

    private final Settings settings;
    private final String component;
    private final LongSupplier clockMs;
    private final HandshakeLog handshakeLog;
    private volatile SslContext context;
    /** What the files looked like when {@link #context} was built, or when a build last failed. */
    private volatile List<String> stamp;

    private volatile long checkedAtMs;
    /** notAfter (Unix ms) of the leaf certificate of {@link #context}. */
    private volatile long certificateNotAfterMs;
    /** The earliest notAfter (Unix ms) of the {@code -mtlsCAFile} certificates {@link #context} trusts; -1: none. */
    private volatile long clientCaNotAfterMs = -1;

    private ServerTls(Settings settings, String component, LongSupplier clockMs) {
        this.settings = settings;
        this.component = component;
        this.clockMs = clockMs;
        this.handshakeLog = new HandshakeLog(component, clockMs);
    }

    /**
     * Loads the files now, so that a bad one stops start-up: the {@link TlsFilesException}'s
     * message names the flag and the file. {@code component} names the program in log lines.
     */
    public static ServerTls open(Settings settings, String component) throws TlsFilesException {
        return open(settings, component, System::currentTimeMillis);
    }

    static ServerTls open(Settings settings, String component, LongSupplier clockMs) throws TlsFilesException {
        ServerTls t = new ServerTls(settings, component, clockMs);
        try {
            t.stamp = t.stamp();
            t.context = t.build();
        } catch (IOException | RuntimeException e) {
            throw new TlsFilesException(e.getMessage(), e);
        }
        t.checkedAtMs = clockMs.getAsLong();
        return t;
    }

    public Settings settings() {
        return settings;
    }

    /**
     * When the certificate in use (the first of {@code -tlsCertFile}, the leaf) expires, in Unix
     * milliseconds: the one loaded last, so it follows reloads, not a file that failed to load.
     */
    public long certificateNotAfterMs() {
        return certificateNotAfterMs;
    }

    /**
     * When the first of the {@code -mtlsCAFile} certificates in use expires (the earliest notAfter
     * in the file), in Unix milliseconds; -1 without {@code -mtlsCAFile}.
     */
    public long clientCaNotAfterMs() {
        return clientCaNotAfterMs;
    }

    /**
     * Checks the files every {@link #RECHECK_MS} on {@code executor} too, so that a renewed (or
     * broken) certificate is picked up (or reported) even while no one connects.
     */
    public void watch(ScheduledExecutorService executor) {
        executor.scheduleWithFixedDelay(
                () -> reloadIfChanged(clockMs.getAsLong(), true), RECHECK_MS, RECHECK_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * Puts TLS in front of everything else in {@code ch}'s pipeline: the {@code SslHandler} first
     * (named {@code "tls"}), then the handler that logs refused handshakes ({@code "tlsLog"}).
     * Call it first in the channel initializer.
     */
    public void addTo(Channel ch) {
        ch.pipeline().addFirst("tls", current().newHandler(ch.alloc()));
        ch.pipeline().addAfter("tls", "tlsLog", handshakeLog);
    }

    /** The context for a new connection, rebuilt first if the files changed (checked at most once a second). */
    SslContext current() {
        long now = clockMs.getAsLong();
        if (now - checkedAtMs >= RECHECK_MS) {
            reloadIfChanged(now, false);
        }
        return context;
    }

    private synchronized void reloadIfChanged(long now, boolean always) {
        if (!always && now - checkedAtMs < RECHECK_MS) {
            return; // another connection just checked
        }
        checkedAtMs = now;
        List<String> s;
        try {
            s = stamp();
        } catch (IOException e) {
            s = List.of("unreadable: " + e.getMessage());
        }
        if (s.equals(stamp)) {
            return;
        }
        stamp = s;
        try {
            context = build();
            log.info(
                    "{}: TLS certificate reloaded from -tlsCertFile={} and -tlsKeyFile={}{}",
                    component,
                    settings.certFile(),
                    settings.keyFile(),
                    settings.mtlsCaFile() == null ? "" : " and -mtlsCAFile=" + settings.mtlsCaFile());
        } catch (IOException | RuntimeException e) {
            log.error(
                    "{}: cannot reload TLS files, keeping the previous certificate until they change again: {}",
                    component,
                    e.getMessage());
        }
    }

    /** Modification time, size and inode of each file: a change in any means "read it again". */
    private List<String> stamp() throws IOException {
        List<String> out = new ArrayList<>();
        for (Path p : files()) {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            out.add(p + "|" + a.lastModifiedTime().toMillis() + "|" + a.size() + "|" + a.fileKey());
        }
        return out;
    }

    private List<Path> files() {
        List<Path> f = new ArrayList<>(List.of(settings.certFile(), settings.keyFile()));
        if (settings.mtlsCaFile() != null) {
            f.add(settings.mtlsCaFile());
        }
        return f;
    }

    private SslContext build() throws IOException {
        List<X509Certificate> chain = read("-tlsCertFile", settings.certFile());
        PrivateKey key;
        try {
            key = Pem.privateKey(settings.keyFile());
        } catch (IOException e) {
            throw new IOException("-tlsKeyFile=" + settings.keyFile() + ": " + e.getMessage(), e);
        }
        checkPair(key, chain.get(0));
        long caNotAfterMs = -1;
        SslContextBuilder b = SslContextBuilder.forServer(key, chain.toArray(new X509Certificate[0]))
                .sslProvider(SslProvider.JDK)
                .protocols(
                        settings.minVersion().equals("TLS13")
                                ? new String[] {"TLSv1.3"}
                                : new String[] {"TLSv1.3", "TLSv1.2"});
        if (settings.mtls()) {
            // Without -mtlsCAFile the JDK's default CAs, as VictoriaMetrics uses the system's.
            List<X509Certificate> cas =
                    settings.mtlsCaFile() == null ? null : read("-mtlsCAFile", settings.mtlsCaFile());
            if (cas != null) {
                caNotAfterMs = cas.stream()
                        .mapToLong(c -> c.getNotAfter().getTime())
                        .min()
                        .orElse(-1);
            }
            try {
                b.clientAuth(ClientAuth.REQUIRE).trustManager(AnyIssuerTrustManager.of(cas));
            } catch (GeneralSecurityException e) {
                throw new IOException("-mtlsCAFile=" + settings.mtlsCaFile() + ": " + e.getMessage(), e);
            }
        }
        try {
            SslContext built = b.build();
            certificateNotAfterMs = chain.get(0).getNotAfter().getTime();
            clientCaNotAfterMs = caNotAfterMs;
            return built;
        } catch (IOException e) {
            throw new IOException(
                    "cannot set up TLS from -tlsCertFile=" + settings.certFile() + " and -tlsKeyFile="
                            + settings.keyFile() + ": " + e.getMessage(),
                    e);
        }
    }

    private static List<X509Certificate> read(String flag, Path file) throws IOException {
        try {
            return Pem.certificates(file);
        } catch (IOException e) {
            throw new IOException(flag + "=" + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Refuses a key that does not belong to the certificate: the JDK would accept the pair and fail
     * every handshake. One signature over a fixed text, verified with the certificate's public key.
     */
    private void checkPair(PrivateKey key, X509Certificate cert) throws IOException {
        String alg =
                switch (key.getAlgorithm()) {
                    case "RSA" -> "SHA256withRSA";
                    case "EC" -> "SHA256withECDSA";
                    case "Ed25519", "EdDSA" -> "Ed25519";
                    default -> null;
                };
        if (alg == null) {
            return; // Pem.privateKey reads only the three above
        }
        byte[] probe = "edgepush key check".getBytes(StandardCharsets.US_ASCII);
        boolean matches;
        try {
            Signature s = Signature.getInstance(alg);
            s.initSign(key);
            s.update(probe);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(alg);
            v.initVerify(cert.getPublicKey());
            v.update(probe);
            matches = v.verify(sig);
        } catch (GeneralSecurityException e) {
            matches = false;
        }
        if (!matches) {
            throw new IOException("-tlsKeyFile=" + settings.keyFile()
                    + " is not the key of the certificate in -tlsCertFile=" + settings.certFile() + " ("
                    + cert.getSubjectX500Principal() + "): give the matching pair");
        }
    }
}
