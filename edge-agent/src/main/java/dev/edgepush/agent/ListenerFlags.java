package dev.edgepush.agent;

import dev.edgepush.net.tls.ServerTls;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** The agent's listener: its address, basic auth and TLS (vmagent's flags); a picocli mixin of {@link AgentFlags}. */
final class ListenerFlags {
    @Option(
            names = {"-httpListenAddr", "--httpListenAddr"},
            paramLabel = "HOST:PORT",
            description = "Address of /metrics, /health and /targets (default: ${DEFAULT-VALUE}).")
    String httpListenAddr = ":8429";

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

    @Option(
            names = {"-tls", "--tls"},
            arity = "0..1",
            fallbackValue = "true",
            paramLabel = "BOOL",
            description = "Serve -httpListenAddr over https; needs -tlsCertFile and -tlsKeyFile.")
    boolean tls;

    @Option(
            names = {"-tlsCertFile", "--tlsCertFile"},
            paramLabel = "FILE",
            description = "PEM certificate chain of the listener with -tls; re-read when it changes.")
    Path tlsCertFile;

    @Option(
            names = {"-tlsKeyFile", "--tlsKeyFile"},
            paramLabel = "FILE",
            description = "PEM key (unencrypted PKCS#8) of -tlsCertFile; re-read when it changes.")
    Path tlsKeyFile;

    @Option(
            names = {"-tlsMinVersion", "--tlsMinVersion"},
            paramLabel = "VERSION",
            description =
                    "Oldest TLS version the listener takes with -tls: TLS12 or TLS13 (default: ${DEFAULT-VALUE}).")
    String tlsMinVersion = "TLS12";

    /** The port of -httpListenAddr, or 0 after adding why it is not one to {@code problems}. */
    int port(List<String> problems) {
        int colon = httpListenAddr.lastIndexOf(':');
        try {
            int port = Integer.parseInt(httpListenAddr.substring(colon + 1));
            if (colon < 0 || port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            problems.add("-httpListenAddr=" + httpListenAddr
                    + ": expected host:port or :port, e.g. :8429 or 127.0.0.1:8429");
            return 0;
        }
    }

    /** The host of -httpListenAddr, without IPv6 brackets; empty for all addresses. */
    String host() {
        String host = httpListenAddr.substring(0, Math.max(httpListenAddr.lastIndexOf(':'), 0));
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return host;
    }

    ListenerSecurity security() throws AgentFlags.FlagException {
        if ((httpAuthUsername == null || httpAuthUsername.isEmpty()) && httpAuthPassword != null) {
            throw new AgentFlags.FlagException(
                    "-httpAuth.password is set but -httpAuth.username is empty: set both, or neither");
        }
        try {
            return new ListenerSecurity(
                    httpAuthUsername,
                    httpAuthPassword,
                    ServerTls.Settings.fromFlags(tls, tlsCertFile, tlsKeyFile, tlsMinVersion, false, null));
        } catch (IllegalArgumentException e) {
            throw new AgentFlags.FlagException(e.getMessage());
        }
    }
}
