package dev.edgepush.forward.send;

/** Which remote-write protocol a sender speaks to one remote ({@code -remoteWrite.protocol}). */
public enum RemoteWriteProtocol {
    /** Remote write 2.0 first; 1.0 for a receiver whose answers show it does not take 2.0. */
    AUTO("auto"),
    /** Remote write 1.0 only: the bytes as buffered, joined. */
    V1("1.0"),
    /** Remote write 2.0 only, whatever the receiver answers. */
    V2("2.0");

    private final String flagValue;

    RemoteWriteProtocol(String flagValue) {
        this.flagValue = flagValue;
    }

    /** The value as the flag spells it: {@code auto}, {@code 1.0} or {@code 2.0}. */
    public String flagValue() {
        return flagValue;
    }

    /**
     * The protocol {@code value} names ({@code auto}, {@code 1.0} or {@code 2.0}; {@code 1} and
     * {@code 2} are taken too).
     *
     * @throws IllegalArgumentException naming the values accepted
     */
    public static RemoteWriteProtocol parse(String value) {
        switch (value) {
            case "auto":
                return AUTO;
            case "1.0":
            case "1":
                return V1;
            case "2.0":
            case "2":
                return V2;
            default:
                throw new IllegalArgumentException("expected auto, 1.0 or 2.0");
        }
    }
}
