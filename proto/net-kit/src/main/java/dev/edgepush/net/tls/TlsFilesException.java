package dev.edgepush.net.tls;

import java.io.IOException;

/**
 * A listener's TLS files cannot be used at start-up; the message names the flag and the file.
 * An {@link IOException}, so that start-up code can tell it from other I/O failures and answer
 * it as a bad flag (exit code 2) instead of a crash.
 */
public final class TlsFilesException extends IOException {
    private static final long serialVersionUID = 1L;

    TlsFilesException(String message, Throwable cause) {
        super(message, cause);
    }
}
