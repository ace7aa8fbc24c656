package dev.edgepush.flags;

import picocli.CommandLine.Option;

/** {@code -version} and {@code -help}: a picocli mixin shared by edge-agent's and central-ingest's flags. */
public final class VersionAndHelpFlags {
    @Option(
            names = {"-version", "--version"},
            description = "Print the version and exit.")
    boolean version;

    @Option(
            names = {"-help", "--help", "-h"},
            usageHelp = true,
            description = "Show this help and exit.")
    boolean help;

    /** Whether {@code -version} was given. */
    public boolean version() {
        return version;
    }

    /** Whether {@code -help} was given. */
    public boolean help() {
        return help;
    }
}
