package dev.edgepush.ingest.auth;

/** A tokens file that cannot be used; the message names the file and the line. */
public final class TokensFileException extends Exception {
    private static final long serialVersionUID = 1L;

    public TokensFileException(String message) {
        super(message);
    }
}
