package dev.edgepush.agent.scrape;

import dev.edgepush.compat.ScrapeAuth;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/**
 * The {@code Authorization} header of a scrape, from the job's {@code basic_auth} or {@code
 * bearer_token(_file)}. Secret files are read at every scrape (they are tiny) so a rotated secret
 * is used from the next scrape on, and trimmed of surrounding whitespace, as Prometheus and
 * vmagent do.
 */
final class ScrapeAuthHeader {
    private ScrapeAuthHeader() {}

    /** The header value, or null if the job sends none. */
    static String of(ScrapeAuth auth) throws IOException {
        if (auth.bearerToken() != null) {
            return "Bearer " + auth.bearerToken();
        }
        if (auth.bearerTokenFile() != null) {
            return "Bearer " + read(auth.bearerTokenFile(), "bearer_token_file");
        }
        if (auth.username() == null) {
            return null;
        }
        String password = auth.password() != null
                ? auth.password()
                : auth.passwordFile() != null ? read(auth.passwordFile(), "basic_auth.password_file") : "";
        return "Basic "
                + Base64.getEncoder()
                        .encodeToString((auth.username() + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static String read(Path file, String key) throws IOException {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new IOException("cannot read " + key + " " + file + ": " + e, e);
        }
    }
}
