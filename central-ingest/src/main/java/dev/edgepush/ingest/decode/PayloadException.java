package dev.edgepush.ingest.decode;

/**
 * A request body that cannot be ingested, with the HTTP status that says why: 400 (not Snappy,
 * not protobuf, invalid series), 413 (too large once decompressed) or 415 (unknown encoding).
 * The message is meant for the sender's log: it names the series and label at fault.
 */
public final class PayloadException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;

    public PayloadException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public static PayloadException badRequest(String message) {
        return new PayloadException(400, message);
    }

    public int status() {
        return status;
    }
}
