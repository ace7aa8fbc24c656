package dev.edgepush.ingest.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.proto.LabelBytes;
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
    void laneIsStableAndIndependentOfTheShard() {
        int[][] counts = new int[2][2];
        for (int i = 0; i < 4000; i++) {
            assertEquals(0, ShardHash.lane(key(i), 1));
            int lane = ShardHash.lane(key(i), 2);
            assertEquals(lane, ShardHash.lane(key(i), 2));
            counts[ShardHash.jump(key(i), 2)][lane]++;
        }
        for (int[] shard : counts) {
            for (int c : shard) {
                assertTrue(
                        c > 800 && c < 1200,
                        "every (shard, lane) gets about a quarter: " + java.util.Arrays.deepToString(counts));
            }
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
    void utf8LabelsHashAsTheStringsTheyDecodeTo() {
        String[] samples = {
            "",
            "a",
            "__name__",
            "é",
            "ü€",
            "日本語",
            "\uD83D\uDE00 emoji",
            "\u007f\u0080\u07ff\u0800\uffff",
            "\uDBFF\uDFFF",
            "robot-7:9100"
        };
        java.util.Random r = new java.util.Random(3);
        for (int round = 0; round < 500; round++) {
            int pairs = r.nextInt(6);
            String[] labels = new String[2 * pairs];
            LabelBytes bytes = new LabelBytes();
            for (int i = 0; i < pairs; i++) {
                labels[2 * i] = samples[r.nextInt(samples.length)];
                labels[2 * i + 1] = samples[r.nextInt(samples.length)] + samples[r.nextInt(samples.length)];
                byte[] n = labels[2 * i].getBytes(java.nio.charset.StandardCharsets.UTF_8);
                byte[] v = labels[2 * i + 1].getBytes(java.nio.charset.StandardCharsets.UTF_8);
                bytes.add(n, 0, n.length, v, 0, v.length);
            }
            assertEquals(ShardHash.hash(labels, pairs), ShardHash.hash(bytes), java.util.Arrays.toString(labels));
        }
    }

    @Test
    void labelBoundariesMatter() {
        long a = ShardHash.hash(new String[] {"ab", "c"}, 1);
        long b = ShardHash.hash(new String[] {"a", "bc"}, 1);
        assertTrue(a != b);
    }

    /**
     * The hash is part of a deployment's state: with several -remoteWrite.url shards a series must
     * stay on its shard across upgrades. These values were computed by the first release's code;
     * a faster implementation must give the same.
     */
    @Test
    void theHashIsTheSameAcrossReleases() {
        String[][] sets = {
            {"__name__", "up", "job", "node", "robot", "r1"},
            {"__name__", "temp_celsius", "sensor", "f\u00fchrerstand", "robot", "r-000417", "tenant", "0"},
            {"__name__", "x", "emoji", "\uD83E\uDD16 robot", "\u0133", "\u01c5"},
            {
                "__name__",
                "node_network_receive_bytes_total",
                "device",
                "eth0",
                "instance",
                "127.0.0.1:9100",
                "job",
                "node",
                "robot",
                "r-000417",
                "tenant",
                "0"
            },
        };
        long[] pinned = {4806001347754350254L, -165270096667271755L, -3900429847067121848L, 7816245223599613361L};
        for (int k = 0; k < sets.length; k++) {
            String[] s = sets[k];
            assertEquals(pinned[k], ShardHash.hash(s, s.length / 2), java.util.Arrays.toString(s));
            LabelBytes bytes = new LabelBytes();
            for (int i = 0; i < s.length; i += 2) {
                byte[] n = s[i].getBytes(java.nio.charset.StandardCharsets.UTF_8);
                byte[] v = s[i + 1].getBytes(java.nio.charset.StandardCharsets.UTF_8);
                bytes.add(n, 0, n.length, v, 0, v.length);
            }
            assertEquals(pinned[k], ShardHash.hash(bytes), java.util.Arrays.toString(s));
        }
    }
}
