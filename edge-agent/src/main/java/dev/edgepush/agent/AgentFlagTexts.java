package dev.edgepush.agent;

import java.util.ListResourceBundle;

/**
 * edge-agent's own help texts of the flags it shares with central-ingest through a mixin (picocli
 * takes an option's description from its command's resource bundle, by the option's {@code
 * descriptionKey}, before the text of its annotation).
 */
public final class AgentFlagTexts extends ListResourceBundle {
    @Override
    protected Object[][] getContents() {
        return new Object[][] {
            {"httpListenAddr", "Address of /metrics, /health and /targets (default: ${DEFAULT-VALUE})."},
            {"tls", "Serve -httpListenAddr over https; needs -tlsCertFile and -tlsKeyFile."},
            {"tlsCertFile", "PEM certificate chain of the listener with -tls; re-read when it changes."},
            {
                "tlsMinVersion",
                "Oldest TLS version the listener takes with -tls: TLS12 or TLS13 (default: ${DEFAULT-VALUE})."
            },
        };
    }
}
