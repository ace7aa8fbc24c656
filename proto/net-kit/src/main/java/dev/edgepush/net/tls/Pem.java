package dev.edgepush.net.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
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

/**
 * The PEM files of the TLS flags, read with errors that name the file and say what to do: the
 * certificates of a file (the JDK's X.509 reader), and an unencrypted PKCS#8 private key ({@code
 * -----BEGIN PRIVATE KEY-----}) holding an RSA, EC or Ed25519 key. PKCS#1 ({@code BEGIN RSA
 * PRIVATE KEY}), SEC1 ({@code BEGIN EC PRIVATE KEY}) and encrypted keys are refused with the
 * command that converts them ({@code openssl pkcs8 -topk8 -nocrypt}).
 */
public final class Pem {
    private static final Pattern PEM_KEY =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END \\1PRIVATE KEY-----");

    private Pem() {}

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
}
