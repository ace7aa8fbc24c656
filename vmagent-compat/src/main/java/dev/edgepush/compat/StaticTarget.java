package dev.edgepush.compat;

import java.util.Collections;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One target of a {@code static_configs} entry.
 *
 * @param address {@code host:port}; IPv6 hosts are in brackets ({@code [::1]:9100}); the port is always
 *     present (80 or 443 added by scheme when the config left it out, as Prometheus does)
 * @param labels the {@code labels} of the enclosing {@code static_configs} entry, sorted by name; never
 *     null, unmodifiable
 */
public record StaticTarget(String address, SortedMap<String, String> labels) {

    /** Checks for nulls and makes {@code labels} an unmodifiable copy. */
    public StaticTarget {
        Objects.requireNonNull(address, "address");
        labels = Collections.unmodifiableSortedMap(new TreeMap<>(labels));
    }
}
