package dev.edgepush.compat;

import java.nio.file.Path;

/**
 * A job's credentials for its targets: {@code basic_auth} ({@code username}, {@code password} or
 * {@code password_file}) or {@code bearer_token} / {@code bearer_token_file}, at most one kind, as
 * Prometheus and vmagent require. File paths are resolved against the config file's directory. Files
 * are read at every scrape, so a rotated secret is picked up without a restart (as in Prometheus).
 *
 * @param username {@code basic_auth.username}, or null without basic auth
 * @param password {@code basic_auth.password}, or null
 * @param passwordFile {@code basic_auth.password_file}, or null
 * @param bearerToken {@code bearer_token}, or null
 * @param bearerTokenFile {@code bearer_token_file}, or null
 */
public record ScrapeAuth(
        String username, String password, Path passwordFile, String bearerToken, Path bearerTokenFile) {

    /** No credentials. */
    public static final ScrapeAuth NONE = new ScrapeAuth(null, null, null, null, null);

    /** True if the job sends no {@code Authorization} header. */
    public boolean isNone() {
        return username == null
                && password == null
                && passwordFile == null
                && bearerToken == null
                && bearerTokenFile == null;
    }
}
