package dev.edgepush.forward.send;

/** How a sender compresses the requests to one remote ({@code -remoteWrite.compression}). */
public enum RemoteWriteCompression {
    /**
     * Snappy until the remote's answer to a push says it takes zstd ({@link
     * RemoteWriteClient#ACCEPT_ENCODING_HEADER}), zstd from then on; back to Snappy when it refuses a
     * zstd body. A remote that never sends the header (Prometheus, VictoriaMetrics, vmagent) only
     * ever gets Snappy.
     */
    AUTO("auto"),
    /** Snappy only, as the remote-write spec has it. */
    SNAPPY("snappy"),
    /** zstd only, whatever the remote answers (Snappy only where zstd-jni cannot load). */
    ZSTD("zstd");

    private final String flagValue;

    RemoteWriteCompression(String flagValue) {
        this.flagValue = flagValue;
    }

    /** The value as the flag spells it. */
    public String flagValue() {
        return flagValue;
    }

    /**
     * The compression {@code value} names.
     *
     * @throws IllegalArgumentException naming the values accepted
     */
    public static RemoteWriteCompression parse(String value) {
        for (RemoteWriteCompression c : values()) {
            if (c.flagValue.equals(value)) {
                return c;
            }
        }
        throw new IllegalArgumentException("expected auto, snappy or zstd");
    }
}
