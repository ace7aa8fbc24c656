package dev.edgepush.net.tls;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Verifies client certificates as the JDK's PKIX trust manager does, but names no CA in the
 * server's certificate request ({@link #getAcceptedIssuers} is empty). With the CA list, a client
 * whose certificate comes from another CA (Java's and Go's alike) quietly sends no certificate,
 * and the listener could only log "no client certificate"; without it the client sends what it
 * has and the log says what is wrong with it: unknown CA, expired.
 */
final class AnyIssuerTrustManager extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager pkix;

    private AnyIssuerTrustManager(X509ExtendedTrustManager pkix) {
        this.pkix = pkix;
    }

    /** Trusting {@code cas}, or the JDK's default CAs when null. */
    static AnyIssuerTrustManager of(List<X509Certificate> cas) throws GeneralSecurityException, java.io.IOException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        if (cas == null) {
            tmf.init((KeyStore) null);
        } else {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            int i = 0;
            for (X509Certificate c : cas) {
                ks.setCertificateEntry("ca" + i++, c);
            }
            tmf.init(ks);
        }
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509ExtendedTrustManager x) {
                return new AnyIssuerTrustManager(x);
            }
        }
        throw new GeneralSecurityException("the JDK offers no X509ExtendedTrustManager");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        pkix.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        pkix.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        pkix.checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        pkix.checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        pkix.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        pkix.checkServerTrusted(chain, authType);
    }
}
