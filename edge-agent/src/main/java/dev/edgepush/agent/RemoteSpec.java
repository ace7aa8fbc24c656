package dev.edgepush.agent;

import dev.edgepush.flags.FlagValues;
import dev.edgepush.forward.send.RemoteWriteCompression;
import dev.edgepush.forward.send.RemoteWriteProtocol;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One {@code -remoteWrite.url} and the per-URL flags that apply to it, checked.
 *
 * <p>Per-URL flags follow vmagent: the Nth value applies to the Nth URL; a flag given once applies
 * to every URL; a flag given fewer times than there are URLs (but more than once) leaves the
 * remaining URLs without it. Unlike vmagent, a flag given more times than there are URLs is an
 * error (vmagent ignores the extra values silently), and values are never split at commas (vmagent
 * also accepts {@code a,b}; a password or file name may contain a comma).
 *
 * @param number 1-based position of the URL on the command line
 * @param rateLimitBytesPerSecond compressed bytes per second on the wire, 0 = no limit
 * @param protocol {@code -remoteWrite.protocol}: remote write 1.0, 2.0 or auto (default 1.0)
 * @param compression {@code -remoteWrite.compression}: auto (default), snappy or zstd
 * @param freshFirst {@code -remoteWrite.freshFirst}: new scrapes first on a live lane while a
 *     backlog drains (default true); false: one strict oldest-first lane
 */
