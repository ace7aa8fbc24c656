package dev.edgepush.compat;

import java.util.Arrays;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A mutable list of label name/value pairs, the working set {@link Relabeler#apply} rewrites in place.
 * Made to be reused: one instance per scrape target (or per thread), {@link #clear()} between series, so
 * relabeling a sample allocates nothing for the list itself.
 *
 * <p>Order is insertion order, as in vmagent; names are not checked and may repeat if added with
 * {@link #add}, in which case {@link #get} and {@link #set} see the first. An empty value counts as
 * present here; {@link Relabeler#apply} removes empty-valued labels at its end, as vmagent does.
 * Not thread-safe.
 */
public final class LabelSet {

    private String[] names;
    private String[] values;
    private int size;
    /** Scratch space for joining source label values; owned by the relabeler while it runs. */
    final StringBuilder scratch = new StringBuilder(64);

    /** An empty set with room for 16 labels (it grows as needed). */
    public LabelSet() {
        this(16);
    }

    /** An empty set with room for {@code capacity} labels (it grows as needed). */
    public LabelSet(int capacity) {
        names = new String[Math.max(1, capacity)];
        values = new String[names.length];
    }

    /** A set holding {@code nameValuePairs} ({@code name1, value1, name2, value2, ...}), in that order. */
    public static LabelSet of(String... nameValuePairs) {
        if (nameValuePairs.length % 2 != 0) {
            throw new IllegalArgumentException("odd number of arguments: want name, value pairs");
        }
        LabelSet set = new LabelSet(nameValuePairs.length / 2);
        for (int i = 0; i < nameValuePairs.length; i += 2) {
            set.add(nameValuePairs[i], nameValuePairs[i + 1]);
        }
        return set;
    }

    /** A set holding {@code labels}, in the map's iteration order. */
    public static LabelSet of(Map<String, String> labels) {
        LabelSet set = new LabelSet(labels.size());
        labels.forEach(set::add);
        return set;
    }

    public int size() {
        return size;
    }

    public String name(int index) {
        checkIndex(index);
        return names[index];
    }

    public String value(int index) {
        checkIndex(index);
        return values[index];
    }

    /** The value of the first label called {@code name}, or null if there is none. */
    public String get(String name) {
        int i = indexOf(name);
        return i < 0 ? null : values[i];
    }

    /** The value of the first label called {@code name}, or "" if there is none (vmagent's getLabelValue). */
    String valueOrEmpty(String name) {
        int i = indexOf(name);
        return i < 0 ? "" : values[i];
    }

    /** Index of the first label called {@code name}, or -1. */
    public int indexOf(String name) {
        for (int i = 0; i < size; i++) {
            if (names[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** Sets the first label called {@code name} to {@code value}, or appends it if there is none. */
    public void set(String name, String value) {
        int i = indexOf(name);
        if (i >= 0) {
            values[i] = value;
        } else {
            add(name, value);
        }
    }

    /** Appends a label without looking for an existing one of that name. */
    public void add(String name, String value) {
        if (size == names.length) {
            names = Arrays.copyOf(names, size * 2);
            values = Arrays.copyOf(values, size * 2);
        }
        names[size] = name;
        values[size] = value;
        size++;
    }

    /** Renames the label at {@code index}. */
    public void setName(int index, String name) {
        checkIndex(index);
        names[index] = name;
    }

    /** Changes the value of the label at {@code index}. */
    public void setValue(int index, String value) {
        checkIndex(index);
        values[index] = value;
    }

    /** Removes the label at {@code index}, keeping the order of the rest. */
    public void remove(int index) {
        checkIndex(index);
        System.arraycopy(names, index + 1, names, index, size - index - 1);
        System.arraycopy(values, index + 1, values, index, size - index - 1);
        size--;
        names[size] = null;
        values[size] = null;
    }

    /** Removes every label whose name starts with {@code prefix}, e.g. "__" after target relabeling. */
    public void removeNamesStartingWith(String prefix) {
        int w = 0;
        for (int r = 0; r < size; r++) {
            if (!names[r].startsWith(prefix)) {
                names[w] = names[r];
                values[w] = values[r];
                w++;
            }
        }
        truncate(w);
    }

    /** Removes every label whose value is empty (an empty value means "no such label" in Prometheus). */
    public void removeEmptyValues() {
        int w = 0;
        for (int r = 0; r < size; r++) {
            if (!values[r].isEmpty()) {
                names[w] = names[r];
                values[w] = values[r];
                w++;
            }
        }
        truncate(w);
    }

    /** Keeps the first {@code newSize} labels. */
    void truncate(int newSize) {
        Arrays.fill(names, newSize, size, null);
        Arrays.fill(values, newSize, size, null);
        size = newSize;
    }

    public void clear() {
        truncate(0);
    }

    /** The labels as a map sorted by name (the first wins for a repeated name). */
    public SortedMap<String, String> toSortedMap() {
        SortedMap<String, String> map = new TreeMap<>();
        for (int i = 0; i < size; i++) {
            map.putIfAbsent(names[i], values[i]);
        }
        return map;
    }

    private void checkIndex(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("label index " + index + " out of 0.." + size);
        }
    }

    /** {@code {a="1", b="2"}} in list order. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < size; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(names[i]).append("=\"").append(values[i]).append('"');
        }
        return sb.append('}').toString();
    }
}
