package dev.edgepush.compat;

import java.util.Locale;

/** The relabel actions vmagent knows, except {@code graphite} (and the newer {@code keep_if_contains} family). */
enum RelabelAction {
    REPLACE,
    REPLACE_ALL,
    KEEP,
    DROP,
    KEEP_IF_EQUAL,
    DROP_IF_EQUAL,
    KEEPEQUAL,
    DROPEQUAL,
    HASHMOD,
    LABELMAP,
    LABELMAP_ALL,
    LABELDROP,
    LABELKEEP,
    LOWERCASE,
    UPPERCASE,
    KEEP_METRICS,
    DROP_METRICS;

    /** The action as written in YAML (lower case, as vmagent accepts any case). */
    String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The action for {@code name} in any case, or null if there is none. */
    static RelabelAction parse(String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        for (RelabelAction a : values()) {
            if (a.name().equals(upper)) {
                return a;
            }
        }
        return null;
    }
}
