package dev.edgepush.compat;

import java.nio.file.Path;

/**
 * A job's {@code tls_config} for https targets. Paths are resolved against the config file's directory.
 *
 * @param caFile {@code ca_file}: PEM CA certificates to trust instead of the JVM's; null for the default
 * @param certFile {@code cert_file}: PEM client certificate, with {@code keyFile}; or null
 * @param keyFile {@code key_file}: PEM private key (PKCS#8) of {@code certFile}; or null
 * @param insecureSkipVerify {@code insecure_skip_verify}: accept any server certificate and name
 * @param serverName {@code server_name}: the name sent in SNI and checked in the certificate; null for the
 *     target's host
 */
public record TlsConfig(Path caFile, Path certFile, Path keyFile, boolean insecureSkipVerify, String serverName) {

    /** No {@code tls_config}: the JVM's trust store, host name checked. */
    public static final TlsConfig DEFAULT = new TlsConfig(null, null, null, false, null);
}
