package dev.edgepush.proto;

import java.util.Arrays;

/**
 * The series of a remote-write 2.0 request: each distinct label set (its symbol refs, name and
 * value alternating, in input order) once, numbered in the order of first appearance. Every array
 * only grows and is kept between requests.
 */
final class SeriesTable {
    /** Label refs of every series, back to back; series s uses refs[refStart[s], refStart[s+1]). */
    private int[] refs = new int[1024];

    private int refCount;
    private int[] refStart = new int[129];
    private int count;
    private int[] table = new int[256]; // series id + 1, 0 = free

    void reset() {
        Arrays.fill(table, 0);
        refCount = 0;
        count = 0;
    }

    /** The series id of the label refs {@code labelRefs[0, n)}, added if new. */
    int seriesOf(int[] labelRefs, int n) {
        int h = SymbolTable.mix(hashInts(labelRefs, 0, n));
        int mask = table.length - 1;
        for (int i = h & mask; ; i = (i + 1) & mask) {
            int e = table[i];
            if (e == 0) {
                int id = count++;
                if (refCount + n > refs.length) {
                    refs = Arrays.copyOf(refs, Math.max(refs.length * 2, refCount + n));
                }
                System.arraycopy(labelRefs, 0, refs, refCount, n);
                if (id + 2 > refStart.length) {
                    refStart = Arrays.copyOf(refStart, refStart.length * 2);
                }
                refStart[id] = refCount;
                refCount += n;
                refStart[id + 1] = refCount;
                table[i] = id + 1;
                if (count * 2 > table.length) {
                    table = SymbolTable.rehash(
                            table,
                            count,
                            id2 -> SymbolTable.mix(hashInts(refs, refStart[id2], refStart[id2 + 1] - refStart[id2])));
                }
                return id;
            }
            int id = e - 1;
            int from = refStart[id];
            int to = refStart[id + 1];
            if (to - from == n && Arrays.equals(refs, from, to, labelRefs, 0, n)) {
                return id;
            }
        }
    }

    int count() {
        return count;
    }

    /** Where series {@code s}'s refs start: {@link #ref} indexes from here ... */
    int refsFrom(int s) {
        return refStart[s];
    }

    /** ... to here (exclusive). */
    int refsTo(int s) {
        return refStart[s + 1];
    }

    int ref(int r) {
        return refs[r];
    }

    private static int hashInts(int[] a, int from, int len) {
        int h = 1;
        for (int i = from; i < from + len; i++) {
            h = 31 * h + a[i];
        }
        return h;
    }
}
