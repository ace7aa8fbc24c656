package dev.edgepush.ingest.auth;

import java.util.Optional;

/** Resolves a bearer token to the identity it was issued to. Thread-safe. */
public interface TokenStore {
    /** The identity of {@code bearerToken}, or empty when the token is unknown. */
    Optional<Identity> lookup(String bearerToken);
}
