package dev.edgepush.net.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.cert.CertificateException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** The JDK's own messages (as seen in the end-to-end tests) and what each side is told. */
class TlsFailureTest {
    static SSLHandshakeException handshake(String message, Throwable cause) {
        SSLHandshakeException e = new SSLHandshakeException(message);
        e.initCause(cause);
        return e;
    }

    @Test
    void aTls12ClientAtATls13ListenerIsAProtocolVersionNamingTheFlag() {
        TlsFailure f = TlsFailure.of(
                handshake(
                        "The client supported protocol versions [TLSv1.2] are not accepted by"
                                + " server preferences [TLSv1.3]",
                        null),
                true);
        assertEquals("protocol_version", f.kind());
        assertTrue(f.text().contains("-tlsMinVersion"), f.text());
    }

    @Test
    void theClientSideReadsTheServersAlertByWhatItSent() {
        SSLHandshakeException refused = handshake("Received fatal alert: bad_certificate", null);
        assertEquals(
                "no_client_certificate",
                TlsFailure.ofClient(refused, false, null).kind());
        assertTrue(TlsFailure.ofClient(refused, false, null).text().contains("-remoteWrite.tlsCertFile"));
        TlsFailure expired = TlsFailure.ofClient(
                handshake("Received fatal alert: certificate_unknown", null),
                true,
                "our client certificate expired at 2026-01-01T00:00:00Z; renew it");
        assertEquals(
                "the server refused our certificate (alert certificate_unknown): our client certificate expired"
                        + " at 2026-01-01T00:00:00Z; renew it",
                expired.text());
    }

    @Test
    void aWrongHostnameIsNamedAsSuch() {
        TlsFailure f = TlsFailure.of(
                handshake(
                        "No subject alternative names matching IP address 127.0.0.1 found",
                        new CertificateException("No subject alternative names matching IP address 127.0.0.1 found")),
                false);
        assertEquals("wrong_hostname", f.kind());
        assertTrue(f.text().contains("-remoteWrite.tlsServerName"), f.text());
        assertTrue(
                !f.text().contains("found / No"), "a cause repeating its wrapper's message is said once: " + f.text());
    }
}
