package dev.edgepush.net.http;

import picocli.CommandLine.Option;

/**
 * {@code -httpListenAddr}, a picocli mixin shared by edge-agent's and central-ingest's flags: each
 * gives its own default port; the description below is central-ingest's, a program that says it
 * otherwise gives its own text by the {@code descriptionKey} in its command's resource bundle.
 */
public final class ListenAddressFlag {
    @Option(
            names = {"-httpListenAddr", "--httpListenAddr"},
            paramLabel = "HOST:PORT",
            descriptionKey = "httpListenAddr",
            description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String httpListenAddr;

    private final String example;

    /**
     * @param defaultValue the address without the flag, e.g. {@code :8427}
     * @param example the value a message about a bad one shows, e.g. {@code :8427 or 127.0.0.1:8427}
     */
    public ListenAddressFlag(String defaultValue, String example) {
        this.httpListenAddr = defaultValue;
        this.example = example;
    }

    /** The checked address; the exception's message names the flag. */
    public ListenAddress address() {
        return ListenAddress.parse(httpListenAddr, example);
    }
}
