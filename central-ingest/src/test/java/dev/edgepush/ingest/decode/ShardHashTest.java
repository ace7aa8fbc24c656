package dev.edgepush.ingest.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ShardHashTest {
  private static long key(int i) {
    return ShardHash.hash(new String[] {"__name__", "m", "i", Integer.toString(i), "robot", "r1"}, 3);
  }

  @Test
  void sameLabelsAlwaysGoToTheSameShardAndAllShardsAreUsed() {
    int[] counts = new int[4];
    for (int i = 0; i < 4000; i++) {
      int s = ShardHash.jump(key(i), 4);
      assertEquals(s, ShardHash.jump(key(i), 4));
      counts[s]++;
    }
    for (int c : counts) {
      assertTrue(c > 800 && c < 1200, java.util.Arrays.toString(counts));
    }
  }

  @Test
  void addingAShardMovesOnlySeriesToTheNewShard() {
    int moved = 0;
    for (int i = 0; i < 4000; i++) {
      int before = ShardHash.jump(key(i), 4);
      int after = ShardHash.jump(key(i), 5);
      if (before != after) {
        assertEquals(4, after, "a series may only move to the new shard");
        moved++;
      }
    }
    assertTrue(moved > 600 && moved < 1000, "about a fifth moves: " + moved);
  }

  @Test
  void labelBoundariesMatter() {
    long a = ShardHash.hash(new String[] {"ab", "c"}, 1);
    long b = ShardHash.hash(new String[] {"a", "bc"}, 1);
    assertTrue(a != b);
  }
}
