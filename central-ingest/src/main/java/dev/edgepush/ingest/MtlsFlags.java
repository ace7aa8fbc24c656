package dev.edgepush.ingest;

import dev.edgepush.net.tls.ServerTls;
import dev.edgepush.net.tls.ServerTlsFlags;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code -mtls*}: the client certificates the listener's TLS requires; a picocli mixin of {@link IngestFlags}. */
final class MtlsFlags {
    @Option(
            names = {"-mtls", "--mtls"},
            arity = "0..1",
            fallbackValue = "true",
            paramLabel = "BOOL",
            description =
                    "With -tls: require a client certificate signed by a CA of -mtlsCAFile (else the system's CAs).")
    boolean mtls;

    @Option(
            names = {"-mtlsCAFile", "--mtlsCAFile"},
            paramLabel = "FILE",
            description =
                    "PEM CA certificate(s) that sign the client certificates -mtls requires; re-read when it changes.")
    Path mtlsCaFile;

    @Option(
            names = {"-mtls.requireRobotName", "--mtls.requireRobotName"},
            arity = "0..1",
            fallbackValue = "true",
            paramLabel = "BOOL",
            description = "With -mtls: a robot token is accepted only from a client certificate whose CN"
                    + " or a DNS name is that robot's name; else 403.")
    boolean requireRobotName;

    /** The listener's checked TLS settings ({@code -tls*} and these); null without {@code -tls}. */
    ServerTls.Settings settings(ServerTlsFlags listener) throws IngestFlags.FlagException {
        if (requireRobotName && !mtls) {
            throw new IngestFlags.FlagException(
                    "-mtls.requireRobotName needs -tls and -mtls (the robot's name comes from its client"
                            + " certificate)");
        }
        return IngestFlags.checked(() -> listener.settings(mtls, mtlsCaFile));
    }
}
