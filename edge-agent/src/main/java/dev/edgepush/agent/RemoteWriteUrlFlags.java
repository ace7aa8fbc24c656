package dev.edgepush.agent;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The flags that take one value per {@code -remoteWrite.url}, as vmagent's do: the Nth value applies
 * to the Nth URL, a single value to every URL (vmagent's GetOptionalArg), fewer values leave the rest
 * unset. {@link RemoteSpec} reads them; a picocli mixin of {@link AgentFlags}.
 */
final class RemoteWriteUrlFlags {
    @Option(
            names = {"-remoteWrite.bearerToken", "--remoteWrite.bearerToken"},
            paramLabel = "TOKEN",
            description =
                    "Bearer token per -remoteWrite.url (prefer -remoteWrite.bearerTokenFile: a flag shows in ps).")
    List<String> bearerTokens = new ArrayList<>();

    @Option(
            names = {"-remoteWrite.bearerTokenFile", "--remoteWrite.bearerTokenFile"},
            paramLabel = "FILE",
            description = "File holding the bearer token for the remote.")
    List<String> bearerTokenFiles = new ArrayList<>();

    @Option(
            names = {"-remoteWrite.basicAuth.username", "--remoteWrite.basicAuth.username"},
            paramLabel = "USER",
            description = "Basic auth user per -remoteWrite.url (repeatable like the URL).")
    List<String> basicAuthUsernames = new ArrayList<>();

    @Option(
            names = {"-remoteWrite.basicAuth.password", "--remoteWrite.basicAuth.password"},
            paramLabel = "PASSWORD",
            description = "Basic auth password per -remoteWrite.url (prefer .passwordFile: a flag shows in ps).")
    List<String> basicAuthPasswords = new ArrayList<>();

    @Option(
            names = {"-remoteWrite.basicAuth.passwordFile", "--remoteWrite.basicAuth.passwordFile"},
            paramLabel = "FILE",
            description = "File holding the basic auth password per -remoteWrite.url.")
    List<String> basicAuthPasswordFiles = new ArrayList<>();

    @Option(
            names = {"-remoteWrite.tlsCAFile", "--remoteWrite.tlsCAFile"},
            paramLabel = "FILE",
            description =
                    "PEM file of the CA certificates that verify the remote, per -remoteWrite.url (default: the JDK's).")
    List<String> tlsCaFiles = new ArrayList<>();

    @Option(
            names = {"-remoteWrite.tlsCertFile", "--remoteWrite.tlsCertFile"},
            paramLabel = "FILE",
            description = "PEM client certificate (chain) per -remoteWrite.url, with -remoteWrite.tlsKeyFile.")
    List<String> tlsCertFiles = new ArrayList<>();

    @Option(
            names = {"-remoteWrite.tlsKeyFile", "--remoteWrite.tlsKeyFile"},
            paramLabel = "FILE",
            description =
                    "PEM client key per -remoteWrite.url: unencrypted PKCS#8 (BEGIN PRIVATE KEY), RSA, EC or Ed25519.")
    List<String> tlsKeyFiles = new ArrayList<>();

    @Option(
            names = {"-remoteWrite.tlsInsecureSkipVerify", "--remoteWrite.tlsInsecureSkipVerify"},
            paramLabel = "BOOL",
            arity = "0..1",
            fallbackValue = "true",
            description = "Do not verify the remote's certificate, per -remoteWrite.url (testing only).")
    List<String> tlsInsecureSkipVerify = new ArrayList<>();

    @Option(
            names = {"-remoteWrite.tlsServerName", "--remoteWrite.tlsServerName"},
            paramLabel = "NAME",
            description = "Server name sent (SNI) and verified in the remote's certificate, per -remoteWrite.url.")
    List<String> tlsServerNames = new ArrayList<>();

    @Option(
            names = {"-remoteWrite.rateLimit", "--remoteWrite.rateLimit"},
            paramLabel = "BYTES",
            description = "Most compressed bytes per second sent to each -remoteWrite.url; 0 = no limit.")
    List<String> rateLimits = new ArrayList<>();

    @Option(
            names = {"-remoteWrite.freshFirst", "--remoteWrite.freshFirst"},
            paramLabel = "BOOL",
            arity = "0..1",
            fallbackValue = "true",
            description = "Per -remoteWrite.url (repeatable like the URL): after an outage, send new scrapes first on a"
                    + " live lane while the backlog drains oldest first with the bandwidth left (default true); false"
                    + " keeps one strict oldest-first lane, for receivers that refuse out-of-order samples (Prometheus"
                    + " without an out-of-order window). Not a vmagent flag.")
    List<String> freshFirsts = new ArrayList<>();

    @Option(
            names = {"-remoteWrite.protocol", "--remoteWrite.protocol"},
            paramLabel = "auto|1.0|2.0",
            description = "Remote-write protocol per -remoteWrite.url (repeatable like the URL): 1.0 sends the"
                    + " buffered 1.0 requests as they are; 2.0 re-encodes each batch as remote write 2.0 (fewer bytes:"
                    + " strings once per batch, a series once with all its samples); auto sends 2.0 and, when the"
                    + " receiver's answer shows it does not take 2.0 (415, a 2xx without"
                    + " X-Prometheus-Remote-Write-Samples-Written, or a refusal that 1.0 then passes), sends that same"
                    + " batch again as 1.0 and keeps 1.0 for the URL, trying 2.0 again hourly. Default 1.0: what every"
                    + " receiver (and vmagent's command lines) got before, with nothing left to a receiver's answer to an"
                    + " unknown body; choose auto or 2.0 for central-ingest. Not a vmagent flag (vmagent has no"
                    + " remote write 2.0).")
    List<String> protocols = new ArrayList<>();

    @Option(
            names = {"-remoteWrite.compression", "--remoteWrite.compression"},
            paramLabel = "auto|snappy|zstd",
            description =
                    "Request compression per -remoteWrite.url (repeatable like the URL): auto (default) sends Snappy"
                            + " until the remote's answer to a stored push lists zstd in X-Edgepush-Accept-Encoding (central-ingest"
                            + " does; Prometheus, VictoriaMetrics and vmagent do not, so they only ever get Snappy), then zstd; a zstd"
                            + " request refused with 415 (or refused where Snappy then passes) is sent again as Snappy and the URL"
                            + " keeps Snappy for an hour. snappy: Snappy only. zstd: zstd whatever the answers. Where zstd-jni's"
                            + " native library does not load, Snappy (one log line). Not a vmagent flag.")
    List<String> compressions = new ArrayList<>();

    @Option(
            names = {"-remoteWrite.urlRelabelConfig", "--remoteWrite.urlRelabelConfig"},
            paramLabel = "FILE",
            description =
                    "Relabel configs per -remoteWrite.url, applied after -remoteWrite.relabelConfig, for that URL only.")
    List<String> urlRelabelConfigs = new ArrayList<>();
}
