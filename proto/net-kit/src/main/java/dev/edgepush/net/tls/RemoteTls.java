package dev.edgepush.net.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * TLS towards one remote from vmagent's flags: {@code -remoteWrite.tlsCAFile} (PEM, one or more
 * certificates; replaces the JDK's trusted CAs), {@code -remoteWrite.tlsCertFile} and {@code
 * -remoteWrite.tlsKeyFile} (client certificate chain and key, PEM), {@code
 * -remoteWrite.tlsInsecureSkipVerify} (no certificate or host name check) and {@code
 * -remoteWrite.tlsServerName} (the name sent as SNI and checked in the certificate instead of
 * the URL's host).
 *
 * <p>The JDK's own TLS ({@link SSLContext}, {@link SSLEngine}) under Netty's {@code SslHandler}:
 * the certificate's name is checked by the JDK's {@code HTTPS} endpoint identification (RFC 2818:
 * DNS and IP subject alternative names, a leading {@code *.} wildcard) against {@code
 * tlsServerName} if given, else the URL's host.
 *
 * <p>Key formats accepted: unencrypted PKCS#8 PEM ({@code -----BEGIN PRIVATE KEY-----}) holding
 * an RSA, EC or Ed25519 key, read with the JDK's {@link KeyFactory}. PKCS#1 ({@code BEGIN RSA
 * PRIVATE KEY}), SEC1 ({@code BEGIN EC PRIVATE KEY}) and encrypted keys are refused with a message
 * that says how to convert them ({@code openssl pkcs8 -topk8 -nocrypt}).
 */
public final class RemoteTls {
    /** The JDK's trusted CAs, host name checked against the URL's host. */
    public static final RemoteTls DEFAULT = new RemoteTls(null, null, null, false, null);

    private static final Pattern PEM_KEY =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END \\1PRIVATE KEY-----");

    private final Path caFile;
    private final Path certFile;
    private final Path keyFile;
    private final boolean insecureSkipVerify;
    private final String serverName;
    /** Built on first use, from the files as they were then. */
    private SSLContext context;
    /** The client certificate in {@link #context}, if any. */
    private volatile X509Certificate clientCertificate;

    public RemoteTls(Path caFile, Path certFile, Path keyFile, boolean insecureSkipVerify, String serverName) {
        this.caFile = caFile;
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.insecureSkipVerify = insecureSkipVerify;
        this.serverName = serverName;
    }

    /** True when a client certificate is configured ({@code -remoteWrite.tlsCertFile}). */
    public boolean hasClientCertificate() {
        return certFile != null;
    }

    /**
     * What is wrong with our client certificate at {@code now} (expired, not yet valid), or null:
     * a server that refuses it says only "certificate_unknown", so the client looks itself.
     */
    public String clientCertificateProblem(java.time.Instant now) {
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
     * start-up rather than every push). Later calls return the same context.
     */
    public synchronized SSLContext sslContext() throws IOException {
        if (context != null) {
            return context;
        }
        try {
            X509TrustManager trust = insecureSkipVerify ? new TrustAll() : trustManager();
            KeyManagerFactory kmf = null;
            if (certFile != null) {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                List<X509Certificate> chain = certificates(certFile);
                clientCertificate = chain.get(0);
                PrivateKey key = privateKey(keyFile);
                ks.setKeyEntry("client", key, new char[0], chain.toArray(new Certificate[0]));
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, new char[0]);
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), new TrustManager[] {trust}, new SecureRandom());
            context = ctx;
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    /**
     * A client engine for one connection to {@code urlHost:port} (an IPv6 host without brackets).
     * The certificate's name is checked against {@code tlsServerName} if set, else {@code urlHost};
     * never with {@code tlsInsecureSkipVerify}. SNI is {@code tlsServerName} if set (unless it is
     * an IP address); else the JDK sends the URL's host if it is a dotted DNS name.
     */
    public SSLEngine newEngine(SSLContext ctx, String urlHost, int port) {
        String peer = serverName != null ? serverName : urlHost;
        SSLEngine engine = ctx.createSSLEngine(peer, port);
        engine.setUseClientMode(true);
        SSLParameters params = engine.getSSLParameters();
        params.setEndpointIdentificationAlgorithm(insecureSkipVerify ? null : "HTTPS");
        if (serverName != null && !isIpLiteral(serverName)) {
            params.setServerNames(List.of(new SNIHostName(serverName)));
        }
        engine.setSSLParameters(params);
        return engine;
    }

    /** SNI carries DNS names only (RFC 6066). */
    private static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
    }

    private X509TrustManager trustManager() throws IOException, GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        if (caFile == null) {
            tmf.init((KeyStore) null);
        } else {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            int i = 0;
            for (X509Certificate c : certificates(caFile)) {
                ks.setCertificateEntry("ca" + i++, c);
            }
            tmf.init(ks);
        }
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("no X509TrustManager");
    }

    /** The certificates of a PEM file, in order; an {@link IOException} naming the file if none. */
    public static List<X509Certificate> certificates(Path file) throws IOException {
        byte[] pem = Files.readAllBytes(file);
        try {
            Collection<? extends Certificate> certs =
                    CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem));
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : certs) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw new IOException(file + ": no PEM certificate (-----BEGIN CERTIFICATE-----) found");
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new IOException(file + ": not a PEM certificate file: " + e.getMessage(), e);
        }
    }

    /** The unencrypted PKCS#8 key of a PEM file; other formats are refused with the command that converts them. */
    public static PrivateKey privateKey(Path file) throws IOException {
        String pem = Files.readString(file, StandardCharsets.US_ASCII);
        Matcher m = PEM_KEY.matcher(pem);
        if (!m.find()) {
            throw new IOException(file + ": no PEM private key (-----BEGIN PRIVATE KEY-----) found");
        }
        if (!m.group(1).isEmpty()) {
            throw new IOException(file + ": a '" + m.group(1) + "PRIVATE KEY' is not supported; edgepush reads"
                    + " unencrypted PKCS#8 keys (BEGIN PRIVATE KEY): convert with"
                    + " openssl pkcs8 -topk8 -nocrypt -in " + file + " -out key.pk8.pem");
        }
        byte[] der = Base64.getMimeDecoder().decode(m.group(2));
        for (String alg : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IOException(file + ": a PKCS#8 key that is neither RSA, EC nor Ed25519, or is damaged");
    }

    /** Trusts every certificate: {@code -remoteWrite.tlsInsecureSkipVerify}. */
    private static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
