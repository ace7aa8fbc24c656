package dev.edgepush.net.tls;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code -tls}, {@code -tlsCertFile}, {@code -tlsKeyFile} and {@code -tlsMinVersion}: the TLS of a
 * listener on {@code -httpListenAddr}, a picocli mixin shared by edge-agent's and central-ingest's
 * flags, so both take the same names and check them alike. The descriptions below are
 * central-ingest's; a program that says it otherwise gives its own text by the option's
 * {@code descriptionKey} in its command's resource bundle (edge-agent does).
 */
public final class ServerTlsFlags {
    @Option(
            names = {"-tls", "--tls"},
            arity = "0..1",
            fallbackValue = "true",
            paramLabel = "BOOL",
            descriptionKey = "tls",
            description = "Serve -httpListenAddr over https only; needs -tlsCertFile and -tlsKeyFile.")
    boolean tls;

    @Option(
            names = {"-tlsCertFile", "--tlsCertFile"},
            paramLabel = "FILE",
            descriptionKey = "tlsCertFile",
            description = "PEM certificate chain (server certificate first) with -tls; re-read when it changes.")
    Path tlsCertFile;

    @Option(
            names = {"-tlsKeyFile", "--tlsKeyFile"},
            paramLabel = "FILE",
            descriptionKey = "tlsKeyFile",
            description = "PEM key (unencrypted PKCS#8) of -tlsCertFile; re-read when it changes.")
    Path tlsKeyFile;

    @Option(
            names = {"-tlsMinVersion", "--tlsMinVersion"},
            paramLabel = "VERSION",
            descriptionKey = "tlsMinVersion",
            description = "Oldest TLS version taken with -tls: TLS12 or TLS13 (default: ${DEFAULT-VALUE}).")
    String tlsMinVersion = "TLS12";

    /** Whether {@code -tls} is on. */
    public boolean on() {
        return tls;
    }

    /**
     * The checked settings with the client certificate check of {@code mtls} and {@code mtlsCaFile}
     * (off: false and null); null without {@code -tls}. The exception's message names the flag.
     */
    public ServerTls.Settings settings(boolean mtls, Path mtlsCaFile) {
        return ServerTls.Settings.fromFlags(tls, tlsCertFile, tlsKeyFile, tlsMinVersion, mtls, mtlsCaFile);
    }
}
