package dev.edgepush.proto;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A label set held as UTF-8 slices of byte arrays, name then value per pair: usually slices of a
 * request body read in place, plus a few of the receiver's own (a stamped label). For {@link
 * WriteRequestEncoder#addSeries(LabelBytes, double[], long[], int)}, which copies the bytes as
 * they are. String {@code i} is a name when {@code i} is even, the value of that name at {@code
 * i + 1}.
 *
 * <p>Holds references, not copies: the arrays must not change while the set is used. Reusable
 * ({@link #clear()} keeps the index arrays, which only grow), so steady state allocates nothing.
 * Not thread-safe.
 */
public final class LabelBytes {
    private byte[][] arrays = new byte[32][];
    private int[] offsets = new int[32];
    private int[] lengths = new int[32];
    private int strings;

    /** Forgets every pair; the arrays stay referenced until overwritten. */
    public void clear() {
        strings = 0;
    }

    /** Number of name/value pairs. */
    public int pairs() {
        return strings / 2;
    }

    /** Appends a pair: the name in {@code name[nameOff, nameOff+nameLen)}, the value likewise. */
    public void add(byte[] name, int nameOff, int nameLen, byte[] value, int valueOff, int valueLen) {
        if (strings + 2 > arrays.length) {
            int n = arrays.length * 2;
            arrays = Arrays.copyOf(arrays, n);
            offsets = Arrays.copyOf(offsets, n);
            lengths = Arrays.copyOf(lengths, n);
        }
        checkSlice(name, nameOff, nameLen);
        checkSlice(value, valueOff, valueLen);
        set(strings++, name, nameOff, nameLen);
        set(strings++, value, valueOff, valueLen);
    }

    /** Appends pair {@code pair} of {@code other}. */
    public void add(LabelBytes other, int pair) {
        int n = 2 * pair;
        add(
                other.arrays[n],
                other.offsets[n],
                other.lengths[n],
                other.arrays[n + 1],
                other.offsets[n + 1],
                other.lengths[n + 1]);
    }

    private static void checkSlice(byte[] a, int off, int len) {
        if (off < 0 || len < 0 || off > a.length - len) {
            throw new IndexOutOfBoundsException(
                    "slice [" + off + ", " + off + "+" + len + ") of " + a.length + " bytes");
        }
    }

    private void set(int i, byte[] a, int off, int len) {
        arrays[i] = a;
        offsets[i] = off;
        lengths[i] = len;
    }

    /** The array holding string {@code i} (a name when even, a value when odd). */
    public byte[] array(int i) {
        return arrays[i];
    }

    public int offset(int i) {
        return offsets[i];
    }

    public int length(int i) {
        return lengths[i];
    }

    /** String {@code i} decoded; for messages, not for the hot path. */
    public String string(int i) {
        return new String(arrays[i], offsets[i], lengths[i], StandardCharsets.UTF_8);
    }

    /** Whether string {@code i} holds exactly the bytes {@code s}. */
    public boolean equalsBytes(int i, byte[] s) {
        return Arrays.equals(arrays[i], offsets[i], offsets[i] + lengths[i], s, 0, s.length);
    }

    /** Whether strings {@code i} and {@code j} hold the same bytes. */
    public boolean equalsString(int i, int j) {
        return Arrays.equals(
                arrays[i], offsets[i], offsets[i] + lengths[i], arrays[j], offsets[j], offsets[j] + lengths[j]);
    }

    /**
     * Sorts the pairs by name, comparing bytes unsigned (which is code point order, and for the
     * ASCII names of Prometheus labels the order of {@code String.compareTo}); stable, so pairs
     * with the same name keep their order. Insertion sort: series have few labels.
     */
    public void sortByName() {
        int pairs = pairs();
        for (int i = 1; i < pairs; i++) {
            int j = i - 1;
            if (compareNames(2 * j, 2 * i) <= 0) {
                continue;
            }
            byte[] na = arrays[2 * i];
            int no = offsets[2 * i];
            int nl = lengths[2 * i];
            byte[] va = arrays[2 * i + 1];
            int vo = offsets[2 * i + 1];
            int vl = lengths[2 * i + 1];
            while (j >= 0
                    && Arrays.compareUnsigned(
                                    arrays[2 * j], offsets[2 * j], offsets[2 * j] + lengths[2 * j], na, no, no + nl)
                            > 0) {
                System.arraycopy(arrays, 2 * j, arrays, 2 * j + 2, 2);
                System.arraycopy(offsets, 2 * j, offsets, 2 * j + 2, 2);
                System.arraycopy(lengths, 2 * j, lengths, 2 * j + 2, 2);
                j--;
            }
            arrays[2 * j + 2] = na;
            offsets[2 * j + 2] = no;
            lengths[2 * j + 2] = nl;
            arrays[2 * j + 3] = va;
            offsets[2 * j + 3] = vo;
            lengths[2 * j + 3] = vl;
        }
    }

    private int compareNames(int i, int j) {
        return Arrays.compareUnsigned(
                arrays[i], offsets[i], offsets[i] + lengths[i], arrays[j], offsets[j], offsets[j] + lengths[j]);
    }
}
