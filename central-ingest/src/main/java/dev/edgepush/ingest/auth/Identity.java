package dev.edgepush.ingest.auth;

import java.util.Objects;

/**
 * Who a bearer token belongs to: a robot (writes as {@code robot=<name>}) or a reader, and the
 * tenant both are confined to.
 */
public record Identity(Kind kind, String name, String tenant) {
    public Identity {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(tenant, "tenant");
    }

    /** Whether {@code other} names this identity's tenant ({@link #sameTenant}). */
    public boolean inTenant(String other) {
        return sameTenant(tenant, other);
    }

    /** VictoriaMetrics reads accountID {@code 42} as {@code 42:0}: both name one tenant. */
    public static boolean sameTenant(String a, String b) {
        return normalizeTenant(a).equals(normalizeTenant(b));
    }

    /** {@code 42:0} as {@code 42}; anything else unchanged. */
    public static String normalizeTenant(String t) {
        return t.endsWith(":0") ? t.substring(0, t.length() - 2) : t;
    }
}
