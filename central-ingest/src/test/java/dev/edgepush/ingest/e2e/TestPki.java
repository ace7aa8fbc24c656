package dev.edgepush.ingest.e2e;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates made in the test, written as PEM files as an operator's openssl would: a CA, and
 * server or client certificates it signs, with exact validity dates (an expired one is simply
 * one whose notAfter is past) and names. EC P-256 keys from the JDK; BouncyCastle's builder
 * signs. Keys are written as unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}), what the flags take.
 */
final class TestPki {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** A certificate with its key and the PEM files they were written to. */
    record Issued(X509Certificate cert, KeyPair keys, Path certFile, Path keyFile) {
        BigInteger serial() {
            return cert.getSerialNumber();
        }
    }

    private final Issued ca;

    private TestPki(Issued ca) {
        this.ca = ca;
    }

    /** A new self-signed CA, valid from an hour ago for a year, written under {@code dir}. */
    static TestPki newCa(Path dir, String name) throws Exception {
        KeyPair keys = keyPair();
        X500Name subject = new X500Name("CN=" + name);
        Instant now = Instant.now();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                subject,
                serial(),
                Date.from(now.minusSeconds(3600)),
                Date.from(now.plus(Duration.ofDays(365))),
                subject,
                keys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        X509Certificate cert = sign(b, keys);
        return new TestPki(write(dir, name, cert, keys));
    }

    Path caFile() {
        return ca.certFile();
    }

    X509Certificate caCert() {
        return ca.cert();
    }

    /** A server certificate for {@code names} (IP addresses or DNS names), valid now for 30 days. */
    Issued server(Path dir, String file, String... names) throws Exception {
        return server(dir, file, Duration.ofDays(30), names);
    }

    /** A server certificate for {@code names}, valid from an hour ago until {@code validFor} from now. */
    Issued server(Path dir, String file, Duration validFor, String... names) throws Exception {
        Instant now = Instant.now();
        return issue(dir, file, names[0], List.of(names), now.minusSeconds(3600), now.plus(validFor), true);
    }

    /** A client certificate with {@code cn} as its common name and DNS name, valid now. */
    Issued client(Path dir, String file, String cn) throws Exception {
        Instant now = Instant.now();
        return issue(dir, file, cn, List.of(cn), now.minusSeconds(3600), now.plus(Duration.ofDays(30)), false);
    }

    /** A client certificate that expired an hour ago (valid for a day before that). */
    Issued expiredClient(Path dir, String file, String cn) throws Exception {
        Instant now = Instant.now();
        return issue(dir, file, cn, List.of(cn), now.minus(Duration.ofDays(2)), now.minusSeconds(3600), false);
    }

    private Issued issue(
            Path dir, String file, String cn, List<String> names, Instant notBefore, Instant notAfter, boolean server)
            throws Exception {
        KeyPair keys = keyPair();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                ca.cert(),
                serial(),
                Date.from(notBefore),
                Date.from(notAfter),
                new X500Name("CN=" + cn),
                keys.getPublic());
        List<GeneralName> sans = new ArrayList<>();
        for (String n : names) {
            boolean ip = n.chars().allMatch(c -> c == '.' || Character.isDigit(c)) || n.contains(":");
            sans.add(
                    ip
                            ? new GeneralName(
                                    GeneralName.iPAddress,
                                    InetAddress.getByName(n).getHostAddress())
                            : new GeneralName(GeneralName.dNSName, n));
        }
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(new GeneralName[0])));
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        b.addExtension(
                Extension.extendedKeyUsage,
                false,
                new ExtendedKeyUsage(server ? KeyPurposeId.id_kp_serverAuth : KeyPurposeId.id_kp_clientAuth));
        return write(dir, file, sign(b, ca.keys()), keys);
    }

    /** A JDK client context that trusts {@code trusted} and presents {@code client} (if not null). */
    static SSLContext clientContext(X509Certificate trusted, Issued client)
            throws GeneralSecurityException, IOException {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("ca", trusted);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        KeyManagerFactory kmf = null;
        if (client != null) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("client", client.keys().getPrivate(), new char[0], new X509Certificate[] {client.cert()});
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, new char[0]);
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
        return ctx;
    }

    private static KeyPair keyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static BigInteger serial() {
        return BigInteger.valueOf(SERIAL.incrementAndGet());
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair issuer)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter()
                .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
    }

    private static Issued write(Path dir, String name, X509Certificate cert, KeyPair keys) throws Exception {
        Files.createDirectories(dir);
        Path certFile = dir.resolve(name + ".crt");
        Path keyFile = dir.resolve(name + ".key");
        Files.writeString(certFile, pem("CERTIFICATE", cert.getEncoded()));
        Files.writeString(keyFile, pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
        return new Issued(cert, keys, certFile, keyFile);
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}
