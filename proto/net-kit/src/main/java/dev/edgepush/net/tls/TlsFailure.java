package dev.edgepush.net.tls;

import io.netty.handler.ssl.NotSslRecordException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * Why a TLS handshake failed, in words an operator can act on, from either side: {@code server}
 * true reads it as the listener (the peer is a client), false as the client (the peer is the
 * server). The JDK reports these as exception messages and TLS alerts; {@link #kind} is a short
 * fixed name per cause (the key of the log rate limit), {@link #text} the line to show.
 */
public record TlsFailure(String kind, String text) {

    /** True when {@code t} or one of its causes is a TLS failure this class can describe. */
    public static boolean isTls(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SSLException || c instanceof NotSslRecordException) {
                return true;
            }
        }
        return false;
    }

    /**
     * As the client of a listener that may want a certificate: with none to send ({@code
     * sentCertificate} false), the server's refusal (whatever alert the TLS stack picks for it) means
     * "no client certificate". With one, {@code ownCertificateProblem} (e.g. "it expired at ...",
     * or null) says why the server most likely refused it, since the alert does not.
     */
    public static TlsFailure ofClient(Throwable t, boolean sentCertificate, String ownCertificateProblem) {
        TlsFailure f = of(t, false);
        if (sentCertificate && ownCertificateProblem != null && f.kind().equals("certificate_refused")) {
            return new TlsFailure(
                    "certificate_refused", f.text().replaceFirst(":.*", "") + ": " + ownCertificateProblem);
        }
        if (!sentCertificate
                && (f.kind().equals("certificate_refused")
                        || f.kind().equals("no_client_certificate")
                        || f.kind().equals("alert_handshake_failure"))) {
            String alert = alert(messages(t).toLowerCase(Locale.ROOT));
            return new TlsFailure(
                    "no_client_certificate",
                    "no client certificate: the server requires one"
                            + (alert == null ? "" : " (alert " + alert + ")") + "; set -remoteWrite.tlsCertFile and"
                            + " -remoteWrite.tlsKeyFile");
        }
        return f;
    }

    public static TlsFailure of(Throwable t, boolean server) {
        String peer = server ? "client" : "server";
        String all = messages(t);
        String lower = all.toLowerCase(Locale.ROOT);
        if (has(t, NotSslRecordException.class)) {
            return new TlsFailure(
                    "not_tls",
                    server
                            ? "not TLS: the client sent plain HTTP (or something else) to this https listener"
                            : "not TLS: the server did not answer with TLS (http:// instead of https:// in the URL?)");
        }
        CertificateExpiredException expired = find(t, CertificateExpiredException.class);
        if (expired != null || expiredCheck(t)) {
            return new TlsFailure(
                    "expired_certificate",
                    "the " + peer + "'s certificate has expired"
                            + (expired != null && expired.getMessage() != null
                                    ? " (" + expired.getMessage() + ")"
                                    : ""));
        }
        if (has(t, CertificateNotYetValidException.class)) {
            return new TlsFailure(
                    "not_yet_valid_certificate",
                    "the " + peer + "'s certificate is not valid yet (check" + " the clocks)");
        }
        if (lower.contains("empty client certificate chain") || lower.contains("empty server certificate chain")) {
            return new TlsFailure(
                    "no_client_certificate",
                    server
                            ? "no client certificate: the client sent none and -mtls requires one"
                            : "the server sent no certificate");
        }
        if (lower.contains("no subject alternative") || lower.contains("no name matching")) {
            return new TlsFailure(
                    "wrong_hostname",
                    "wrong hostname: the " + peer + "'s certificate does not name the host"
                            + " connected to (" + firstLine(all) + ")"
                            + (server ? "" : "; -remoteWrite.tlsServerName sets the" + " name to check"));
        }
        if (lower.contains("unable to find valid certification path")
                || lower.contains("no trust anchor")
                || lower.contains("path building failed")) {
            return new TlsFailure(
                    "unknown_ca",
                    "unknown CA: the " + peer + "'s certificate is not signed by a CA this "
                            + (server
                                    ? "listener trusts (-mtlsCAFile)"
                                    : "agent trusts (-remoteWrite.tlsCAFile, else the system's CAs)"));
        }
        String alert = alert(lower);
        if (alert != null) {
            return fromAlert(alert, server);
        }
        if (lower.contains("protocol")
                && (lower.contains("not enabled")
                        || lower.contains("no appropriate")
                        || lower.contains("not supported")
                        || lower.contains("not accepted"))) {
            return new TlsFailure(
                    "protocol_version",
                    "no TLS version in common with the " + peer + " (" + firstLine(all) + ")"
                            + (server ? "; -tlsMinVersion sets the oldest this listener takes" : ""));
        }
        return new TlsFailure("other", firstLine(all));
    }

    /** What the peer's alert says about our side of the handshake. */
    private static TlsFailure fromAlert(String alert, boolean server) {
        String who = server ? "the client" : "the server";
        return switch (alert) {
            case "certificate_required" ->
                new TlsFailure(
                        "no_client_certificate",
                        server
                                ? "the client says it has no certificate to send (alert certificate_required)"
                                : "no client certificate: the server requires one (alert certificate_required); set"
                                        + " -remoteWrite.tlsCertFile and -remoteWrite.tlsKeyFile");
            case "certificate_expired" ->
                new TlsFailure(
                        "expired_certificate",
                        who + " refused our certificate as expired" + " (alert certificate_expired)");
            case "unknown_ca", "certificate_unknown", "bad_certificate", "unsupported_certificate" ->
                new TlsFailure(
                        "certificate_refused",
                        who + " refused our certificate (alert " + alert + "): "
                                + (server
                                        ? "it does not trust the CA of -tlsCertFile, or the name it connects to is not in the"
                                                + " certificate"
                                        : "the server does not trust our client certificate's CA, or the certificate"
                                                + " has expired or been revoked"));
            case "protocol_version" ->
                new TlsFailure(
                        "protocol_version",
                        "no TLS version in common with " + (server ? "the client" : "the server")
                                + " (alert protocol_version)");
            default -> new TlsFailure("alert_" + alert, who + " ended the handshake with alert " + alert);
        };
    }

    /** The alert name of "Received fatal alert: NAME", or null. */
    private static String alert(String lower) {
        int i = lower.indexOf("received fatal alert: ");
        if (i < 0) {
            return null;
        }
        String rest = lower.substring(i + "received fatal alert: ".length());
        int end = 0;
        while (end < rest.length() && (Character.isLetterOrDigit(rest.charAt(end)) || rest.charAt(end) == '_')) {
            end++;
        }
        return end == 0 ? null : rest.substring(0, end);
    }

    private static boolean expiredCheck(Throwable t) {
        CertPathValidatorException v = find(t, CertPathValidatorException.class);
        return v != null && v.getReason() == CertPathValidatorException.BasicReason.EXPIRED;
    }

    private static boolean has(Throwable t, Class<? extends Throwable> type) {
        return find(t, type) != null;
    }

    private static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }

    private static String messages(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getMessage() != null && (sb.length() == 0 || !sb.toString().endsWith(c.getMessage()))) {
                sb.append(sb.length() == 0 ? "" : " / ").append(c.getMessage());
            } else if (sb.length() == 0) {
                sb.append(c.getClass().getSimpleName());
            }
        }
        return sb.toString();
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }
}
