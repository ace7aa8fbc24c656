package dev.edgepush.ingest.decode;

/**
 * Picks the shard of a series: a 64-bit hash of its sorted labels, then Lamping and Veach's jump
 * consistent hash, so adding a shard moves only about 1/n of the series and every sample of a
 * series lands on the same vminsert (which keeps per-series order on the wire).
 */
public final class ShardHash {
  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  private ShardHash() {}

  /** FNV-1a over name, 0xff, value, 0xfe for each pair (separators no label text holds). */
  public static long hash(String[] pairs, int n) {
    long h = FNV_OFFSET;
    for (int i = 0; i < n * 2; i++) {
      String s = pairs[i];
      for (int j = 0; j < s.length(); j++) {
        char c = s.charAt(j);
        h = (h ^ (c & 0xff)) * FNV_PRIME;
        h = (h ^ (c >>> 8)) * FNV_PRIME;
      }
      h = (h ^ ((i & 1) == 0 ? 0xff : 0xfe)) * FNV_PRIME;
    }
    // splitmix64 finalizer: FNV's low bits are weak, jump hash consumes all of them.
    h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
    h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
    return h ^ (h >>> 31);
  }

  /** Jump consistent hash: a bucket in {@code [0, buckets)}. */
  public static int jump(long key, int buckets) {
    long b = -1;
    long j = 0;
    while (j < buckets) {
      b = j;
      key = key * 2862933555777941757L + 1;
      j = (long) ((b + 1) * ((double) (1L << 31) / (double) ((key >>> 33) + 1)));
    }
    return (int) b;
  }
}
