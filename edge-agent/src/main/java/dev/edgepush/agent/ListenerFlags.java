package dev.edgepush.agent;

import dev.edgepush.net.http.ListenAddressFlag;
import dev.edgepush.net.tls.ServerTlsFlags;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The agent's listener: its address, basic auth and TLS (vmagent's flags); a picocli mixin of {@link AgentFlags}. */
final class ListenerFlags {
    /** -httpListenAddr, as central-ingest's (its text: {@link AgentFlagTexts}). */
    @Mixin
    ListenAddressFlag address = new ListenAddressFlag(":8429", ":8429 or 127.0.0.1:8429");

    @Option(
            names = {"-httpAuth.username", "--httpAuth.username"},
            paramLabel = "USER",
            description = "Basic auth user name for every path of -httpListenAddr but /health; empty: no auth.")
    String httpAuthUsername;

    @Option(
            names = {"-httpAuth.password", "--httpAuth.password"},
            paramLabel = "PASSWORD",
            description = "Basic auth password, with -httpAuth.username.")
    String httpAuthPassword;

    /** -tls, -tlsCertFile, -tlsKeyFile, -tlsMinVersion, as central-ingest's (their texts: {@link AgentFlagTexts}). */
    @Mixin
    ServerTlsFlags tls = new ServerTlsFlags();

    ListenerSecurity security() throws AgentFlags.FlagException {
        if ((httpAuthUsername == null || httpAuthUsername.isEmpty()) && httpAuthPassword != null) {
            throw new AgentFlags.FlagException(
                    "-httpAuth.password is set but -httpAuth.username is empty: set both, or neither");
        }
        return new ListenerSecurity(
                httpAuthUsername, httpAuthPassword, AgentFlags.checked(() -> tls.settings(false, null)));
    }
}