public record RemoteSpec(
        int number,
        String url,
        String bearerToken,
        Path bearerTokenFile,
        String basicAuthUsername,
        String basicAuthPassword,
        Path basicAuthPasswordFile,
        Path tlsCaFile,
        Path tlsCertFile,
        Path tlsKeyFile,
        boolean tlsInsecureSkipVerify,
        String tlsServerName,
        long rateLimitBytesPerSecond,
        Path urlRelabelConfig,
        RemoteWriteProtocol protocol,
        RemoteWriteCompression compression,
        boolean freshFirst) {

    /** The {@code url} label of per-remote self metrics and /targets: {@code "<n>:<redacted url>"}. */
    public String label() {
        return number + ":" + Agent.redact(url);
    }

    /**
     * The buffer directory's name under {@code <tmpDataPath>/persistent-queue/}, shaped like
     * vmagent's: {@code <n>_<first 8 bytes of the SHA-256 of the URL as 16 upper-case hex digits>}
     * (vmagent hashes with xxHash64, so the names differ from vmagent's own). Stable as long as the URL and
     * its position stay the same; moving a URL to another position starts a new buffer (the old
     * one stays on disk, as with vmagent).
     */
    public String directoryName() {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(url.getBytes(StandardCharsets.UTF_8));
            long h = 0;
            for (int i = 0; i < 8; i++) {
                h = h << 8 | (d[i] & 0xff);
            }
            return number + "_" + String.format(Locale.ROOT, "%016X", h);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    static List<RemoteSpec> fromFlags(AgentFlags f) throws AgentFlags.FlagException {
        int n = f.remoteWriteUrls.size();
        List<RemoteSpec> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String token = arg(f.perUrl.bearerTokens, "-remoteWrite.bearerToken", i, n);
            String tokenFile = arg(f.perUrl.bearerTokenFiles, "-remoteWrite.bearerTokenFile", i, n);
            String user = arg(f.perUrl.basicAuthUsernames, "-remoteWrite.basicAuth.username", i, n);
            String pass = arg(f.perUrl.basicAuthPasswords, "-remoteWrite.basicAuth.password", i, n);
            String passFile = arg(f.perUrl.basicAuthPasswordFiles, "-remoteWrite.basicAuth.passwordFile", i, n);
            String url = f.remoteWriteUrls.get(i);
            String which = " for -remoteWrite.url #" + (i + 1) + " (" + Agent.redact(url) + ")";
            if (token != null && tokenFile != null) {
                throw new AgentFlags.FlagException(
                        "-remoteWrite.bearerToken and -remoteWrite.bearerTokenFile are both set" + which + ": use one");
            }
            if (pass != null && passFile != null) {
                throw new AgentFlags.FlagException(
                        "-remoteWrite.basicAuth.password and -remoteWrite.basicAuth.passwordFile" + " are both set"
                                + which + ": use one");
            }
            if ((pass != null || passFile != null) && user == null) {
                throw new AgentFlags.FlagException(
                        "-remoteWrite.basicAuth.password is set but -remoteWrite.basicAuth.username" + " is not"
                                + which);
            }
            if (user != null && (token != null || tokenFile != null)) {
                throw new AgentFlags.FlagException("basic auth and a bearer token are both set" + which + ": use one");
            }
            String cert = arg(f.perUrl.tlsCertFiles, "-remoteWrite.tlsCertFile", i, n);
            String key = arg(f.perUrl.tlsKeyFiles, "-remoteWrite.tlsKeyFile", i, n);
            if ((cert == null) != (key == null)) {
                throw new AgentFlags.FlagException("-remoteWrite.tlsCertFile and -remoteWrite.tlsKeyFile go together"
                        + which + ": give both or neither");
            }
            String insecure = arg(f.perUrl.tlsInsecureSkipVerify, "-remoteWrite.tlsInsecureSkipVerify", i, n);
            if (insecure != null && !insecure.equals("true") && !insecure.equals("false")) {
                throw new AgentFlags.FlagException(
                        "-remoteWrite.tlsInsecureSkipVerify=" + insecure + ": expected true or false");
            }
            String rate = arg(f.perUrl.rateLimits, "-remoteWrite.rateLimit", i, n);
            long rateBytes =
                    rate == null ? 0 : AgentFlags.checked(() -> FlagValues.bytes("-remoteWrite.rateLimit", rate));
            if (rateBytes < 0) {
                throw new AgentFlags.FlagException("-remoteWrite.rateLimit=" + rate + ": must be 0 (no limit) or more");
            }
            String protocolFlag = arg(f.perUrl.protocols, "-remoteWrite.protocol", i, n);
            RemoteWriteProtocol protocol;
            try {
                protocol = protocolFlag == null ? AgentFlags.DEFAULT_PROTOCOL : RemoteWriteProtocol.parse(protocolFlag);
            } catch (IllegalArgumentException e) {
                throw new AgentFlags.FlagException(
                        "-remoteWrite.protocol=" + protocolFlag + which + ": " + e.getMessage());
            }
            String compressionFlag = arg(f.perUrl.compressions, "-remoteWrite.compression", i, n);
            RemoteWriteCompression compression;
            try {
                compression = compressionFlag == null
                        ? RemoteWriteCompression.AUTO
                        : RemoteWriteCompression.parse(compressionFlag);
            } catch (IllegalArgumentException e) {
                throw new AgentFlags.FlagException(
                        "-remoteWrite.compression=" + compressionFlag + which + ": " + e.getMessage());
            }
            String fresh = arg(f.perUrl.freshFirsts, "-remoteWrite.freshFirst", i, n);
            if (fresh != null && !fresh.equals("true") && !fresh.equals("false")) {
                throw new AgentFlags.FlagException(
                        "-remoteWrite.freshFirst=" + fresh + which + ": expected true or false");
            }
            out.add(new RemoteSpec(
                    i + 1,
                    url,
                    token,
                    path(tokenFile),
                    user,
                    pass,
                    path(passFile),
                    path(arg(f.perUrl.tlsCaFiles, "-remoteWrite.tlsCAFile", i, n)),
                    path(cert),
                    path(key),
                    "true".equals(insecure),
                    arg(f.perUrl.tlsServerNames, "-remoteWrite.tlsServerName", i, n),
                    rateBytes,
                    path(arg(f.perUrl.urlRelabelConfigs, "-remoteWrite.urlRelabelConfig", i, n)),
                    protocol,
                    compression,
                    !"false".equals(fresh)));
        }
        return out;
    }

    /** vmagent's GetOptionalArg: the i-th value, the only value, or null (empty = unset). */
    private static String arg(List<String> values, String flag, int i, int urls) throws AgentFlags.FlagException {
        if (values.size() > urls) {
            throw new AgentFlags.FlagException(flag + " is given " + values.size() + " times but there are " + urls
                    + " -remoteWrite.url: give it once (for every URL) or once per URL, in the same order");
        }
        String v = values.size() == 1 ? values.get(0) : i < values.size() ? values.get(i) : null;
        return v == null || v.isEmpty() ? null : v;
    }

    private static Path path(String s) {
        return s == null ? null : Path.of(s);
    }

    @Override
    public String toString() {
        return "RemoteSpec[" + label() + "]"; // never the secrets
    }
}
