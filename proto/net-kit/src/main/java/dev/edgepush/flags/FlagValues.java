package dev.edgepush.flags;

import dev.edgepush.compat.ByteSize;
import dev.edgepush.compat.GoDuration;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Parse-and-check of the flag values edge-agent and central-ingest share in kind: sizes, Go
 * durations, http(s) URLs. Each throws {@link IllegalArgumentException} whose message is the one
 * line a user sees: {@code -flag=value: what is wrong}.
 */
public final class FlagValues {
    /** Largest size taken by a flag of {@link #sizeUpTo1GB}. */
    static final int MAX_SIZE_BYTES = Integer.MAX_VALUE / 2;

    private FlagValues() {}

    /**
     * What {@code parse} makes of {@code value}; when it throws, the message of its exception is
     * prefixed with {@code -flag=value: }.
     */
    public static <T> T parse(String flag, String value, Function<String, T> parse) {
        try {
            return parse.apply(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + "=" + value + ": " + e.getMessage(), e);
        }
    }

    /** What {@code check} returns, or {@code bad} after adding its exception's message to {@code problems}. */
    public static <T> T recorded(List<String> problems, Supplier<T> check, T bad) {
        try {
            return check.get();
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
            return bad;
        }
    }

    /** The size {@code value} means, e.g. 32MB or 1GiB. */
    public static long bytes(String flag, String value) {
        return parse(flag, value, ByteSize::parse);
    }

    /** {@link #bytes}, at least 1 and at most 1GB (about {@link #MAX_SIZE_BYTES}). */
    public static int sizeUpTo1GB(String flag, String value) {
        long n = bytes(flag, value);
        if (n <= 0 || n > MAX_SIZE_BYTES) {
            throw new IllegalArgumentException(flag + "=" + value + ": must be between 1 and 1GB");
        }
        return (int) n;
    }

    /** The Go duration {@code value} means, e.g. 1m30s. */
    public static Duration duration(String flag, String value) {
        return parse(flag, value, GoDuration::parse);
    }

    /** {@link #duration}, but not 0. */
    public static Duration nonZeroDuration(String flag, String value) {
        Duration d = duration(flag, value);
        if (d.isZero()) {
            throw new IllegalArgumentException(flag + "=" + value + ": must be more than 0");
        }
        return d;
    }

    /**
     * {@code url}, checked to be an http(s) URL with a host; the message shows {@code shown} as the
     * value (e.g. the URL without its password).
     */
    public static String httpUrl(String flag, String url, String shown) {
        try {
            URI u = URI.create(url);
            if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
                throw new IllegalArgumentException("not an http(s) URL");
            }
            return url;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    flag + "=" + shown + ": not an http(s) URL, e.g. http://127.0.0.1:8428/api/v1/write", e);
        }
    }
}
