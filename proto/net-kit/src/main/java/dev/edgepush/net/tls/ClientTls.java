package dev.edgepush.net.tls;

import dev.edgepush.compat.TlsConfig;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SNIHostName;

/**
 * The client side of TLS, towards a remote-write URL ({@code -remoteWrite.tls*}) or a scrape
 * target ({@code tls_config}), on Netty's {@link SslContextBuilder} with the JDK's TLS: {@code
 * caFile} (PEM, one or more certificates; replaces the JDK's trusted CAs), {@code certFile} and
 * {@code keyFile} (client certificate chain and key, PEM, read by {@link Pem}), {@code
 * insecureSkipVerify} (no certificate or host name check) and {@code serverName} (the name sent
 * as SNI and checked in the certificate instead of the URL's host).
 *
 * <p>The certificate's name is checked by the JDK's {@code HTTPS} endpoint identification (RFC
 * 2818: DNS and IP subject alternative names, a leading {@code *.} wildcard) against {@code
 * serverName} if given, else the URL's host. SNI is {@code serverName} if set (unless it is an IP
 * address); else the JDK sends the URL's host if it is a dotted DNS name.
 */
public final class ClientTls {
    /** The JDK's trusted CAs, host name checked against the URL's host. */
    public static final ClientTls DEFAULT = new ClientTls(null, null, null, false, null);

    private final Path caFile;
    private final Path certFile;
    private final Path keyFile;
    private final boolean insecureSkipVerify;
    private final String serverName;
    /** Built on first use, from the files as they were then. */
    private SslContext context;
    /** The client certificate in {@link #context}, if any. */
    private volatile X509Certificate clientCertificate;

    public ClientTls(Path caFile, Path certFile, Path keyFile, boolean insecureSkipVerify, String serverName) {
        this.caFile = caFile;
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.insecureSkipVerify = insecureSkipVerify;
        this.serverName = serverName;
    }

    /** A scrape job's {@code tls_config}. */
    public static ClientTls of(TlsConfig c) {
        return new ClientTls(c.caFile(), c.certFile(), c.keyFile(), c.insecureSkipVerify(), c.serverName());
    }

    /** True when a client certificate is configured ({@code -remoteWrite.tlsCertFile}). */
    public boolean hasClientCertificate() {
        return certFile != null;
    }

    /**
     * What is wrong with our client certificate at {@code now} (expired, not yet valid), or null:
     * a server that refuses it says only "certificate_unknown", so the client looks itself.
     */
    public String clientCertificateProblem(Instant now) {
        X509Certificate c = clientCertificate;
        if (c == null) {
            return null;
        }
        if (now.isAfter(c.getNotAfter().toInstant())) {
            return "our client certificate (-remoteWrite.tlsCertFile=" + certFile + ") expired at "
                    + c.getNotAfter().toInstant() + "; renew it";
        }
        if (now.isBefore(c.getNotBefore().toInstant())) {
            return "our client certificate (-remoteWrite.tlsCertFile=" + certFile + ") is valid only from "
                    + c.getNotBefore().toInstant() + " (is the robot's clock right?)";
        }
        return null;
    }

    /** True when nothing differs from the JDK's defaults. */
    public boolean isDefault() {
        return caFile == null && certFile == null && !insecureSkipVerify && serverName == null;
    }

    /**
     * The TLS context, built on the first call: reads the files then, so a missing or malformed
     * file is an {@link IOException} naming it (call it at start-up so that a bad flag stops
     * start-up rather than every connection). Later calls return the same context.
     */
    public synchronized SslContext sslContext() throws IOException {
        if (context != null) {
            return context;
        }
        SslContextBuilder b = SslContextBuilder.forClient().sslProvider(SslProvider.JDK);
        if (insecureSkipVerify) {
            b.trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null);
        } else {
            b.endpointIdentificationAlgorithm("HTTPS");
            if (caFile != null) {
                b.trustManager(Pem.certificates(caFile));
            }
        }
        X509Certificate own = null;
        if (certFile != null) {
            if (keyFile == null) {
                throw new IOException("a client certificate (" + certFile + ") without its key file");
            }
            List<X509Certificate> chain = Pem.certificates(certFile);
            b.keyManager(Pem.privateKey(keyFile), chain);
            own = chain.get(0);
        }
        try {
            if (serverName != null && !isIpLiteral(serverName)) {
                b.serverName(new SNIHostName(serverName));
            }
            context = b.build();
        } catch (IOException | RuntimeException e) {
            throw new IOException("cannot set up TLS: " + e.getMessage(), e);
        }
        clientCertificate = own;
        return context;
    }

    /**
     * The handler of one connection to {@code urlHost:port} (an IPv6 host without brackets), on
     * {@code ctx} from {@link #sslContext}: its peer is {@code serverName} if set, else {@code
     * urlHost}.
     */
    public SslHandler newHandler(SslContext ctx, ByteBufAllocator alloc, String urlHost, int port) {
        return ctx.newHandler(alloc, serverName != null ? serverName : urlHost, port);
    }

    /** SNI carries DNS names only (RFC 6066). */
    private static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
    }
}
