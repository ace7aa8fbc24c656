package dev.edgepush.ingest.decode;

import java.util.List;

/**
 * One request's data, validated and stamped with its robot, ready for the WAL: per (shard, lane) a
 * serialized remote-write 1.0 WriteRequest. Not reference-counted (plain arrays).
 *
 * @param shards one entry per (shard, lane), at index {@code shard * lanes + lane} (with one lane:
 *     one entry per shard, in shard order); an entry may hold no series
 * @param samples float samples in the request
 * @param histograms native histogram samples in the request
 * @param exemplars exemplars in the request
 */
public record StampedBatch(List<ShardPart> shards, long samples, long histograms, long exemplars) {

  /**
   * @param writeRequest serialized WriteRequest in {@code [0, length)}
   * @param points samples plus histogram samples in it, as the WAL counts them
   */
  public record ShardPart(byte[] writeRequest, int length, int points) {}

  public long points() {
    return samples + histograms;
  }
}
