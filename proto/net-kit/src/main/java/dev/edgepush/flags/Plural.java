package dev.edgepush.flags;

/** Counts in messages: "1 job", "2 jobs", never "1 jobs". */
public final class Plural {
    private Plural() {}

    /** {@code n} and {@code noun}, with an "s" unless {@code n} is 1 (nouns here take a plain "s"). */
    public static String of(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
